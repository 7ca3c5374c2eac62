-- For Neovim 0.11's config discovery: with editors/nvim on 'runtimepath',
-- `vim.lsp.enable("codeqa")` alone starts the server with the default options.
-- `require("codeqa").setup({...})` overrides these fields (its `cmd` replaces this one).
local config = require("codeqa.config")

local base = config.lsp_config(config.normalize({}), { config.executable, "--stdio" })

-- Look the server up when a buffer first needs it, not when this file is read, so a missing
-- server is reported once, with the fix, only to users who enabled it.
base.cmd = function(dispatchers)
  local cmd, problem = config.resolve_cmd({})
  if cmd == nil then
    vim.notify(problem, vim.log.levels.ERROR)
    cmd = { config.executable, "--stdio" }
  end
  return vim.lsp.rpc.start(cmd, dispatchers)
end

return base
