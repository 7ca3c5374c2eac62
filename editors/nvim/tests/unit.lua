-- Unit tests of the plugin's own logic (no server): run by tests/test_nvim.py as
--   nvim --headless --clean -l editors/nvim/tests/unit.lua
-- Prints `CODEQA_UNIT <json>` ({passed, failed: [{name, error}]}) and exits 1 on any failure.
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
vim.opt.runtimepath:prepend(vim.fs.dirname(here))

local config = require("codeqa.config")
local score = require("codeqa.score")
local status = require("codeqa.status")

local passed, failed = 0, {}
local function test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    passed = passed + 1
  else
    table.insert(failed, { name = name, error = tostring(err) })
  end
end
local function eq(actual, expected)
  if not vim.deep_equal(actual, expected) then
    error(("expected %s, got %s"):format(vim.inspect(expected), vim.inspect(actual)), 2)
  end
end
local function raises(fn, pattern)
  local ok, err = pcall(fn)
  if ok then
    error("expected an error matching " .. pattern, 2)
  end
  if not tostring(err):find(pattern) then
    error(("error %q does not match %q"):format(tostring(err), pattern), 2)
  end
end

test("defaults map onto the server's keys", function()
  eq(config.server_settings(config.normalize({})), {
    completion = { enable = true },
    diagnostics = { enable = true },
    suggestions = 5,
    debounceMs = 200,
    inline = { enable = true, delayMs = 200, manualOnly = false },
  })
end)

test("every option maps one to one", function()
  local opts = config.normalize({
    completion = false,
    diagnostics = false,
    suggestions = 3,
    threshold = 0.25,
    debounce_ms = 0,
    model_path = "/models/mine/",
    inline = false,
    inline_delay_ms = 50,
    inline_manual_only = true,
  })
  eq(config.server_settings(opts), {
    completion = { enable = false },
    diagnostics = { enable = false },
    suggestions = 3,
    threshold = 0.25,
    debounceMs = 0,
    modelPath = "/models/mine",
    inline = { enable = false, delayMs = 50, manualOnly = true },
  })
end)

test("bad options are rejected together, by name", function()
  raises(function()
    config.normalize({ suggestions = 0, threshold = 2, debounce_ms = 1.5, completion = "yes" })
  end, "codeqa.setup: completion must be true or false, got \"yes\"; debounce_ms must be an integer")
  raises(function()
    config.normalize({ treshold = 0.5 })
  end, 'unknown option "treshold"')
  raises(function()
    config.normalize({ cmd = {} })
  end, "cmd must be a non%-empty list of strings")
  raises(function()
    config.normalize({ inline_delay_ms = -1, inline_accept_key = "", inline_trigger_key = true })
  end, "inline_accept_key must be a key.*inline_delay_ms must be an integer.*inline_trigger_key must be")
  eq(config.normalize({ inline_trigger_key = false }).inline_trigger_key, false)
end)

test("cmd: explicit, then virtualenv, then PATH, else a fix", function()
  eq(config.resolve_cmd({ cmd = { "/x/codeqa-lsp", "--stdio" } }), { "/x/codeqa-lsp", "--stdio" })
  local venv = vim.fn.tempname()
  vim.fn.mkdir(venv .. "/bin", "p")
  local exe = venv .. "/bin/codeqa-lsp"
  vim.fn.writefile({ "#!/bin/sh" }, exe)
  vim.fn.setfperm(exe, "rwxr-xr-x")
  eq(config.resolve_cmd({}, { VIRTUAL_ENV = venv }), { exe, "--stdio" })
  local saved = vim.env.PATH
  vim.env.PATH = venv .. "/bin"
  eq(config.resolve_cmd({}, {}), { "codeqa-lsp", "--stdio" })
  vim.env.PATH = "/nonexistent"
  local cmd, problem = config.resolve_cmd({}, { VIRTUAL_ENV = "/no/env" })
  vim.env.PATH = saved
  eq(cmd, nil)
  assert(problem:find("tried /no/env/bin/codeqa%-lsp, codeqa%-lsp on PATH"), problem)
  assert(problem:find("`python %-m pip install <path to the codeqa%-lsp checkout>`", 1, false), problem)
end)

test("lsp config sends the same section as init_options and settings", function()
  local cfg = config.lsp_config(config.normalize({ suggestions = 7 }), { "srv", "--stdio" })
  eq(cfg.cmd, { "srv", "--stdio" })
  eq(cfg.filetypes, { "python" })
  eq(cfg.init_options.codeqa.suggestions, 7)
  eq(cfg.settings, cfg.init_options)
  assert(type(cfg.handlers["codeqa/modelStatus"]) == "function")
end)

