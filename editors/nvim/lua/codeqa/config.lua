--- Options → LSP client configuration. Pure apart from `executable` lookups, so
--- tests/unit.lua checks the mapping without a server.
---
--- Options use Lua's snake_case; each one maps onto exactly one key of the server's
--- `codeqa` settings section (docs/SETTINGS.md), sent both as `init_options` and as the
--- answer to `workspace/configuration`.
local M = {}

M.name = "codeqa"
M.section = "codeqa"
M.executable = "codeqa-lsp"

---@class codeqa.Options
---@field cmd? string[]            command that starts the server on stdio; default: found, see resolve_cmd
---@field filetypes? string[]      default { "python" }
---@field root_markers? string[]   files that mark a project root
---@field completion? boolean      server key completion.enable
---@field diagnostics? boolean     server key diagnostics.enable
---@field suggestions? integer     server key suggestions (1-20)
---@field threshold? number        server key threshold (0-1); nil: the model's own
---@field debounce_ms? integer     server key debounceMs (0-10000)
---@field model_path? string       server key modelPath; nil: the bundled model
---@field lsp_completion? boolean  enable vim.lsp.completion for this client (snippets expand on <C-y>)
---@field inline? boolean          server key inline.enable: ghost text under an intent
---@field inline_delay_ms? integer server key inline.delayMs (0-10000)
---@field inline_manual_only? boolean server key inline.manualOnly: ghost text only on the trigger key
---@field inline_accept_key? string insert-mode key that inserts the ghost text (else types itself)
---@field inline_trigger_key? string|false insert-mode key that asks for ghost text; false: none
---@field on_attach? fun(client: vim.lsp.Client, bufnr: integer)
---@field capabilities? table

M.defaults = {
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git" },
  completion = true,
  diagnostics = true,
  suggestions = 5,
  debounce_ms = 200,
  lsp_completion = true,
  inline = true,
  inline_delay_ms = 200,
  inline_manual_only = false,
  inline_accept_key = "<Tab>",
  inline_trigger_key = "<M-\\>",
}

--- option name → { server key, checker(value) -> problem|nil }
local function is_int(v, lo, hi)
  return type(v) == "number" and v == math.floor(v) and v >= lo and v <= hi
end

local checks = {
  cmd = function(v)
    if type(v) ~= "table" or #v == 0 then
      return "must be a non-empty list of strings"
    end
    for _, part in ipairs(v) do
      if type(part) ~= "string" then
        return "must be a non-empty list of strings"
      end
    end
  end,
  filetypes = function(v)
    if type(v) ~= "table" then
      return "must be a list of filetypes"
    end
  end,
  root_markers = function(v)
    if type(v) ~= "table" then
      return "must be a list of file names"
    end
  end,
  completion = function(v)
    if type(v) ~= "boolean" then
      return "must be true or false"
    end
  end,
  diagnostics = function(v)
    if type(v) ~= "boolean" then
      return "must be true or false"
    end
  end,
  suggestions = function(v)
    if not is_int(v, 1, 20) then
      return "must be an integer from 1 to 20"
    end
  end,
  threshold = function(v)
    if type(v) ~= "number" or v ~= v or v < 0 or v > 1 then
      return "must be a number from 0 to 1 (or nil for the model's threshold)"
    end
  end,
  debounce_ms = function(v)
    if not is_int(v, 0, 10000) then
      return "must be an integer from 0 to 10000"
    end
  end,
  model_path = function(v)
    if type(v) ~= "string" then
      return "must be a path string (or nil for the bundled model)"
    end
  end,
  lsp_completion = function(v)
    if type(v) ~= "boolean" then
      return "must be true or false"
    end
  end,
  inline = function(v)
    if type(v) ~= "boolean" then
      return "must be true or false"
    end
  end,
  inline_delay_ms = function(v)
    if not is_int(v, 0, 10000) then
      return "must be an integer from 0 to 10000"
    end
  end,
  inline_manual_only = function(v)
    if type(v) ~= "boolean" then
      return "must be true or false"
    end
  end,
  inline_accept_key = function(v)
    if type(v) ~= "string" or v == "" then
      return "must be a key, e.g. \"<Tab>\""
    end
  end,
  inline_trigger_key = function(v)
    if v ~= false and (type(v) ~= "string" or v == "") then
      return "must be a key, e.g. \"<M-\\\\>\", or false"
    end
  end,
  on_attach = function(v)
    if type(v) ~= "function" then
      return "must be a function(client, bufnr)"
    end
  end,
  capabilities = function(v)
    if type(v) ~= "table" then
      return "must be a table"
    end
  end,
}

