"""`codeqa-lsp suggest` and `check` as subprocesses with the shipped bundle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsp_helpers import requires_bundle

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


# Pairs whose verdict is not in doubt (see test_lsp_features.py): blocks 1 and 3 do what their
# intent says, blocks 2 and 4 have nothing to do with theirs.
MATCHING = (
    "# intent: copy file `src` to `dst`\n"
    "shutil.copy(src, dst)\n"
    "\n"
    "# intent: get the maximum value in list `values`\n"
    "max(values)\n"
)
MISMATCHING = (
    "# intent: sort list `xs` in reverse order\n"
    "random.random()\n"
    "\n"
    "# intent: sum the elements of list `values`\n"
    "os.remove('a.txt')\n"
)


def test_check_flags_exactly_the_mismatches_at_the_default_threshold(tmp_path: Path) -> None:
    clear = tmp_path / "clear.py"
    clear.write_text(f"import random\nimport shutil\n\n{MATCHING}\n{MISMATCHING}", encoding="utf-8")
    done = _run("check", str(clear), "--format", "json")
    assert done.returncode == 1, done.stderr  # a mismatch was found
    records = json.loads(done.stdout)
    keys = {"path", "line", "intent", "code", "score", "mismatch", "suggestion", "reason"}
    assert set(records[0]) == keys and records[0]["reason"] is None  # a match: no reason
    assert [(r["line"], r["mismatch"]) for r in records] == [
        (4, False),
        (7, False),
        (10, True),
        (13, True),
    ]
    assert all(r["path"] == str(clear) for r in records)
    assert all(r["suggestion"] for r in records if r["mismatch"])  # a fix for each mismatch

    text = _run("check", str(clear))
    assert text.returncode == 1
    flagged = [line for line in text.stdout.splitlines() if "code may not match" in line]
    assert [line.split(": code may not match")[0] for line in flagged] == [
        f"{clear}:10:1",
        f"{clear}:13:1",
    ]

    good = tmp_path / "good.py"
    good.write_text(f"import shutil\n\n{MATCHING}", encoding="utf-8")
    passed = _run("check", str(good), "--format", "json")
    assert passed.returncode == 0, passed.stderr
    assert [r["mismatch"] for r in json.loads(passed.stdout)] == [False, False]

    # --threshold overrides the bundle's: at 0 no score is below it
    lenient = _run("check", str(clear), "--threshold", "0", "--format", "json")
    assert lenient.returncode == 0, lenient.stderr
    assert [r["mismatch"] for r in json.loads(lenient.stdout)] == [False] * 4

    latin1 = tmp_path / "latin1.py"
    latin1.write_bytes("# intent: grüße\nx = 1\n".encode("latin-1"))
    mixed = _run("check", str(latin1), str(good), "--format", "json")
    assert mixed.returncode == 2
    assert f"{latin1}:1: not UTF-8" in mixed.stderr
    assert len(json.loads(mixed.stdout)) == 2  # the good file was still checked


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