test("setup registers with vim.lsp.config on 0.11+", function()
  assert(vim.fn.has("nvim-0.11") == 1, "these tests run on Neovim 0.11")
  assert(require("codeqa").setup({ cmd = { "/bin/true" }, threshold = 0.6 }))
  local cfg = vim.lsp.config["codeqa"]
  eq(cfg.cmd, { "/bin/true" })
  eq(cfg.settings.codeqa.threshold, 0.6)
  eq(vim.fn.exists(":CodeQAScore"), 2)
  eq(vim.fn.exists(":CodeQAStatus"), 2)
end)

test("lsp/codeqa.lua is found by config discovery", function()
  local file = vim.api.nvim_get_runtime_file("lsp/codeqa.lua", false)[1]
  assert(file, "lsp/codeqa.lua is not on runtimepath")
  local cfg = dofile(file)
  eq(type(cfg.cmd), "function")
  eq(cfg.filetypes, { "python" })
  eq(cfg.settings.codeqa.debounceMs, 200)
end)

test("modelStatus notifications are kept per client and announced", function()
  local seen
  vim.api.nvim_create_autocmd("User", {
    pattern = "CodeQAModelStatus",
    once = true,
    callback = function(args)
      seen = args.data
    end,
  })
  status.handlers()["codeqa/modelStatus"](nil, { state = "loading", message = "m" }, { client_id = 41 })
  eq(status.get(41), { state = "loading", message = "m" })
  eq(seen, { client_id = 41, state = "loading", message = "m" })
  status.update(41, { state = 3 }) -- malformed: ignored
  eq(status.get(41).state, "loading")
  status.clear(41)
  eq(status.get(41), nil)
end)

test("ghost text: sites, the part after the typed text, the accepted lines", function()
  local inline = require("codeqa.inline")
  eq(inline.is_site("    # intent: sort `xs`", "    "), true)
  eq(inline.is_site("# Intent : sort", ""), true)
  eq(inline.is_site("# intent:   ", ""), false) -- no text: no site
  eq(inline.is_site("x = 1  # intent: sort", ""), false) -- a trailing comment is not an intent
  eq(inline.is_site("# intent: sort", "x"), false)
  eq(inline.is_site(nil, ""), false)
  local item = {
    insertText = "    for x in xs:\n        print(x)",
    range = { start = { line = 1, character = 0 }, ["end"] = { line = 1, character = 4 } },
  }
  eq(inline.ghost_lines(item, "    ", 4), { "for x in xs:", "        print(x)" })
  eq(inline.ghost_lines(item, "", 0), { "    for x in xs:", "        print(x)" })
  eq(inline.ghost_lines(item, "\t", 1), nil) -- typed text is not a prefix: no ghost
  eq({ inline.accepted_lines(item, "    ") }, { { "    for x in xs:", "        print(x)" }, 16 })
end)

test("the accept key falls back to what it did before (a global mapping), or to itself", function()
  local inline = require("codeqa.inline")
  local called = 0
  vim.keymap.set("i", "<F7>", function()
    called = called + 1
  end)
  inline.fallback("<F7>")()
  eq(called, 1)
  vim.keymap.set("i", "<F7>", function() end, { buffer = 0 }) -- ours, say, after a restart
  inline.fallback("<F7>")()
  eq(called, 2) -- still the global one
  vim.keymap.del("i", "<F7>", { buffer = 0 })
  vim.keymap.del("i", "<F7>")
  eq(type(inline.fallback("<F8>")), "function") -- unmapped: types the key itself
end)

test("blanks after the cursor go before a snippet expands (they would become its indent)", function()
  local complete = require("codeqa.complete")
  eq(complete.trailing_blank("    "), true)
  eq(complete.trailing_blank("\t "), true)
  eq(complete.trailing_blank(""), false)
  eq(complete.trailing_blank("  x"), false)
end)

test("the score command finds the governing intent line", function()
  local lines = {
    "import os", -- 0
    "", -- 1
    "  # Intent: sort list `l`", -- 2
    "  l.sort()", -- 3
    "  print(l)", -- 4
    "", -- 5
    "x = 1", -- 6
  }
  eq(score.intent_line_for(lines, 2), 2)
  eq(score.intent_line_for(lines, 4), 2)
  eq(score.intent_line_for(lines, 5), nil)
  eq(score.intent_line_for(lines, 6), nil)
  eq(score.intent_line_for(lines, 0), nil)
  eq(score.is_intent_line("x = 1  # intent: no"), false)
end)

test("hover markdown gives score and threshold", function()
  local s, t = score.parse_hover(
    "**codeqa** — match score **0.30** (threshold 0.40): the code may not match its intent."
  )
  eq({ s, t }, { 0.3, 0.4 })
  eq({ score.parse_hover("**codeqa** — no code under this intent yet.") }, {})
end)

io.stdout:write("CODEQA_UNIT " .. vim.json.encode({ passed = passed, failed = failed }) .. "\n")
io.stdout:flush()
os.exit(#failed == 0 and 0 or 1)
