"""Under an intent that says append, a file opened to write is opened to append
(model/open_modes.py)."""

from __future__ import annotations

import pytest
from codeqa_model.open_modes import append_modes


@pytest.mark.parametrize(
    ("intent", "code", "fixed"),
    [
        (
            "append string `line` to file 'log.txt'",
            "open('log.txt', 'w').write(line + '\\n')",
            "open('log.txt', 'a').write(line + '\\n')",
        ),
        (
            "append bytes `b` to file `p`",
            "with open(p, mode='wb') as f:\n    f.write(b)",
            "with open(p, mode='ab') as f:\n    f.write(b)",
        ),
        (
            "add `row` at the end of file `p`",
            "open(p, 'w+').write(row)",
            "open(p, 'a+').write(row)",
        ),
    ],
)
def test_a_write_mode_becomes_append(intent: str, code: str, fixed: str) -> None:
    assert append_modes(intent, code, ()) == (fixed, ())


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("write string `s` to file `p`", "open(p, 'w').write(s)"),  # no append said
        ("append `s` to a new file `p`", "open(p, 'w').write(s)"),  # a new file: write it
        ("append `s` to file `p`", "open(p, mode).write(s)"),  # no literal mode
        ("append `s` to file `p`", "open(p, 'r').read()"),  # left to the check
    ],
)
def test_other_opens_are_left_alone(intent: str, code: str) -> None:
    assert append_modes(intent, code, ()) == (code, ())


def test_the_value_span_stays_on_the_value() -> None:
    code = "open(p, 'w').write(s)"
    spans = ((5, 6), (19, 20))
    fixed, moved = append_modes("append `s` to file `p`", code, spans)
    assert [fixed[a:b] for a, b in moved] == ["p", "s"]
