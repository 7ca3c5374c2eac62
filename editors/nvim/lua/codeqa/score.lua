--- `:CodeQAScore`: the match score of the intent block under the cursor. Asks the codeqa
--- server for its hover on the block's `# intent:` line (where the server reports the score)
--- and shows it in a floating window.
local M = {}

--- True when `line` is an intent comment on a line of its own (the server's grammar).
---@param line string
---@return boolean
function M.is_intent_line(line)
  return line:lower():match("^[ \t]*#[ \t]*intent[ \t]*:") ~= nil
end

--- 0-based line of the `# intent:` comment governing `row` (0-based), walking up to the first
--- blank line; nil when the cursor is not in an intent block.
---@param lines string[] the buffer's lines (1-based Lua list)
---@param row integer
---@return integer|nil
function M.intent_line_for(lines, row)
  for i = row, 0, -1 do
    local text = lines[i + 1]
    if text == nil then
      return nil
    end
    if M.is_intent_line(text) then
      return i
    end
    if text:match("^%s*$") then
      return nil
    end
  end
  return nil
end

--- Score and threshold from the server's hover markdown ("match score **0.42** (threshold 0.50)").
---@param markdown string
---@return number|nil score, number|nil threshold
function M.parse_hover(markdown)
  local score = markdown:match("match score %*%*([%d%.]+)%*%*")
  local threshold = markdown:match("%(threshold ([%d%.]+)%)")
  return tonumber(score), tonumber(threshold)
end

local function hover_text(result)
  local contents = result and result.contents
  if type(contents) == "table" and type(contents.value) == "string" then
    return contents.value
  end
  if type(contents) == "string" then
    return contents
  end
  return nil
end

local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

---@class codeqa.ScoreResult
---@field line integer|nil       0-based intent line, nil when the cursor is not in a block
---@field score number|nil       nil when the block has no code yet or the model is not ready
---@field threshold number|nil
---@field text string|nil        the server's markdown
---@field error string|nil

--- Ask for the score of the block at `row` (0-based; default: the cursor) and call `callback`.
---@param bufnr? integer
---@param row? integer
---@param callback fun(result: codeqa.ScoreResult)
function M.request(bufnr, row, callback)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  row = row or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = "codeqa" })[1]
  if client == nil then
    callback({ error = "codeqa is not attached to this buffer" })
    return
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local line = M.intent_line_for(lines, row)
  if line == nil then
    callback({ error = "the cursor is not in an `# intent:` block" })
    return
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = 0 },
  }
  request(client, "textDocument/hover", params, function(err, result)
    if err then
      callback({ line = line, error = "codeqa: " .. (err.message or tostring(err)) })
      return
    end
    local text = hover_text(result)
    if text == nil then
      callback({ line = line, error = "codeqa: no answer yet (is the model still loading?)" })
      return
    end
    local score, threshold = M.parse_hover(text)
    callback({ line = line, score = score, threshold = threshold, text = text })
  end, bufnr)
end

--- The user command: show the score of the block under the cursor in a float.
function M.show()
  M.request(0, nil, function(result)
    if result.error then
      vim.notify(result.error, vim.log.levels.WARN)
      return
    end
    local lines = vim.split(result.text, "\n", { plain = true })
    vim.lsp.util.open_floating_preview(lines, "markdown", { border = "rounded", focus_id = "codeqa_score" })
  end)
end

return M
