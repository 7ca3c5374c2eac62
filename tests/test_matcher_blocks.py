"""train/matcher_data/blocks.py and fit-combiner's block and feature options: hand-written
validation blocks read as `codeqa-lsp check` reads them (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeqa_train.fit_combiner import feature_names
from codeqa_train.matcher_data.blocks import read_blocks

VALID_BLOCKS = Path(__file__).parent / "fixtures" / "mismatch-valid"
TEST_FIXTURE = Path(__file__).parent / "fixtures" / "mismatch"


def test_the_validation_blocks_pair_right_and_wrong_code_for_the_same_intents() -> None:
    rows = read_blocks(VALID_BLOCKS)
    right = [r for r in rows if r["label"] == 1]
    wrong = [r for r in rows if r["label"] == 0]
    assert len(right) >= 40 and len(wrong) >= 40
    assert [r["intent"] for r in right] == [r["intent"] for r in wrong]
    assert {r["source"] for r in rows} == {"blocks"}
    assert {r["kind"] for r in wrong} == {"block"} and {r["kind"] for r in right} == {"positive"}
    assert all(r["qid"] == f"block:{r['intent']}" for r in rows)
    # the code under a function's intent comes dedented, its trailing return kept
    timed = next(r for r in right if r["intent"].startswith("measure how long"))
    assert timed["snippet"].startswith("start = ") and timed["snippet"].endswith("return elapsed")


def test_validation_intents_are_not_the_test_fixture_intents() -> None:
    fixture = {r["intent"] for r in read_blocks(TEST_FIXTURE)}
    assert fixture and not fixture & {r["intent"] for r in read_blocks(VALID_BLOCKS)}


def test_a_jsonl_file_and_a_folder_without_its_files(tmp_path: Path) -> None:
    path = tmp_path / "blocks.jsonl"
    path.write_text(json.dumps({"intent": "sleep 5 seconds", "code": "time.sleep(5)", "label": 1}))
    assert read_blocks(path)[0]["snippet"] == "time.sleep(5)"
    (tmp_path / "right_blocks.py").write_text("# intent: sleep\ntime.sleep(1)\n")
    with pytest.raises(ValueError, match=r"wrong_blocks\.py"):
        read_blocks(tmp_path)
    (tmp_path / "wrong_blocks.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="no intent block"):
        read_blocks(tmp_path)


def test_feature_names_keep_the_retriever_features_for_a_retriever() -> None:
    assert "prior_gap" in feature_names("all", retriever=True)
    assert "prior_gap" not in feature_names("all", retriever=False)
    assert feature_names("fit, values_missing", retriever=False) == ["fit", "values_missing"]
    with pytest.raises(SystemExit, match="unknown"):
        feature_names("fit,nope", retriever=False)
    with pytest.raises(SystemExit, match="--retriever"):
        feature_names("prior_gap", retriever=False)
