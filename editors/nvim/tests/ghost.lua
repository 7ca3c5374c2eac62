-- Ghost text in a real headless Neovim; run by tests/test_nvim.py:
--   nvim --headless --clean -c "luafile editors/nvim/tests/ghost.lua"
-- (main loop needed, as in accept.lua.) Environment: CODEQA_CMD (JSON list: the server command,
-- tests/scripted_server.py), CODEQA_CASES (JSON list of { lines, line (0-based intent line),
-- manual = bool }), optional CODEQA_TIMEOUT_MS.
-- Each case: the buffer gets `lines`; `o` on the intent line opens the empty line under it.
-- Automatic cases wait for the ghost; manual cases first ask as the plugin does while typing
-- (triggerKind Automatic, with the server in manualOnly mode) and record the answer, then press
-- the trigger key. Then <Tab> accepts, the imports command's edit is awaited, <Esc>.
-- Prints `CODEQA_GHOST <json>`: { ok, results = { { ghost, automatic_answer, text } }, error? }.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
vim.opt.runtimepath:prepend(vim.fs.dirname(here))
vim.cmd("filetype on")
vim.o.autoindent = true

local timeout = tonumber(os.getenv("CODEQA_TIMEOUT_MS") or "") or 120000
local output = { results = {} }
local co

local function finish(err)
  output.ok = err == nil
  output.error = err
  for _, c in ipairs(vim.lsp.get_clients({ name = "codeqa" })) do
    c:stop(true)
  end
  io.stdout:write("CODEQA_GHOST " .. vim.json.encode(output) .. "\n")
  io.stdout:flush()
  vim.cmd("qa!")
end

local function resume()
  local ok, err = coroutine.resume(co)
  if not ok then
    finish(debug.traceback(co, tostring(err)))
  end
end

local function wait_until(pred, ms)
  local deadline = vim.uv.now() + (ms or timeout)
  while not pred() do
    if vim.uv.now() > deadline then
      return false
    end
    vim.defer_fn(resume, 10)
    coroutine.yield()
  end
  return true
end

local function feed(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), "m", false)
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
end

local function run()
  local cmd = vim.json.decode((assert(os.getenv("CODEQA_CMD"), "CODEQA_CMD is not set")))
  local cases = vim.json.decode((assert(os.getenv("CODEQA_CASES"), "CODEQA_CASES is not set")))
  local inline = require("codeqa.inline")
  assert(require("codeqa").setup({ cmd = cmd, diagnostics = false, inline_delay_ms = 50 }), "setup failed")

  local file = vim.fn.tempname() .. ".py"
  vim.fn.writefile(cases[1].lines, file)
  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client
  assert(
    wait_until(function()
      client = vim.lsp.get_clients({ bufnr = buf, name = "codeqa" })[1]
      local status = client and require("codeqa.status").get(client.id)
      return status ~= nil and (status.state == "ready" or status.state == "error")
    end),
    "the codeqa client did not attach and load its model"
  )
  assert(client.server_capabilities.inlineCompletionProvider, "the server does not offer inline completion")

  for _, case in ipairs(cases) do
    local result = {}
    table.insert(output.results, result)
    client.settings.codeqa.inline.manualOnly = case.manual
    client:notify("workspace/didChangeConfiguration", { settings = client.settings })
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, case.lines)
    vim.api.nvim_win_set_cursor(0, { case.line + 1, 0 })
    feed("o")
    assert(wait_until(function()
      return vim.api.nvim_get_mode().mode == "i"
    end, 5000), "not in Insert mode after o")
    if case.manual then
      local answered, answer = false, nil
      inline.request(buf, inline.trigger_kind.automatic, function(r)
        answered, answer = true, r
      end)
      assert(wait_until(function()
        return answered
      end), "no answer to the automatic request")
      result.automatic_answer = answer or vim.NIL
      result.ghost_after_automatic = inline.get(buf) ~= nil
      feed("<M-\\>")
    end
    if wait_until(function()
      return inline.get(buf) ~= nil
    end) then
      local marks = vim.api.nvim_buf_get_extmarks(buf, inline.namespace, 0, -1, { details = true })
      local details = marks[1] and marks[1][4] or {}
      local ghost = { details.virt_text and details.virt_text[1][1] or "" }
      for _, virt in ipairs(details.virt_lines or {}) do
        table.insert(ghost, virt[1][1])
      end
      result.ghost = ghost
      local before = buffer_text(buf)
      feed("<Tab>")
      wait_until(function()
        return buffer_text(buf) ~= before
      end, 10000)
      if case.wants_import then -- the item's command adds it through workspace/applyEdit
        wait_until(function()
          return vim.api.nvim_buf_get_lines(buf, 0, -1, false)[2] == case.wants_import
        end, 20000)
      end
    else
      result.error = "no ghost text"
    end
    feed("<Esc>")
    wait_until(function()
      return vim.api.nvim_get_mode().mode == "n"
    end, 5000)
    result.text = buffer_text(buf)
  end
  finish(nil)
end

co = coroutine.create(run)
vim.schedule(resume)
