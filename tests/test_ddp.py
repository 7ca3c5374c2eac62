"""`codeqa-train fit-generator` under torchrun: 2 CPU processes (gloo) on a tiny model.

Uses the CoNaLa fixture rows in tests/fixtures/models/ (see its ATTRIBUTION.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from codeqa_model.generator import Generator
from codeqa_model.subword import load_tokenizer
from codeqa_train.loop import CHECKPOINT, METRICS, load_checkpoint
from safetensors.torch import load_file

torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "fixtures" / "models" / "data"


def test_two_process_ddp_run_trains_checkpoints_and_exports(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "train",
        "fit-generator",
        "--data",
        str(DATA),
        "--run-dir",
        str(run_dir),
        "--epochs",
        "2",
        "--max-train",
        "24",
        "--src-vocab",
        "200",
        "--tgt-vocab",
        "300",
        "--emb-dim",
        "16",
        "--out-dim",
        "16",
        "--hidden",
        "32",
        "--valid-source",
        "",
        "--select-by",
        "valid_loss",
        "--threads",
        "1",
        "--no-progress",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # Both ranks ran, each on its half of the (conala x2 oversampled) 48 examples.
    assert "rank 0/2: 24 examples per epoch" in done.stderr
    assert "rank 1/2: 24 examples per epoch" in done.stderr
    assert "1 threads x 2 processes" in done.stderr

    ckpt = load_checkpoint(run_dir / CHECKPOINT)
    assert ckpt["epoch"] == 2
    assert len(ckpt["rng"]) == 2  # one RNG state per rank, for an exact resume
    lines = [json.loads(x) for x in (run_dir / METRICS).read_text().splitlines()]
    assert [r["epoch"] for r in lines] == [1, 2]

    final = run_dir / "final"
    config = json.loads((final / "config.json").read_text())
    gen = Generator.from_parts(
        config,
        load_file(str(final / "weights.safetensors")),
        load_tokenizer(final / "intent_tokenizer.json"),
        load_tokenizer(final / "code_tokenizer.json"),
    )
    # The exported weights are the checkpoint's (DDP keeps replicas identical; rank 0 saved).
    best = load_checkpoint(run_dir / "best.pt")["model"]
    for name, tensor in gen.parts()[1].items():
        assert torch.equal(tensor, best[name]), name
    assert isinstance(gen.generate("sort list `x`", k=2), list)
