--- Completion acceptance: `vim.lsp.completion` for the codeqa client, plus one fix-up.
---
--- `vim.snippet.expand` indents every line after the first by the leading whitespace of the
--- line it expands on. The server's edit replaces the whole site line from column 0, but
--- Neovim expands at the cursor and keeps what follows it; when only whitespace follows (the
--- cursor at column 0 of an indented empty line, or trailing blanks after an intent comment),
--- that whitespace would become the base indent and push the code one level too deep. It is
--- removed on `CompleteDonePre`, before Neovim's own `CompleteDone` expands the snippet.
local M = {}

--- Whether `text` (what follows the cursor) should go before a codeqa item is expanded.
---@param text string
---@return boolean
function M.trailing_blank(text)
  return text ~= "" and text:match("^%s*$") ~= nil
end

---@param client vim.lsp.Client
---@param bufnr integer
---@param opts codeqa.Options normalized options
function M.attach(client, bufnr, opts)
  if not (opts.lsp_completion and vim.lsp.completion and vim.lsp.completion.enable) then
    return
  end
  vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = false })
  local group = vim.api.nvim_create_augroup("codeqa_complete_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd("CompleteDonePre", {
    group = group,
    buffer = bufnr,
    callback = function()
      local item = vim.v.completed_item
      local lsp = type(item) == "table" and vim.tbl_get(item, "user_data", "nvim", "lsp") or nil
      if not lsp or lsp.client_id ~= client.id then
        return
      end
      local row, col = unpack(vim.api.nvim_win_get_cursor(0))
      local line = vim.api.nvim_get_current_line()
      if M.trailing_blank(line:sub(col + 1)) then
        vim.api.nvim_buf_set_text(bufnr, row - 1, col, row - 1, #line, { "" })
      end
    end,
  })
end

return M
