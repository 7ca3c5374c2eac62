-- End-to-end test in a real headless Neovim, run by tests/test_nvim.py:
--   nvim --headless --clean -l editors/nvim/tests/headless.lua
-- Environment: CODEQA_CMD (JSON list: the server command), CODEQA_FIXTURE (a .py file, copied to
-- a temp dir before editing), CODEQA_COMPLETE_LINE / CODEQA_FIX_LINE (0-based: the blank line
-- under an intent to complete on, and the intent line of the block that should be flagged),
-- optional CODEQA_MODEL_PATH, CODEQA_THRESHOLD, CODEQA_TIMEOUT_MS.
-- Prints one line `CODEQA_RESULT <json>` and exits 0 when every check passed, 1 otherwise.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
local plugin_root = vim.fs.dirname(here)
vim.opt.runtimepath:prepend(plugin_root)
vim.cmd("filetype on")

local result = { checks = {}, nvim = tostring(vim.version()) }
local failed = false

local function check(name, ok, detail)
  result.checks[name] = { ok = ok and true or false, detail = detail }
  if not ok then
    failed = true
  end
  return ok
end

local function env_int(name, default)
  local v = os.getenv(name)
  return v and tonumber(v) or default
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
end

local function codeqa_diagnostics(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "codeqa" then
      table.insert(found, { lnum = d.lnum, message = d.message, code = d.code })
    end
  end
  table.sort(found, function(a, b)
    return a.lnum < b.lnum
  end)
  return found
end

local function main()
  local timeout = env_int("CODEQA_TIMEOUT_MS", 120000)
  local cmd = vim.json.decode((assert(os.getenv("CODEQA_CMD"), "CODEQA_CMD is not set")))
  local fixture = assert(os.getenv("CODEQA_FIXTURE"), "CODEQA_FIXTURE is not set")
  local complete_line = assert(env_int("CODEQA_COMPLETE_LINE"), "CODEQA_COMPLETE_LINE is not set")
  local fix_line = assert(env_int("CODEQA_FIX_LINE"), "CODEQA_FIX_LINE is not set")

  -- Model states, in the order the server reported them.
  result.model_states = {}
  vim.api.nvim_create_autocmd("User", {
    pattern = "CodeQAModelStatus",
    callback = function(args)
      table.insert(result.model_states, args.data.state)
      if args.data.state == "error" then
        result.model_error = args.data.message
      end
    end,
  })

  local opts = { cmd = cmd, debounce_ms = 50 }
  if os.getenv("CODEQA_MODEL_PATH") then
    opts.model_path = os.getenv("CODEQA_MODEL_PATH")
  end
  if os.getenv("CODEQA_THRESHOLD") then
    opts.threshold = tonumber(os.getenv("CODEQA_THRESHOLD"))
  end
  if not check("setup", require("codeqa").setup(opts)) then
    return
  end

  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  local file = dir .. "/sample.py"
  vim.fn.writefile(vim.fn.readfile(fixture, "b"), file, "b")
  local t0 = vim.uv.hrtime()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  result.before = buffer_text(buf)

  local client
  local attached = vim.wait(timeout, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = "codeqa" })[1]
    return client ~= nil and client.initialized == true
  end, 50)
  if not check("attach", attached, "codeqa client attached to the Python buffer") then
    return
  end
  result.attach_ms = math.floor((vim.uv.hrtime() - t0) / 1e6)
  result.root_dir = client.root_dir

  local ready = vim.wait(timeout, function()
    local status = require("codeqa.status").get(client.id)
    return status ~= nil and (status.state == "ready" or status.state == "error")
  end, 50)
  local status = require("codeqa.status").get(client.id)
  if not check("model_ready", ready and status.state == "ready", status and status.message) then
    return
  end
  result.ready_ms = math.floor((vim.uv.hrtime() - t0) / 1e6)
  result.statusline = require("codeqa").status()

  -- Completion on the blank line under an intent.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = complete_line, character = 0 },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/completion", params, 60000) or {}
  local answer = responses[client.id]
  local items = answer and answer.result and (answer.result.items or answer.result) or {}
  result.completion = {}
  for _, item in ipairs(items) do
    table.insert(result.completion, {
      label = item.label,
      detail = item.detail,
      new_text = item.textEdit and item.textEdit.newText or item.insertText,
    })
  end
  check("completion", #result.completion > 0, answer and answer.err and answer.err.message)

  -- A diagnostic on the mismatched block.
  local got = vim.wait(timeout, function()
    for _, d in ipairs(codeqa_diagnostics(buf)) do
      if d.lnum == fix_line then
        return true
      end
    end
    return false
  end, 50)
  result.diagnostics = codeqa_diagnostics(buf)
  if not check("diagnostic", got, ("a codeqa diagnostic on line %d"):format(fix_line)) then
    return
  end

  -- The score command's request, on a code line of the flagged block.
  local score
  require("codeqa.score").request(buf, fix_line + 1, function(r)
    score = r
  end)
  vim.wait(60000, function()
    return score ~= nil
  end, 20)
  result.score = score
  check(
    "score",
    score ~= nil and score.line == fix_line and type(score.score) == "number" and type(score.threshold) == "number",
    score and score.error
  )

  -- The quick fix, applied the way a user would: code_action at the diagnostic, preferred action.
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  vim.api.nvim_win_set_cursor(0, { fix_line + 1, 0 })
  local titles = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(titles, action.title)
      return action.isPreferred == true
    end,
  })
  local edited = vim.wait(60000, function()
    return vim.api.nvim_buf_get_changedtick(buf) ~= tick
  end, 20)
  result.code_actions = titles
  result.after = buffer_text(buf)
  check("quick_fix", edited and result.after ~= result.before, "the preferred quick fix edited the buffer")

  -- Diagnostics after the fix (reported, not asserted: the model decides).
  vim.wait(5000, function()
    for _, d in ipairs(codeqa_diagnostics(buf)) do
      if d.lnum == fix_line then
        return false
      end
    end
    return true
  end, 50)
  result.diagnostics_after = codeqa_diagnostics(buf)

  -- A live settings change (the README's recipe): threshold 0 flags nothing.
  client.settings.codeqa.threshold = 0.0
  client:notify("workspace/didChangeConfiguration", { settings = client.settings })
  local cleared = vim.wait(30000, function()
    return #codeqa_diagnostics(buf) == 0
  end, 50)
  check("settings_change", cleared, "threshold 0 via didChangeConfiguration cleared the diagnostics")
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  failed = true
  result.error = tostring(err)
end
for _, c in ipairs(vim.lsp.get_clients({ name = "codeqa" })) do
  c:stop()
end
vim.wait(3000, function()
  return #vim.lsp.get_clients({ name = "codeqa" }) == 0
end, 50)
result.ok = not failed
io.stdout:write("CODEQA_RESULT " .. vim.json.encode(result) .. "\n")
io.stdout:flush()
os.exit(failed and 1 or 0)
