"""The shared training loop: seeds, threads, DDP from the torchrun environment, resumable epochs.

Used by `fit_generator` and `fit_classifier`. The caller supplies the model, the examples, a
`collate` (examples -> batch), a `loss_fn` (model, batch -> mean loss) and a `validate`
(model -> metrics dict). The loop owns everything else:

- one CPU process by default; under `torchrun` (WORLD_SIZE > 1) it joins a gloo process group,
  wraps the model in DistributedDataParallel and gives each rank its own shard of every epoch;
- epoch order is a pure function of (seed, epoch), so an interrupted run resumed from its
  checkpoint continues exactly as if it had never stopped;
- after every epoch rank 0 validates, appends a line to `metrics.jsonl`, and atomically writes
  `checkpoint.pt` (model, optimiser, RNG, history) and, on improvement, `best.pt`;
- early stopping on `monitor` with `patience` epochs; at the end the best weights are loaded.

Checkpoints are read with `torch.load(..., weights_only=True)` only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from codeqa_model.atomic import atomic_file, atomic_write_text
from codeqa_train.runs import BEST, CHECKPOINT, METRICS
from torch import Tensor, nn


@dataclass(frozen=True)
class LoopConfig:
    """Knobs of the loop itself; each has a `--flag` in `add_loop_arguments`."""

    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    patience: int = 3
    min_delta: float = 0.0
    seed: int = 13
    # 1 by default: measured 128 vs 22 examples/s (1 vs 2 threads) on the shared 2-core CPU.
    threads: int = 1  # 0: cores / ranks
    progress: bool = True
    bucket: int = 50  # sort each window of `bucket` batches by length (0: plain shuffle)


@dataclass(frozen=True)
class DistInfo:
    """This process's place in a (possibly one-process) job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


@dataclass
class FitResult:
    """What a finished (or early-stopped) run reports."""

    best_epoch: int
    best_metric: float
    epochs_run: int
    history: list[dict[str, Any]] = field(default_factory=list)
    stopped_early: bool = False


def add_loop_arguments(parser: argparse.ArgumentParser, **defaults: Any) -> None:
    """Add the loop's flags; `defaults` overrides LoopConfig defaults per command."""
    base = {**asdict(LoopConfig()), **defaults}
    g = parser.add_argument_group("training loop")
    g.add_argument("--epochs", type=int, default=base["epochs"], help="maximum epochs")
    g.add_argument("--batch-size", type=int, default=base["batch_size"], help="per process")
    g.add_argument("--lr", type=float, default=base["lr"], help="Adam learning rate")
    g.add_argument("--weight-decay", type=float, default=base["weight_decay"])
    g.add_argument("--grad-clip", type=float, default=base["grad_clip"], help="0 disables")
    g.add_argument("--patience", type=int, default=base["patience"], help="early-stop epochs")
    g.add_argument("--min-delta", type=float, default=base["min_delta"], help="least improvement")
    g.add_argument("--seed", type=int, default=base["seed"])
    g.add_argument("--threads", type=int, default=base["threads"], help="0: cores / processes")
    g.add_argument(
        "--bucket", type=int, default=base["bucket"], help="batches per length-sorted window"
    )
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")


def loop_config_from_args(args: argparse.Namespace) -> LoopConfig:
    return LoopConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=args.weight_decay,
        grad_clip=args.grad_clip,
        patience=args.patience,
        min_delta=args.min_delta,
        seed=args.seed,
        threads=args.threads,
        progress=not args.no_progress,
        bucket=args.bucket,
    )


