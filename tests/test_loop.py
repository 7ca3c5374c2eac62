"""The shared training loop: batching, checkpoints, resume, early stopping (tiny model, no data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from codeqa_train.loop import (
    BEST,
    CHECKPOINT,
    METRICS,
    DistInfo,
    LoopConfig,
    epoch_batches,
    fit,
    load_checkpoint,
    seed_everything,
)
from torch import nn

torch.set_num_threads(1)


def _problem(n: int = 48) -> list[tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=gen)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1
    return [(x[i], y[i]) for i in range(n)]


def _collate(items: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.stack([a for a, _ in items]), torch.stack([b for _, b in items])


def _loss(module: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    x, y = batch
    return nn.functional.mse_loss(module(x).squeeze(-1), y)


def _model(seed: int = 13) -> nn.Module:
    seed_everything(seed)  # dropout makes the RNG state part of what resume must restore
    return nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.3), nn.Linear(16, 1))


def _validator(data):
    def validate(model: nn.Module) -> dict[str, float]:
        return {"valid_loss": _loss(model, _collate(data)).item()}

    return validate


CFG = LoopConfig(epochs=3, batch_size=8, lr=1e-2, patience=5, progress=False)


def test_epoch_batches_cover_every_example_once_and_repeat_per_seed() -> None:
    first = epoch_batches(50, CFG, epoch=1, info=DistInfo())
    assert sorted(i for b in first for i in b) == list(range(50))
    assert first == epoch_batches(50, CFG, epoch=1, info=DistInfo())
    assert first != epoch_batches(50, CFG, epoch=2, info=DistInfo())


def test_epoch_batches_shard_evenly_across_ranks() -> None:
    shards = [epoch_batches(25, CFG, 1, DistInfo(rank=r, world_size=2)) for r in range(2)]
    sizes = [sum(len(b) for b in s) for s in shards]
    assert sizes == [13, 13]  # padded to equal length, as DistributedSampler does
    assert len(shards[0]) == len(shards[1])
    assert {i for s in shards for b in s for i in b} == set(range(25))


def test_bucketing_sorts_by_length_within_batches() -> None:
    lengths = [i % 7 for i in range(64)]
    cfg = LoopConfig(batch_size=8, bucket=8, progress=False)
    batches = epoch_batches(64, cfg, 1, DistInfo(), length=lengths.__getitem__)
    spreads = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches]
    assert sum(spreads) < 64  # unsorted batches of 8 would nearly all span 0..6
    assert sorted(i for b in batches for i in b) == list(range(64))


def test_fit_learns_and_writes_metrics_and_checkpoints(tmp_path: Path) -> None:
    data = _problem()
    model = _model()
    result = fit(model, data, _collate, _loss, _validator(data), tmp_path, CFG)
    lines = [json.loads(line) for line in (tmp_path / METRICS).read_text().splitlines()]
    assert [r["epoch"] for r in lines] == [1, 2, 3]
    assert lines[-1]["train_loss"] < lines[0]["train_loss"]
    assert all(r["examples_per_s"] > 0 and r["seconds"] > 0 for r in lines)
    ckpt = load_checkpoint(tmp_path / CHECKPOINT)
    assert ckpt["epoch"] == 3
    assert (tmp_path / BEST).is_file()
    assert result.best_metric == min(r["valid_loss"] for r in lines)


def test_resume_after_interrupt_matches_uninterrupted_run(tmp_path: Path) -> None:
    data = _problem()
    straight = _model()
    fit(straight, data, _collate, _loss, _validator(data), tmp_path / "a", CFG)

    def interrupt(epoch: int, _record: dict) -> None:
        if epoch == 1:
            raise KeyboardInterrupt

    first = _model()
    with pytest.raises(KeyboardInterrupt):
        fit(
            first,
            data,
            _collate,
            _loss,
            _validator(data),
            tmp_path / "b",
            CFG,
            on_epoch_end=interrupt,
        )
    assert load_checkpoint(tmp_path / "b" / CHECKPOINT)["epoch"] == 1
    resumed = _model(seed=99)  # fresh weights: everything must come from the checkpoint
    fit(resumed, data, _collate, _loss, _validator(data), tmp_path / "b", CFG, resume=True)

    for (name, a), (_, b) in zip(
        straight.state_dict().items(), resumed.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    assert (tmp_path / "a" / METRICS).read_text().count("\n") == 3
    a_lines = [json.loads(x) for x in (tmp_path / "a" / METRICS).read_text().splitlines()]
    b_lines = [json.loads(x) for x in (tmp_path / "b" / METRICS).read_text().splitlines()]
    assert [r["valid_loss"] for r in a_lines] == [r["valid_loss"] for r in b_lines]


def test_early_stopping_restores_best_weights(tmp_path: Path) -> None:
    data = _problem()
    scores = iter([3.0, 1.0, 2.0, 2.5, 0.5])

    def validate(_model: nn.Module) -> dict[str, float]:
        return {"valid_loss": next(scores)}

    model = _model()
    saved: dict[int, dict[str, torch.Tensor]] = {}

    def remember(epoch: int, _record: dict) -> None:
        saved[epoch] = {k: v.clone() for k, v in model.state_dict().items()}

    cfg = LoopConfig(epochs=5, batch_size=8, patience=2, progress=False)
    result = fit(model, data, _collate, _loss, validate, tmp_path, cfg, on_epoch_end=remember)
    assert result.stopped_early and result.epochs_run == 4 and result.best_epoch == 2
    for k, v in model.state_dict().items():
        assert torch.equal(v, saved[2][k])


def test_resume_without_checkpoint_names_the_path(tmp_path: Path) -> None:
    data = _problem()
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        fit(_model(), data, _collate, _loss, _validator(data), tmp_path, CFG, resume=True)
