"""train/knowledge_mix.py: doc pairs into the generator's train split, weighted, no test intents."""

from __future__ import annotations

import json
from pathlib import Path

from codeqa_train.knowledge_mix import drop_test_intents, expand_by_weight, write_mixed


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_expand_by_weight_keeps_the_expected_count() -> None:
    rows = [{"intent": f"i{n}", "snippet": "s", "weight": 0.5} for n in range(2000)]
    expanded = expand_by_weight(rows, seed=0)
    assert 900 < len(expanded) < 1100
    assert expand_by_weight(rows, seed=0) == expanded  # deterministic
    assert len(expand_by_weight([{"intent": "a", "snippet": "b"}], seed=0)) == 1
    assert len(expand_by_weight([{"intent": "a", "snippet": "b", "weight": 3.0}], seed=1)) == 3


def test_test_intents_are_dropped_by_their_words() -> None:
    rows = [{"intent": "Sort the list `x`!"}, {"intent": "open a file"}]
    kept, dropped = drop_test_intents(rows, ["sort the list x"])
    assert [r["intent"] for r in kept] == ["open a file"] and dropped == 1


def test_write_mixed_extends_train_only(tmp_path: Path) -> None:
    gen = tmp_path / "data" / "generator"
    train = [{"intent": "copy file `a`", "snippet": "shutil.copy(a, b)", "source": "conala"}]
    test = [{"intent": "get the cwd", "snippet": "os.getcwd()", "source": "conala"}]
    _write(gen / "train.jsonl", train)
    _write(gen / "valid.jsonl", train)
    _write(gen / "test.jsonl", test)
    docs = _write(
        tmp_path / "docs.jsonl",
        [
            {"intent": "Return the current working directory.", "snippet": "os.getcwd()"},
            {"intent": "get the cwd", "snippet": "os.getcwd()"},  # a test intent: dropped
            {"intent": "  ", "snippet": "f()"},  # blank: skipped
        ],
    )
    report = write_mixed(tmp_path / "data", tmp_path / "out", [(docs, "apidocs")])
    out = [json.loads(x) for x in (tmp_path / "out/generator/train.jsonl").read_text().splitlines()]
    assert [r["source"] for r in out] == ["conala", "apidocs"]
    assert report["dropped_test_intent"] == {"apidocs": 1}
    assert (tmp_path / "out/generator/test.jsonl").read_text() == (gen / "test.jsonl").read_text()