# -- process setup -----------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch so a run is repeatable."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def setup_distributed() -> DistInfo:
    """Join the torchrun process group (gloo) when WORLD_SIZE > 1; otherwise one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    info = DistInfo(
        rank=int(os.environ.get("RANK", "0")),
        world_size=world,
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
    )
    if info.distributed and not dist.is_initialized():
        dist.init_process_group(backend="gloo")
    return info


def teardown_distributed() -> None:
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def set_threads(threads: int, info: DistInfo) -> int:
    """Intra-op threads for this process: explicit, or the machine's cores shared by the ranks."""
    n = threads if threads > 0 else max(1, (os.cpu_count() or 1) // info.world_size)
    torch.set_num_threads(n)
    return n


# -- batching ----------------------------------------------------------------------------------


def epoch_batches(
    n_examples: int,
    cfg: LoopConfig,
    epoch: int,
    info: DistInfo,
    length: Callable[[int], int] | None = None,
) -> list[list[int]]:
    """Example indices for this rank's batches in `epoch`; a pure function of (seed, epoch).

    Every rank gets the same number of batches (the shard is padded by wrapping around, as
    DistributedSampler does), so DDP's collective calls line up.
    """
    gen = torch.Generator().manual_seed(cfg.seed * 100_003 + epoch)
    order = torch.randperm(n_examples, generator=gen).tolist()
    total = math.ceil(n_examples / info.world_size) * info.world_size
    order = (order * math.ceil(total / n_examples))[:total]
    shard = order[info.rank :: info.world_size]
    if length is not None and cfg.bucket > 0:
        window = cfg.bucket * cfg.batch_size
        shard = [
            i
            for start in range(0, len(shard), window)
            for i in sorted(shard[start : start + window], key=length)
        ]
    batches = [shard[i : i + cfg.batch_size] for i in range(0, len(shard), cfg.batch_size)]
    perm = torch.randperm(len(batches), generator=gen).tolist()
    return [batches[i] for i in perm]


# -- checkpoints -------------------------------------------------------------------------------


def atomic_torch_save(obj: Any, path: Path) -> None:
    """torch.save, atomically (a killed run keeps its previous checkpoint)."""
    with atomic_file(path) as handle:
        torch.save(obj, handle)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by this loop (tensors and plain data only; no pickle code)."""
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path} (nothing to resume)")
    return torch.load(path, map_location="cpu", weights_only=True)


def _improved(value: float, best: float, mode: str, min_delta: float) -> bool:
    if math.isnan(value):
        return False
    return value < best - min_delta if mode == "min" else value > best + min_delta


# -- the loop ----------------------------------------------------------------------------------


def _progress(
    batches: Sequence[list[int]], enabled: bool, epoch: int
) -> tuple[Iterator[list[int]], Any]:
    if not enabled:
        return iter(batches), None
    from tqdm import tqdm

    bar = tqdm(batches, desc=f"epoch {epoch}", unit="batch", file=sys.stderr, leave=False)
    return iter(bar), bar


def fit(
    model: nn.Module,
    examples: Sequence[Any],
    collate: Callable[[list[Any]], Any],
    loss_fn: Callable[[nn.Module, Any], Tensor],
    validate: Callable[[nn.Module], dict[str, float]],
    run_dir: Path,
    cfg: LoopConfig,
    *,
    monitor: str = "valid_loss",
    mode: str = "min",
    resume: bool = False,
    length: Callable[[int], int] | None = None,
    info: DistInfo | None = None,
    on_epoch_end: Callable[[int, dict[str, Any]], None] | None = None,
) -> FitResult:
    """Train `model` on `examples`; see the module docstring for what is written where.

    `loss_fn(module, batch)` must call `module(...)` (the DDP wrapper under torchrun) and return
    the mean loss of the batch. `validate(model)` runs on rank 0 on the unwrapped model and must
    return a dict containing `monitor`. `length(i)` (optional) sorts examples into buckets.
    """
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    if not examples:
        raise ValueError("no training examples")
    info = info or setup_distributed()
    run_dir = Path(run_dir)
    seed_everything(cfg.seed + info.rank)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    best = math.inf if mode == "min" else -math.inf
    best_epoch, bad_epochs, start_epoch = 0, 0, 1
    history: list[dict[str, Any]] = []

    if resume:
        ckpt = load_checkpoint(run_dir / CHECKPOINT)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        start_epoch = int(ckpt["epoch"]) + 1
        best, best_epoch = float(ckpt["best"]), int(ckpt["best_epoch"])
        bad_epochs = int(ckpt["bad_epochs"])
        history = json.loads(ckpt["history"])
        rng_states = ckpt["rng"]
        torch.set_rng_state(rng_states[info.rank % len(rng_states)])
        if bad_epochs >= cfg.patience:
            start_epoch = cfg.epochs + 1  # it had already stopped early

    net: nn.Module = model
    if info.distributed:
        net = nn.parallel.DistributedDataParallel(model)

    stopped_early = False
    for epoch in range(start_epoch, cfg.epochs + 1):
        model.train()
        batches = epoch_batches(len(examples), cfg, epoch, info, length)
        it, bar = _progress(batches, cfg.progress and info.is_main, epoch)
        started = time.perf_counter()
        total_loss, total_n = 0.0, 0
        for step, idx in enumerate(it, 1):
            batch = collate([examples[i] for i in idx])
            loss = loss_fn(net, batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"non-finite loss {loss.item()} at epoch {epoch} step {step}"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                nn.utils.clip_grad_norm_(params, cfg.grad_clip)
            optimizer.step()
            total_loss += loss.item() * len(idx)
            total_n += len(idx)
            if bar is not None:
                rate = total_n * info.world_size / (time.perf_counter() - started)
                bar.set_postfix(loss=f"{total_loss / total_n:.3f}", ex_s=f"{rate:.0f}")
        if bar is not None:
            bar.close()
        seconds = time.perf_counter() - started
        train_loss = _mean_across_ranks(total_loss, total_n, info)

        record: dict[str, Any] = {}
        if info.is_main:
            model.eval()
            with torch.no_grad():
                metrics = validate(model)
            if monitor not in metrics:
                raise KeyError(f"validate() returned {sorted(metrics)}, missing {monitor!r}")
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                **{k: float(v) for k, v in metrics.items()},
                "seconds": round(seconds, 3),
                "examples_per_s": round(total_n * info.world_size / max(seconds, 1e-9), 1),
            }
        record = _broadcast(record, info)
        history.append(record)
        value = float(record[monitor])
        if _improved(value, best, mode, cfg.min_delta):
            best, best_epoch, bad_epochs = value, epoch, 0
            if info.is_main:
                atomic_torch_save({"model": model.state_dict(), "epoch": epoch}, run_dir / BEST)
        else:
            bad_epochs += 1
        if info.is_main:
            atomic_write_text(run_dir / METRICS, "".join(json.dumps(r) + "\n" for r in history))
            atomic_torch_save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "epoch": epoch,
                    "best": best,
                    "best_epoch": best_epoch,
                    "bad_epochs": bad_epochs,
                    "history": json.dumps(history),
                    "rng": _gather_rng(info),
                },
                run_dir / CHECKPOINT,
            )
            print(_summary(record, monitor, best_epoch), file=sys.stderr, flush=True)
        else:
            _gather_rng(info)
        if info.distributed:
            dist.barrier()
        if on_epoch_end is not None:
            on_epoch_end(epoch, record)
        if bad_epochs >= cfg.patience:
            stopped_early = True
            break

    if best_epoch and (run_dir / BEST).is_file():
        if info.distributed:
            dist.barrier()
        model.load_state_dict(load_checkpoint(run_dir / BEST)["model"])
    return FitResult(
        best_epoch=best_epoch,
        best_metric=best,
        epochs_run=len(history),
        history=history,
        stopped_early=stopped_early,
    )


def _summary(record: dict[str, Any], monitor: str, best_epoch: int) -> str:
    parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()]
    return " ".join(parts) + f" (best {monitor} at epoch {best_epoch})"


def _mean_across_ranks(total: float, n: int, info: DistInfo) -> float:
    if not info.distributed:
        return total / max(n, 1)
    t = torch.tensor([total, float(n)], dtype=torch.float64)
    dist.all_reduce(t)
    return float(t[0] / t[1].clamp(min=1))


def _broadcast(record: dict[str, Any], info: DistInfo) -> dict[str, Any]:
    if not info.distributed:
        return record
    box = [record]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def _gather_rng(info: DistInfo) -> list[Tensor]:
    """Every rank's torch RNG state (dropout), so a resumed run draws the same numbers."""
    state = torch.get_rng_state()
    if not info.distributed:
        return [state]
    states = [torch.empty_like(state) for _ in range(info.world_size)]
    dist.all_gather(states, state)
    return states
