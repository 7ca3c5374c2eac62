"""The sanity check: cosine nearest neighbours of a few probe tokens in every variant."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PROBES: tuple[str, ...] = ("open", "json", "(", "append")

Neighbours = dict[str, dict[str, list[tuple[str, float]] | None]]


def nearest(
    vocab: Sequence[str], vectors: np.ndarray, token: str, k: int = 5
) -> list[tuple[str, float]] | None:
    """The `k` tokens with the highest cosine similarity to `token` (not itself); None if OOV."""
    try:
        row = list(vocab).index(token)
    except ValueError:
        return None
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    sims = (vectors @ vectors[row]) / (norms * norms[row])
    sims[row] = -np.inf
    k = min(k, len(vocab) - 1)
    top = np.argpartition(-sims, k - 1)[:k] if k > 0 else np.zeros(0, dtype=int)
    top = top[np.argsort(-sims[top], kind="stable")]
    return [(vocab[i], round(float(sims[i]), 4)) for i in top]


def _cell(token: str, width: int = 24) -> str:
    """A token as one short printable cell: quoted if it has spaces or line breaks, cut if long."""
    shown = token if token.isprintable() and " " not in token else repr(token)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def format_table(table: Neighbours) -> str:
    """One line per (variant, probe): `variant  probe  tok (cos)  tok (cos) ...`."""
    lines = []
    width = max((len(v) for v in table), default=7)
    for variant, probes in table.items():
        for probe, found in probes.items():
            cells = (
                "(not in vocabulary)"
                if found is None
                else "  ".join(f"{_cell(tok)} ({sim:.2f})" for tok, sim in found)
            )
            lines.append(f"{variant:<{width}}  {probe!r:<8}  {cells}")
    return "\n".join(lines)
