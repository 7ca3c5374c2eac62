-- Accepts completion items the way a user does, in a real headless Neovim; run by tests/test_nvim.py:
--   nvim --headless --clean -c "luafile editors/nvim/tests/accept.lua"
-- (not `-l`: insert-mode completion needs Neovim's main loop, so the steps run in a coroutine
-- resumed by timers while the loop handles the typed keys.)
-- Environment: CODEQA_CMD (JSON list: the server command), CODEQA_CASES (JSON list of
-- { lines = {...}, line = 0-based, col = 0-based byte column, item = 0-based index,
--   route = "lsp" | "omni" }), optional CODEQA_TIMEOUT_MS.
-- route "lsp": the plugin's default, `vim.lsp.completion` enabled for the codeqa client (snippets
-- expand through vim.snippet); route "omni": plain omnifunc (vim.lsp.completion disabled).
-- Each case: the buffer gets `lines`, the cursor goes to (line, col), insert mode starts there
-- (`A` at the end of the line, else `i`), then <C-x><C-o>, <C-n> to the item, <C-y>, <Esc>.
-- Prints one line `CODEQA_ACCEPT <json>`: { ok, results = { { text, labels, error? } }, error? }.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
vim.opt.runtimepath:prepend(vim.fs.dirname(here))
vim.cmd("filetype on")
vim.o.completeopt = "menu,menuone,noselect"
vim.o.shortmess = vim.o.shortmess .. "c"

local timeout = tonumber(os.getenv("CODEQA_TIMEOUT_MS") or "") or 120000
local output = { results = {} }
local co

local function finish(err)
  output.ok = err == nil
  output.error = err
  for _, c in ipairs(vim.lsp.get_clients({ name = "codeqa" })) do
    c:stop(true)
  end
  io.stdout:write("CODEQA_ACCEPT " .. vim.json.encode(output) .. "\n")
  io.stdout:flush()
  vim.cmd("qa!")
end

local function resume()
  local ok, err = coroutine.resume(co)
  if not ok then
    finish(debug.traceback(co, tostring(err)))
  end
end

--- Inside the coroutine: let the main loop run until `pred()` holds; false on time-out.
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
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), "n", false)
end

local function run()
  local cmd = vim.json.decode((assert(os.getenv("CODEQA_CMD"), "CODEQA_CMD is not set")))
  local cases = vim.json.decode((assert(os.getenv("CODEQA_CASES"), "CODEQA_CASES is not set")))
  assert(require("codeqa").setup({ cmd = cmd, diagnostics = false }), "setup failed")

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
  local status = require("codeqa.status").get(client.id)
  assert(status.state == "ready", "model: " .. status.message)

  for _, case in ipairs(cases) do
    local result = {}
    table.insert(output.results, result)
    if case.route == "lsp" then -- the plugin's default (lsp_completion = true)
      require("codeqa.complete").attach(client, buf, { lsp_completion = true })
    else -- plain omnifunc: neither vim.lsp.completion nor the plugin's fix-up
      vim.lsp.completion.enable(false, client.id, buf)
      pcall(vim.api.nvim_del_augroup_by_name, "codeqa_complete_" .. buf)
    end
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, case.lines)
    local line = case.lines[case.line + 1]
    -- `i` inserts before the cursor's character; only `A` reaches the end of a line.
    vim.api.nvim_win_set_cursor(0, { case.line + 1, case.col })
    feed((case.col == #line and "A" or "i") .. "<C-x><C-o>")
    if not wait_until(function()
      return vim.fn.pumvisible() == 1
    end) then
      result.error = "no completion menu"
      feed("<Esc>")
    else
      local items = vim.fn.complete_info({ "items" }).items
      result.labels = vim.tbl_map(function(i)
        return i.abbr
      end, items)
      local tick = vim.api.nvim_buf_get_changedtick(buf)
      feed(string.rep("<C-n>", case.item + 1) .. "<C-y>")
      wait_until(function()
        return vim.fn.pumvisible() == 0 and vim.api.nvim_buf_get_changedtick(buf) ~= tick
      end, 10000)
      -- vim.snippet leaves the first tab stop selected; end the session, back to Normal mode.
      wait_until(function()
        return vim.fn.mode() ~= "ic" and vim.fn.mode() ~= "ix"
      end, 5000)
      if vim.snippet.active() then
        vim.snippet.stop()
      end
      feed("<Esc>")
    end
    wait_until(function()
      return vim.api.nvim_get_mode().mode == "n"
    end, 5000)
    result.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
  end
  finish(nil)
end

co = coroutine.create(run)
vim.schedule(resume)
