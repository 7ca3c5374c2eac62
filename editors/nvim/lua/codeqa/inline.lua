--- Ghost text: the server's `textDocument/inlineCompletion` answer for the empty line under an
--- `# intent:` comment, drawn as virtual text (the first line after the cursor, the rest as
--- virtual lines below) and inserted by an accept key. Neovim 0.12's built-in
--- `vim.lsp.inline_completion` is used instead when it exists.
---
--- Requests are sent only at a site (a cheap check of two lines), a newer one cancels the
--- older, and the server waits its `inline.delayMs` before an automatic request runs the
--- model, so typing elsewhere costs nothing. With `inline_manual_only` only the trigger key
--- (or `require("codeqa").inline_trigger()`) asks.
local M = {}

M.method = "textDocument/inlineCompletion"
M.namespace = vim.api.nvim_create_namespace("codeqa_inline")
M.trigger_kind = { invoked = 1, automatic = 2 }

vim.api.nvim_set_hl(0, "CodeQAGhost", { link = "Comment", default = true })

---@class codeqa.Ghost
---@field item table          the LSP InlineCompletionItem
---@field row integer         0-based line of the site
---@field tick integer        changedtick it was drawn for
---@field client_id integer

---@type table<integer, codeqa.Ghost>
local shown = {}
---@type table<integer, { client: vim.lsp.Client, id: integer }>
local pending = {}

