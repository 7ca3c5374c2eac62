"""A `codeqa-train fit-generator` run killed with SIGKILL mid-epoch resumes to the same result.

A real subprocess trains a tiny generator on the fixture rows (oversampled so an epoch lasts
a second or two); it is killed once the first epoch's checkpoint is on disk and the second
epoch has started. `--resume` must then finish with the same per-epoch validation losses and
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
    "--select-by", "valid_loss", "--source-weights", "conala=20",
    "--seed", "3", "--patience", "10",
]  # fmt: skip


def _command(run_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "train",
        "fit-generator",
        *ARGS,
        "--run-dir",
        str(run_dir),
        *extra,
    ]


def _history(run_dir: Path) -> list[dict]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _kill_in_second_epoch(run_dir: Path, timeout: float = 300.0) -> None:
    proc = subprocess.Popen(
        _command(run_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while not _history(run_dir):
            if proc.poll() is not None:
                raise AssertionError(
                    f"training ended before epoch 1 finished:\n{proc.stderr.read()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError("epoch 1 did not finish in time")
            time.sleep(0.02)
        # a third of an epoch in: well inside epoch 2's batches
        time.sleep(_history(run_dir)[0]["seconds"] / 3)
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
    assert len(_history(killed)) == 1, "the kill must land in epoch 2, before its checkpoint"
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
