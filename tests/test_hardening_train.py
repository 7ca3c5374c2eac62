"""A `codeqa-train fit-generator` run killed with SIGKILL mid-epoch resumes to the same result.

A real subprocess trains a tiny generator on the fixture rows; it is killed in the middle of
epoch 2, after the first epoch's checkpoint is on disk. Where the kill lands is fixed, not
timed: the subprocess runs the ordinary `codeqa-train fit-generator` through a small driver
(`_HELD`) that hands epoch 2's batches to the loop one at a time and, once the first of them
has been trained on, writes a marker file and holds the process there; the test kills it when
the marker appears. `--resume` must then finish with the same per-epoch validation losses and
the same best metric as an uninterrupted run with the same seed, and no write may be left
half done (checkpoints load, no temp files remain).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from codeqa_train.loop import load_checkpoint

torch.set_num_threads(1)

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "fixtures" / "inference" / "data"
ARGS = [
    "--data", str(DATA),
    "--emb-dim", "16", "--hidden", "32", "--out-dim", "16",
    "--src-vocab", "400", "--tgt-vocab", "400",
    "--max-src-len", "24", "--max-tgt-len", "24", "--beam-size", "2",
    "--epochs", "3", "--batch-size", "4", "--threads", "1", "--no-progress",
    "--select-by", "valid_loss",
    "--seed", "3", "--patience", "10",
]  # fmt: skip


# The driver: `codeqa-train` itself, except that epoch 2's batch list, once its first batch
# has been trained on, writes MARKER and blocks until the process is killed.
_HELD = """
import sys, threading
from pathlib import Path
from codeqa_train import loop
from codeqa_train.cli import main

marker, argv = Path(sys.argv[1]), sys.argv[2:]
real_batches = loop.epoch_batches

class HeldAfterFirstBatch(list):
    def __iter__(self):
        batches = super().__iter__()
        yield next(batches)
        marker.write_text("epoch 2: one batch trained on")  # the loop asked for batch 2
        threading.Event().wait()  # held here until killed

def batches(n_examples, cfg, epoch, info, length=None):
    found = real_batches(n_examples, cfg, epoch, info, length)
    return HeldAfterFirstBatch(found) if epoch == 2 else found

loop.epoch_batches = batches
sys.exit(main(argv))
"""


def _args(run_dir: Path, *extra: str) -> list[str]:
    return ["fit-generator", *ARGS, "--run-dir", str(run_dir), *extra]


def _command(run_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "codeqa_train", *_args(run_dir, *extra)]


def _history(run_dir: Path) -> list[dict]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _kill_in_second_epoch(run_dir: Path, timeout: float = 600.0) -> None:
    """Run until epoch 2 has trained on one batch (the driver then holds), then SIGKILL."""
    marker = run_dir.parent / f"{run_dir.name}.held"
    proc = subprocess.Popen(
        [sys.executable, "-c", _HELD, str(marker), *_args(run_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout  # bounds a failure only
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(
                    f"training ended before epoch 2 was held:\n{proc.stderr.read()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError("epoch 2 was not reached in time")
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_sigkill_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    killed = tmp_path / "killed"
    _kill_in_second_epoch(killed)
    assert len(_history(killed)) == 1, "the kill lands in epoch 2, before its checkpoint"
    assert not (killed / "final").exists()
    assert int(load_checkpoint(killed / "checkpoint.pt")["epoch"]) == 1  # intact after the kill

    resumed = subprocess.run(_command(killed, "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    # Same tokenizers for the reference run: training them twice gives different vocabularies
    # (the sub-word trainer is not deterministic), which would compare two different models.
    straight = tmp_path / "straight"
    reference = _command(straight, "--tokenizers", str(killed))
    plain = subprocess.run(reference, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr

    got, want = _history(killed), _history(straight)
    assert [r["epoch"] for r in got] == [r["epoch"] for r in want] == [1, 2, 3]
    for a, b in zip(got, want, strict=True):
        assert a["valid_loss"] == pytest.approx(b["valid_loss"], rel=1e-4)
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-4)
    summary_a = json.loads((killed / "final" / "summary.json").read_text())
    summary_b = json.loads((straight / "final" / "summary.json").read_text())
    assert summary_a["best_epoch"] == summary_b["best_epoch"]
    assert summary_a["best"]["valid_loss"] == pytest.approx(
        summary_b["best"]["valid_loss"], rel=1e-4
    )
    leftovers = [p.name for p in killed.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [], leftovers
