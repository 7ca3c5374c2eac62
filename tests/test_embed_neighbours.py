"""Nearest-neighbour sanity table: cosine order, self excluded, readable cells."""

from __future__ import annotations

import numpy as np
from codeqa_train.embed.neighbours import format_table, nearest


def test_nearest_orders_by_cosine_and_skips_the_token_itself() -> None:
    vocab = ["open", "with", "close", "json", "append"]
    vectors = np.array(
        [[1.0, 0.0], [0.9, 0.1], [0.5, 0.5], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32
    )
    got = nearest(vocab, vectors, "open", k=3)
    assert [t for t, _ in got] == ["with", "close", "json"]
    assert got[0][1] == round(0.9 / np.hypot(0.9, 0.1), 4)
    assert nearest(vocab, vectors, "missing") is None
    assert len(nearest(vocab, vectors, "open", k=10)) == 4  # capped at the other tokens


def test_format_table_keeps_one_line_per_probe() -> None:
    table = {
        "glove-dev": {
            "open": [('"""doc\n    more text that goes on and on"""', 0.5), ("with", 0.25)],
            "(": None,
        }
    }
    lines = format_table(table).splitlines()
    assert len(lines) == 2
    assert "with (0.25)" in lines[0] and "\\n" in lines[0] and "…" in lines[0]
    assert lines[1].endswith("(not in vocabulary)")
