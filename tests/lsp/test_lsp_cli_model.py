"""`codeqa-lsp suggest` and `check` as subprocesses with the shipped bundle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsp_helpers import SAMPLE, requires_bundle

pytestmark = requires_bundle


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codeqa_lsp", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )


def test_suggest_json_batch_from_stdin() -> None:
    intents = ["sort list `xs` in reverse order", "", "read file 'a.txt' into `text`"]
    done = _run("suggest", "--file", "-", "-k", "3", "--format", "json", stdin="\n".join(intents))
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["intent"] for r in records] == [i for i in intents if i]
    for record in records:
        assert 1 <= len(record["suggestions"]) <= 3
        scores = [s["score"] for s in record["suggestions"]]
        assert all(isinstance(s["code"], str) and s["code"] for s in record["suggestions"])
        assert all(isinstance(x, float) for x in scores)


def test_suggest_text_output() -> None:
    done = _run("suggest", "copy file `src` to `dst`", "-k", "2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "# intent: copy file `src` to `dst`"
    assert lines[1].lstrip().startswith("1. ")


def test_check_json_and_exit_status(tmp_path: Path) -> None:
    done = _run("check", str(SAMPLE), "--format", "json", "--threshold", "0")
    assert done.returncode == 0, done.stderr  # nothing is below 0
    records = json.loads(done.stdout)
    assert [r["line"] for r in records] == [8, 11, 14, 17]
    assert all(r["path"] == str(SAMPLE) and not r["mismatch"] for r in records)
    assert set(records[0]) == {"path", "line", "intent", "code", "score", "mismatch", "suggestion"}

    flagged = _run("check", str(SAMPLE), "--threshold", "1")
    assert flagged.returncode == 1
    out = flagged.stdout.splitlines()
    assert any(line.startswith(f"{SAMPLE}:17:5: code may not match its intent") for line in out)

    latin1 = tmp_path / "latin1.py"
    latin1.write_bytes("# intent: grüße\nx = 1\n".encode("latin-1"))
    mixed = _run("check", str(latin1), str(SAMPLE), "--threshold", "0", "--format", "json")
    assert mixed.returncode == 2
    assert f"{latin1}:1: not UTF-8" in mixed.stderr
    assert len(json.loads(mixed.stdout)) == 4  # the good file was still checked


def test_demo_runs_check_and_suggest_on_the_example() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codeqa_lsp.demo"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "codeqa-lsp check demo.py" in out
    for line in (12, 15, 18, 21):  # the example's intents that have code
        assert f"line {line:>3}  score " in out
    assert "# intent: get modification time of file `path`" in out  # the open intent
