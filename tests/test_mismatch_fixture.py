"""End to end: the shipped bundle, through `codeqa-lsp check --format json` at its default
threshold, flags hand-written wrong blocks and leaves right ones alone (issue 11).

`tests/fixtures/mismatch/` holds the same everyday intents twice: `right_blocks.py` with code
that does what the intent says, `wrong_blocks.py` with code that clearly does something else
(multi-line, inside functions, with trailing `return`/`print` lines). The fixture is a test:
no model setting is chosen on it (the hand-written validation blocks in
`tests/fixtures/mismatch-valid/`, other intents, are for that: `fit-combiner --blocks`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "mismatch"
MIN_BLOCKS = 40
MIN_WRONG_FLAGGED = 0.80
MAX_RIGHT_FLAGGED = 0.05


def _check(path: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "codeqa_lsp.cli", "check", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 0: all match, 1: some mismatch
    return json.loads(proc.stdout)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 11's bar is not met yet: the bundle shipped on 2026-12-03 (session 19: the "
        "API table records parameter types; the combiner is session 18's) flags 26/46 wrong "
        "blocks (57%, bar 80%) and 0/46 right ones (bar 5%); ROC-AUC 0.939 (earlier bundles: "
        "26/46, 0/46, 0.939; 27/46, 0/46, 0.938; 26/46, 0/46, 0.937; 25/46, 0/46, "
        "0.937; 20/46, 0/46, 0.925; 16/46, 0/46, 0.920; 11/46, 1/46, 0.855; 10/46, 2/46, 0.841; "
        "16/46, 6/46, 0.747; 3/46, 0/46, 0.636). "
        "Strict: the marker must go once a matcher meets the bar."
    ),
)
def test_shipped_bundle_flags_wrong_blocks_and_spares_right_ones() -> None:
    right = _check(FIXTURES / "right_blocks.py")
    wrong = _check(FIXTURES / "wrong_blocks.py")
    assert len(right) >= MIN_BLOCKS and len(wrong) >= MIN_BLOCKS
    # the two files pair the same intents, in the same order
    assert [r["intent"] for r in right] == [w["intent"] for w in wrong]
    flagged_wrong = [w for w in wrong if w["mismatch"]]
    flagged_right = [r for r in right if r["mismatch"]]
    missed = [(w["line"], w["intent"], round(w["score"], 3)) for w in wrong if not w["mismatch"]]
    false_alarms = [(r["line"], r["intent"], round(r["score"], 3)) for r in flagged_right]
    assert len(flagged_wrong) >= MIN_WRONG_FLAGGED * len(wrong), f"missed: {missed}"
    assert len(flagged_right) <= MAX_RIGHT_FLAGGED * len(right), f"false alarms: {false_alarms}"
