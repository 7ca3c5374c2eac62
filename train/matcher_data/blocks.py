"""Hand-written validation blocks as matcher rows: what `codeqa-lsp check` would score.

A blocks folder holds `right_blocks.py` (code that does what its `# intent:` says) and
`wrong_blocks.py` (the same intents, code that does something else), read with the editor's
intent grammar (`codeqa_lsp.intents`), never imported or run; a `.jsonl` file holds
`{"intent", "code", "label"}` rows. Rows come out as matcher-data rows of source `blocks`, kind
`positive` or `block`, grouped by intent (`qid`) so a fold keeps an intent's right and wrong
block together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BLOCK_FILES = (("right_blocks.py", 1), ("wrong_blocks.py", 0))
SOURCE = "blocks"


def _row(intent: str, code: str, label: int) -> dict[str, Any]:
    return {
        "intent": intent,
        "snippet": code,
        "label": label,
        "kind": "positive" if label == 1 else "block",
        "source": SOURCE,
        "qid": f"block:{intent}",
    }


def read_blocks(path: Path) -> list[dict[str, Any]]:
    """The blocks of a folder (`BLOCK_FILES`) or a `.jsonl` file as matcher rows; ValueError
    when the folder lacks one of the files or a file has no block."""
    from codeqa_lsp.intents import parse_intents, split_lines

    if path.is_file():
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        return [_row(r["intent"], r["code"], int(r["label"])) for r in rows]
    out: list[dict[str, Any]] = []
    for name, label in BLOCK_FILES:
        file = path / name
        if not file.is_file():
            raise ValueError(f"{path}: no {name}")
        text = file.read_text(encoding="utf-8")
        found = [b for b in parse_intents(split_lines(text)) if b.has_code]
        if not found:
            raise ValueError(f"{file}: no intent block with code")
        out += [_row(b.intent, b.code, label) for b in found]
    return out