--- True when `line` is a blank line and `above` an intent comment with text (the server's site).
---@param above string|nil
---@param line string
---@return boolean
function M.is_site(above, line)
  if above == nil or not line:match("^%s*$") then
    return false
  end
  local text = above:lower():match("^[ \t]*#[ \t]*intent[ \t]*:(.*)$")
  return text ~= nil and text:match("%S") ~= nil
end

--- The ghost's lines for `item` with the cursor at byte `col` of `line_text`: what the item
--- adds after the text already typed in its range; nil when the item does not extend it.
---@param item table
---@param line_text string
---@param col integer
---@return string[]|nil
function M.ghost_lines(item, line_text, col)
  local text = item.insertText
  if type(text) == "table" then
    text = text.value
  end
  if type(text) ~= "string" then
    return nil
  end
  local start = item.range and item.range.start.character or col
  local typed = line_text:sub(start + 1, col)
  if text:sub(1, #typed) ~= typed then
    return nil
  end
  local rest = text:sub(#typed + 1)
  if rest == "" then
    return nil
  end
  return vim.split(rest, "\n", { plain = true })
end

--- The buffer lines after accepting `item` on `line_text` (its range replaced by its text).
---@param item table
---@param line_text string
---@return string[] lines, integer end_col
function M.accepted_lines(item, line_text)
  local text = type(item.insertText) == "table" and item.insertText.value or item.insertText
  local range = item.range or { start = { character = #line_text }, ["end"] = { character = #line_text } }
  local before = line_text:sub(1, range.start.character)
  local after = line_text:sub(range["end"].character + 1)
  local lines = vim.split(before .. text, "\n", { plain = true })
  local end_col = #lines[#lines]
  lines[#lines] = lines[#lines] .. after
  return lines, end_col
end

--- Remove the ghost of `bufnr` (if any) and forget it.
---@param bufnr integer
function M.clear(bufnr)
  shown[bufnr] = nil
  if vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, M.namespace, 0, -1)
  end
end

local function cancel(bufnr)
  local req = pending[bufnr]
  pending[bufnr] = nil
  if req then
    pcall(function()
      req.client:cancel_request(req.id)
    end)
  end
end

local function draw(bufnr, client_id, item, row, col, tick)
  local line_text = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
  local lines = M.ghost_lines(item, line_text, col)
  M.clear(bufnr)
  if lines == nil then
    return
  end
  local virt_lines = {}
  for i = 2, #lines do
    table.insert(virt_lines, { { lines[i], "CodeQAGhost" } })
  end
  vim.api.nvim_buf_set_extmark(bufnr, M.namespace, row, col, {
    virt_text = { { lines[1], "CodeQAGhost" } },
    virt_text_pos = "inline",
    virt_lines = #virt_lines > 0 and virt_lines or nil,
  })
  shown[bufnr] = { item = item, row = row, tick = tick, client_id = client_id }
end

--- Ask the codeqa client of `bufnr` for ghost text at the cursor.
---@param bufnr integer
---@param kind integer M.trigger_kind.invoked or .automatic
---@param on_done? fun(result: table|nil) called with the server's answer (for tests)
function M.request(bufnr, kind, on_done)
  cancel(bufnr)
  M.clear(bufnr)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = "codeqa" })[1]
  if client == nil or not client:supports_method(M.method, bufnr) then
    return
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = kind }
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  local ok, id = client:request(M.method, params, function(err, result)
    pending[bufnr] = nil
    if on_done then
      on_done(result)
    end
    local now = vim.api.nvim_win_get_cursor(0)
    if err or result == nil or vim.api.nvim_get_current_buf() ~= bufnr then
      return
    end
    if vim.api.nvim_buf_get_changedtick(bufnr) ~= tick or now[1] - 1 ~= row or now[2] ~= col then
      return -- the user moved on; a newer request (if any) draws
    end
    local items = result.items or result
    if items[1] then
      draw(bufnr, client.id, items[1], row, col, tick)
    end
  end, bufnr)
  if ok then
    pending[bufnr] = { client = client, id = id }
  end
end

--- Insert the ghost of `bufnr`. Returns false when there is none to insert.
---@param bufnr integer
---@return boolean
function M.accept(bufnr)
  local ghost = shown[bufnr]
  if ghost == nil or vim.api.nvim_buf_get_changedtick(bufnr) ~= ghost.tick then
    M.clear(bufnr)
    return false
  end
  M.clear(bufnr)
  local line_text = vim.api.nvim_buf_get_lines(bufnr, ghost.row, ghost.row + 1, false)[1] or ""
  local lines, end_col = M.accepted_lines(ghost.item, line_text)
  vim.api.nvim_buf_set_lines(bufnr, ghost.row, ghost.row + 1, false, lines)
  vim.api.nvim_win_set_cursor(0, { ghost.row + #lines, end_col })
  local client = vim.lsp.get_client_by_id(ghost.client_id)
  if ghost.item.command and client then
    client:exec_cmd(ghost.item.command, { bufnr = bufnr }) -- adds the imports the code needs
  end
  return true
end

local function at_site(bufnr)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  if row == 0 then
    return false
  end
  local two = vim.api.nvim_buf_get_lines(bufnr, row - 1, row + 1, false)
  return M.is_site(two[1], two[2] or "")
end

local function feed(keys, remap)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), remap and "m" or "n", false)
end

--- What `key` did before the plugin mapped it (a completion plugin's <Tab>, say), so it keeps
--- doing that when there is no ghost text to accept.
---@param key string
---@return fun()
function M.fallback(key)
  -- The global mapping (the buffer-local one is ours, after a restart of the server).
  local code = vim.keycode(key)
  local prev = vim.iter(vim.api.nvim_get_keymap("i")):find(function(m)
    return vim.keycode(m.lhs) == code
  end)
  if prev == nil then
    return function()
      feed(key)
    end
  end
  return function()
    local keys = prev.rhs
    if prev.callback then
      keys = prev.callback()
      if prev.expr ~= 1 then
        return
      end
    elseif prev.expr == 1 then
      keys = vim.api.nvim_eval(prev.rhs)
    end
    if type(keys) == "string" and keys ~= "" then
      feed(keys, prev.noremap ~= 1)
    end
  end
end

--- Wire ghost text into a buffer the codeqa client attached to.
---@param client vim.lsp.Client
---@param bufnr integer
---@param opts codeqa.Options normalized options
function M.attach(client, bufnr, opts)
  if not opts.inline then
    return
  end
  local builtin = vim.lsp.inline_completion
  if builtin and type(builtin.enable) == "function" then
    -- Neovim 0.12+: the built-in client draws and accepts; only the key is ours.
    local ok = pcall(builtin.enable, true, { bufnr = bufnr, client_id = client.id })
    if ok then
      local otherwise = M.fallback(opts.inline_accept_key)
      vim.keymap.set("i", opts.inline_accept_key, function()
        local done, accepted = pcall(builtin.get)
        if not (done and accepted) then
          otherwise()
        end
      end, { buffer = bufnr, desc = "codeqa: accept ghost text" })
      return
    end
  end

  local group = vim.api.nvim_create_augroup("codeqa_inline_" .. bufnr, { clear = true })
  if not opts.inline_manual_only then
    vim.api.nvim_create_autocmd({ "InsertEnter", "CursorMovedI", "TextChangedI" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        local ghost = shown[bufnr]
        if ghost and ghost.tick == vim.api.nvim_buf_get_changedtick(bufnr) then
          return -- still valid where it is
        end
        if at_site(bufnr) then
          M.request(bufnr, M.trigger_kind.automatic)
        else
          cancel(bufnr)
          M.clear(bufnr)
        end
      end,
    })
  end
  vim.api.nvim_create_autocmd({ "InsertLeave", "BufLeave" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      cancel(bufnr)
      M.clear(bufnr)
    end,
  })
  local otherwise = M.fallback(opts.inline_accept_key)
  vim.keymap.set("i", opts.inline_accept_key, function()
    if vim.fn.pumvisible() == 1 or not M.accept(bufnr) then
      otherwise()
    end
  end, { buffer = bufnr, desc = "codeqa: accept ghost text" })
  if opts.inline_trigger_key then
    vim.keymap.set("i", opts.inline_trigger_key, function()
      M.request(bufnr, M.trigger_kind.invoked)
    end, { buffer = bufnr, desc = "codeqa: ask for ghost text" })
  end
end

--- The ghost shown in `bufnr` (for tests and statuslines), or nil.
---@param bufnr integer
---@return codeqa.Ghost|nil
function M.get(bufnr)
  return shown[bufnr]
end

return M
