-- User commands, available whether the server was registered by setup() or by lsp/codeqa.lua.
if vim.g.loaded_codeqa then
  return
end
vim.g.loaded_codeqa = true
require("codeqa.commands").create()
