"""A compact GloVe (Pennington et al., 2014): windowed co-occurrence + weighted least squares.

Why our own (checked with `pip download --no-deps`): `glove-python-binary` has no release for
this Python; `glove-python` 0.1.0 is an sdist of Cython extensions; `mittens` (2019) fits a dense
V x V matrix, too big for a code vocabulary; `bicleaner-ai-glove` (a glove-python fork) installs
and runs here, but it is one product's alpha fork whose Hogwild threads do not rerun identically.
This module follows the reference C implementation's choices: symmetric window,
each pair at distance d adds 1/d, out-of-vocabulary tokens are skipped before windowing,
f(x) = min(1, (x / x_max) ** alpha), AdaGrad with accumulators starting at 1, output W + W~.
Counting is vectorised in numpy; training runs minibatches in torch with hand-written gradients.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Cooccurrence:
    """Sparse symmetric co-occurrence matrix as parallel arrays (row, col, weighted count)."""

    rows: np.ndarray  # int64
    cols: np.ndarray  # int64
    values: np.ndarray  # float64
    size: int

    def to_dense(self) -> np.ndarray:
        """Dense V x V copy, for tests and tiny vocabularies only."""
        dense = np.zeros((self.size, self.size), dtype=np.float64)
        dense[self.rows, self.cols] = self.values
        return dense


def _sum_by_key(keys: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum `weights` over equal `keys`; returns (unique keys, sums)."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inverse, weights=weights, minlength=len(uniq))


def encode_stream(
    sequences: Iterable[Sequence[str]], index: dict[str, int], window: int
) -> np.ndarray:
    """All sequences as one id array, OOV tokens dropped, `window` separators (-1) between them.

    The separators make every pair closer than `window + 1` lie inside one sequence.
    """
    ids: list[int] = []
    gap = [-1] * window
    for seq in sequences:
        ids.extend(index[t] for t in seq if t in index)
        ids.extend(gap)
    return np.asarray(ids, dtype=np.int64)


def cooccurrence(
    sequences: Iterable[Sequence[str]], vocab: Sequence[str], window: int = 5
) -> Cooccurrence:
    """Count co-occurrences within `window` tokens, weighting a pair at distance d by 1/d.

    Symmetric: a pair (a, b) at distance d adds 1/d to both X[a, b] and X[b, a] (so a token
    next to itself adds 2/d to the diagonal, as in the reference implementation).
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    size = len(vocab)
    index = {tok: i for i, tok in enumerate(vocab)}
    stream = encode_stream(sequences, index, window)
    key_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    for d in range(1, window + 1):
        left, right = stream[:-d], stream[d:]
        ok = (left >= 0) & (right >= 0)
        left, right = left[ok], right[ok]
        weight = np.full(len(left), 1.0 / d)
        for a, b in ((left, right), (right, left)):
            keys, sums = _sum_by_key(a * size + b, weight)
            key_parts.append(keys)
            value_parts.append(sums)
    if not key_parts or sum(len(k) for k in key_parts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Cooccurrence(empty, empty.copy(), np.zeros(0), size)
    keys, values = _sum_by_key(np.concatenate(key_parts), np.concatenate(value_parts))
    return Cooccurrence(keys // size, keys % size, values, size)


@dataclass(frozen=True)
class GloveConfig:
    """Every GloVe knob, with the reference implementation's defaults where it has one."""

    dim: int = 100
    epochs: int = 15
    lr: float = 0.05
    x_max: float = 100.0
    alpha: float = 0.75
    batch_size: int = 16384
    seed: int = 13

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass
class GloveResult:
    vectors: np.ndarray  # float32 (V, dim): W + W~
    losses: list[float]  # mean weighted squared error per epoch
    seconds: float


class _GloveParams:
    """Word/context vectors and biases with their AdaGrad accumulators.

    Gradients are written out by hand (one line each for GloVe) and applied to the touched rows
    only, which is far cheaper per minibatch than autograd's sparse tensors.
    """

    def __init__(self, size: int, dim: int, generator: torch.Generator) -> None:
        def init(width: int) -> torch.Tensor:
            return (torch.rand(size, width, generator=generator) - 0.5) / dim

        self.w, self.w_ctx = init(dim), init(dim)
        self.b, self.b_ctx = init(1).squeeze(1), init(1).squeeze(1)
        # accumulators start at 1, as in the reference implementation, to temper first steps
        self.gsq_w, self.gsq_w_ctx = torch.ones(size, dim), torch.ones(size, dim)
        self.gsq_b, self.gsq_b_ctx = torch.ones(size), torch.ones(size)

    def predict(self, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
        return (self.w[i] * self.w_ctx[j]).sum(dim=1) + self.b[i] + self.b_ctx[j]

    def step(self, i: torch.Tensor, j: torch.Tensor, err: torch.Tensor, lr: float) -> None:
        """One AdaGrad step for weighted errors `err` = f(x) * (prediction - log x)."""
        grad_w = err[:, None] * self.w_ctx[j]
        grad_w_ctx = err[:, None] * self.w[i]
        _adagrad(self.w, self.gsq_w, i, grad_w, lr)
        _adagrad(self.w_ctx, self.gsq_w_ctx, j, grad_w_ctx, lr)
        _adagrad(self.b, self.gsq_b, i, err, lr)
        _adagrad(self.b_ctx, self.gsq_b_ctx, j, err, lr)


def _adagrad(
    param: torch.Tensor, gsq: torch.Tensor, index: torch.Tensor, grad: torch.Tensor, lr: float
) -> None:
    """Per-cell AdaGrad, as the reference's per-sample updates but a whole minibatch at once.

    Every cell adds its squared gradient to its row's accumulator, then steps by its own
    gradient over the accumulated root; cells sharing a row add up, as Hogwild threads would.
    """
    gsq.index_add_(0, index, grad.square())
    param.index_add_(0, index, grad / gsq[index].sqrt(), alpha=-lr)


def train_glove(
    cooc: Cooccurrence,
    config: GloveConfig,
    log: Callable[[str], None] | None = None,
) -> GloveResult:
    """Fit GloVe on `cooc`; deterministic for a given seed and thread count."""
    if len(cooc.values) == 0:
        raise ValueError("empty co-occurrence matrix: the corpus has no pair inside the window")
    start = time.perf_counter()
    gen = torch.Generator().manual_seed(config.seed)
    params = _GloveParams(cooc.size, config.dim, gen)
    rows = torch.from_numpy(cooc.rows)
    cols = torch.from_numpy(cooc.cols)
    x = torch.from_numpy(cooc.values).float()
    log_x = x.log()
    weight = (x / config.x_max).pow(config.alpha).clamp(max=1.0)
    n = len(x)
    losses: list[float] = []
    for epoch in range(config.epochs):
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for lo in range(0, n, config.batch_size):
            idx = order[lo : lo + config.batch_size]
            i, j, f = rows[idx], cols[idx], weight[idx]
            diff = params.predict(i, j) - log_x[idx]
            total += float((f * diff.square()).sum())
            params.step(i, j, f * diff, config.lr)
        mean = total / n
        if not math.isfinite(mean):
            raise FloatingPointError(f"GloVe loss diverged at epoch {epoch + 1}; lower --glove-lr")
        losses.append(mean)
        if log is not None:
            log(f"  glove epoch {epoch + 1}/{config.epochs}: loss {mean:.4f}")
    vectors = (params.w + params.w_ctx).numpy().astype(np.float32)
    return GloveResult(vectors, losses, time.perf_counter() - start)
