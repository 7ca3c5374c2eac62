--- codeqa for Neovim: registers the codeqa-lsp server for Python buffers.
---
--- Neovim 0.11+: `vim.lsp.config("codeqa", ...)` + `vim.lsp.enable("codeqa")`.
--- Neovim 0.10: a FileType autocmd that calls `vim.lsp.start` (the 0.11 API does not exist).
local config = require("codeqa.config")

local M = {}

local group = vim.api.nvim_create_augroup("codeqa", { clear = true })

local function start_on_010(cfg, bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = vim.fs.root(bufnr, cfg.root_markers) or (name ~= "" and vim.fs.dirname(name)) or vim.uv.cwd()
  local start_cfg = vim.tbl_extend("force", cfg, { root_dir = root })
  start_cfg.filetypes, start_cfg.root_markers = nil, nil
  vim.lsp.start(start_cfg, { bufnr = bufnr })
end

--- Register the server. Returns false (after telling the user why) when no server is found.
---@param opts? codeqa.Options
---@return boolean
function M.setup(opts)
  local options = config.normalize(opts)
  local cmd, problem = config.resolve_cmd(options)
  if cmd == nil then
    vim.notify(problem, vim.log.levels.ERROR)
    return false
  end
  local cfg = config.lsp_config(options, cmd)
  M.options = options
  require("codeqa.commands").create()

  if vim.fn.has("nvim-0.11") == 1 then
    vim.lsp.config(config.name, cfg)
    vim.lsp.enable(config.name)
    return true
  end

  vim.api.nvim_clear_autocmds({ group = group })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args)
      start_on_010(cfg, args.buf)
    end,
  })
  -- Buffers opened before setup() ran get the server too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(cfg.filetypes, vim.bo[bufnr].filetype) then
      start_on_010(cfg, bufnr)
    end
  end
  return true
end

--- Statusline text for the current buffer ("codeqa: ready", "" when not attached).
---@return string
function M.status()
  return require("codeqa.status").statusline(0)
end

--- Match score of the block under the cursor, via `callback` (see codeqa.score).
---@param callback fun(result: codeqa.ScoreResult)
function M.score(callback)
  require("codeqa.score").request(0, nil, callback)
end

return M
