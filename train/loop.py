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


@dataclass
class _Progress:
    """Where a run stands between epochs; what `checkpoint.pt` stores besides the weights."""

    best: float
    best_epoch: int = 0
    bad_epochs: int = 0
    next_epoch: int = 1
    history: list[dict[str, Any]] = field(default_factory=list)


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
    state = _Progress(best=math.inf if mode == "min" else -math.inf)
    if resume:
        state = _resume(run_dir / CHECKPOINT, model, optimizer, info, cfg)
    net = nn.parallel.DistributedDataParallel(model) if info.distributed else model

    stopped_early = False
    for epoch in range(state.next_epoch, cfg.epochs + 1):
        model.train()
        batches = epoch_batches(len(examples), cfg, epoch, info, length)
        seen, seconds, loss_sum = _train_epoch(
            net, params, optimizer, examples, batches, collate, loss_fn, cfg, epoch, info
        )
        train_loss = _mean_across_ranks(loss_sum, seen, info)
        record: dict[str, Any] = {}
        if info.is_main:
            record = _validated_record(model, validate, monitor, epoch, train_loss, seen, seconds)
            record["examples_per_s"] = round(seen * info.world_size / max(seconds, 1e-9), 1)
        record = _broadcast(record, info)
        state.history.append(record)
        _update_best(state, record, epoch, monitor, mode, cfg.min_delta, model, run_dir, info)
        _save_checkpoint(run_dir, model, optimizer, state, epoch, monitor, info)
        if info.distributed:
            dist.barrier()
        if on_epoch_end is not None:
            on_epoch_end(epoch, record)
        if state.bad_epochs >= cfg.patience:
            stopped_early = True
            break

    if state.best_epoch and (run_dir / BEST).is_file():
        if info.distributed:
            dist.barrier()
        model.load_state_dict(load_checkpoint(run_dir / BEST)["model"])
    return FitResult(
        best_epoch=state.best_epoch,
        best_metric=state.best,
        epochs_run=len(state.history),
        history=state.history,
        stopped_early=stopped_early,
    )


def _resume(
    path: Path, model: nn.Module, optimizer: torch.optim.Optimizer, info: DistInfo, cfg: LoopConfig
) -> _Progress:
    """Load model, optimiser and this rank's RNG from a checkpoint; where to continue from."""
    ckpt = load_checkpoint(path)
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    rng_states = ckpt["rng"]
    torch.set_rng_state(rng_states[info.rank % len(rng_states)])
    state = _Progress(
        best=float(ckpt["best"]),
        best_epoch=int(ckpt["best_epoch"]),
        bad_epochs=int(ckpt["bad_epochs"]),
        next_epoch=int(ckpt["epoch"]) + 1,
        history=json.loads(ckpt["history"]),
    )
    if state.bad_epochs >= cfg.patience:
        state.next_epoch = cfg.epochs + 1  # it had already stopped early
    return state


def _train_epoch(
    net: nn.Module,
    params: list[nn.Parameter],
    optimizer: torch.optim.Optimizer,
    examples: Sequence[Any],
    batches: Sequence[list[int]],
    collate: Callable[[list[Any]], Any],
    loss_fn: Callable[[nn.Module, Any], Tensor],
    cfg: LoopConfig,
    epoch: int,
    info: DistInfo,
) -> tuple[int, float, float]:
    """One pass over this rank's batches: (examples seen, seconds, summed loss)."""
    it, bar = _progress(batches, cfg.progress and info.is_main, epoch)
    started = time.perf_counter()
    total_loss, total_n = 0.0, 0
    for step, idx in enumerate(it, 1):
        loss = loss_fn(net, collate([examples[i] for i in idx]))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite loss {loss.item()} at epoch {epoch} step {step}")
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
    return total_n, time.perf_counter() - started, total_loss


def _validated_record(
    model: nn.Module,
    validate: Callable[[nn.Module], dict[str, float]],
    monitor: str,
    epoch: int,
    train_loss: float,
    seen: int,
    seconds: float,
) -> dict[str, Any]:
    """The epoch's metrics.jsonl record (rank 0): train loss, validation metrics, time."""
    model.eval()
    with torch.no_grad():
        metrics = validate(model)
    if monitor not in metrics:
        raise KeyError(f"validate() returned {sorted(metrics)}, missing {monitor!r}")
    return {
        "epoch": epoch,
        "train_loss": train_loss,
        **{k: float(v) for k, v in metrics.items()},
        "seconds": round(seconds, 3),
    }


def _update_best(
    state: _Progress,
    record: dict[str, Any],
    epoch: int,
    monitor: str,
    mode: str,
    min_delta: float,
    model: nn.Module,
    run_dir: Path,
    info: DistInfo,
) -> None:
    """Count a bad epoch, or keep this one as the best (rank 0 saves its weights)."""
    value = float(record[monitor])
    if not _improved(value, state.best, mode, min_delta):
        state.bad_epochs += 1
        return
    state.best, state.best_epoch, state.bad_epochs = value, epoch, 0
    if info.is_main:
        atomic_torch_save({"model": model.state_dict(), "epoch": epoch}, run_dir / BEST)


def _save_checkpoint(
    run_dir: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    state: _Progress,
    epoch: int,
    monitor: str,
    info: DistInfo,
) -> None:
    """Rank 0 writes metrics.jsonl and checkpoint.pt; every rank contributes its RNG state."""
    rng = _gather_rng(info)
    if not info.is_main:
        return
    history = state.history
    atomic_write_text(run_dir / METRICS, "".join(json.dumps(r) + "\n" for r in history))
    atomic_torch_save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
            "best": state.best,
            "best_epoch": state.best_epoch,
            "bad_epochs": state.bad_epochs,
            "history": json.dumps(history),
            "rng": rng,
        },
        run_dir / CHECKPOINT,
    )
    print(_summary(history[-1], monitor, state.best_epoch), file=sys.stderr, flush=True)


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
