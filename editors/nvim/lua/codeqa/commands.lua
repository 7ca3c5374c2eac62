--- The user commands; created by plugin/codeqa.lua at startup and again by setup(), so they
--- exist however the plugin was put on 'runtimepath'.
local M = {}

function M.create()
  vim.api.nvim_create_user_command("CodeQAScore", function()
    require("codeqa.score").show()
  end, { desc = "codeqa: match score of the intent block under the cursor", force = true })

  vim.api.nvim_create_user_command("CodeQAStatus", function()
    local text = require("codeqa.status").statusline(0)
    vim.notify(text ~= "" and text or "codeqa: not attached to this buffer")
  end, { desc = "codeqa: model state (loading / ready / error)", force = true })
end

return M