--- Defaults merged with `opts`; raises one error naming every bad or unknown option.
---@param opts codeqa.Options|nil
---@return codeqa.Options
function M.normalize(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("codeqa.setup: options must be a table, got " .. type(opts), 2)
  end
  local problems = {}
  for key, value in pairs(opts) do
    local check = checks[key]
    if check == nil then
      table.insert(problems, ("unknown option %q"):format(tostring(key)))
    else
      local problem = check(value)
      if problem then
        table.insert(problems, ("%s %s, got %s"):format(key, problem, vim.inspect(value)))
      end
    end
  end
  if #problems > 0 then
    table.sort(problems)
    error("codeqa.setup: " .. table.concat(problems, "; "), 2)
  end
  return vim.tbl_extend("force", vim.deepcopy(M.defaults), opts)
end

--- The server's `codeqa` section for normalized options; nil options are left out so the
--- server's defaults apply.
---@param opts codeqa.Options
---@return table
function M.server_settings(opts)
  local section = {
    completion = { enable = opts.completion },
    diagnostics = { enable = opts.diagnostics },
    suggestions = opts.suggestions,
    debounceMs = opts.debounce_ms,
    inline = { enable = opts.inline, delayMs = opts.inline_delay_ms, manualOnly = opts.inline_manual_only },
  }
  if opts.threshold ~= nil then
    section.threshold = opts.threshold
  end
  if opts.model_path ~= nil and opts.model_path ~= "" then
    section.modelPath = vim.fs.normalize(opts.model_path)
  end
  return section
end

--- The server command: `opts.cmd`, else codeqa-lsp in the active virtualenv / conda env,
--- else on PATH. Returns nil and a message with the fix when none is found.
---@param opts codeqa.Options
---@param env? table<string, string|nil>  environment (default: the process's)
---@return string[]|nil, string|nil
function M.resolve_cmd(opts, env)
  if opts.cmd then
    return opts.cmd, nil
  end
  env = env or { VIRTUAL_ENV = vim.env.VIRTUAL_ENV, CONDA_PREFIX = vim.env.CONDA_PREFIX }
  local is_win = vim.fn.has("win32") == 1
  local tried = {}
  for _, var in ipairs({ "VIRTUAL_ENV", "CONDA_PREFIX" }) do
    local prefix = env[var]
    if prefix and prefix ~= "" then
      local file = is_win and (prefix .. "/Scripts/" .. M.executable .. ".exe")
        or (prefix .. "/bin/" .. M.executable)
      table.insert(tried, file)
      if vim.fn.executable(file) == 1 then
        return { file, "--stdio" }, nil
      end
    end
  end
  table.insert(tried, M.executable .. " on PATH")
  if vim.fn.executable(M.executable) == 1 then
    return { M.executable, "--stdio" }, nil
  end
  return nil,
    ("codeqa: could not find the %s server (tried %s). Install it with "
      .. "`python -m pip install <path to the codeqa-lsp checkout>` in the environment you use, "
      .. "or pass cmd = { '/path/to/codeqa-lsp', '--stdio' } to require('codeqa').setup()."):format(
      M.executable,
      table.concat(tried, ", ")
    )
end

--- Client capabilities with pull diagnostics switched off, so the server pushes them.
--- Neovim 0.11 pulls only after an edit and has no `workspace/diagnostic/refresh`, so with pull a
--- settings change (threshold, enable) would not show until the next keystroke; pushed
--- diagnostics follow every change. `vim.NIL` survives Neovim's merge with its defaults.
---@param user table|nil the user's own capability overrides
---@return table
function M.capabilities(user)
  return vim.tbl_deep_extend("force", user or {}, { textDocument = { diagnostic = vim.NIL } })
end

--- The client's on_attach: `vim.lsp.completion` for this client (so accepting an item with
--- <C-y>, after <C-x><C-o> too, expands the server's snippet: multi-line code at the right
--- indentation, imports added), then the user's own on_attach.
---@param opts codeqa.Options normalized options
---@return fun(client: vim.lsp.Client, bufnr: integer)
function M.on_attach(opts)
  return function(client, bufnr)
    require("codeqa.complete").attach(client, bufnr, opts)
    require("codeqa.inline").attach(client, bufnr, opts)
    if opts.on_attach then
      opts.on_attach(client, bufnr)
    end
  end
end

--- The `vim.lsp.config` table (also what `vim.lsp.start` gets on Neovim 0.10).
---@param opts codeqa.Options normalized options
---@param cmd string[]
---@return table
function M.lsp_config(opts, cmd)
  local settings = M.server_settings(opts)
  return {
    name = M.name,
    cmd = cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    init_options = { [M.section] = settings },
    settings = { [M.section] = settings },
    handlers = require("codeqa.status").handlers(),
    on_exit = function(_, _, client_id)
      require("codeqa.status").clear(client_id)
    end,
    on_attach = M.on_attach(opts),
    capabilities = M.capabilities(opts.capabilities),
  }
end

return M
