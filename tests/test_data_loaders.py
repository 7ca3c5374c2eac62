"""Each source format: CoNaLa JSON, mined JSON lines, StaQC pickles, annotated StaQC, Django."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from codeqa_train.data.conala import load_conala_json, load_conala_mined
from codeqa_train.data.django import load_django
from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.staqc import load_staqc_annotated, load_staqc_iids, load_staqc_pickles

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def test_conala_uses_rewritten_intent_and_keeps_raw() -> None:
    pairs = list(load_conala_json(FIXTURES / "conala-train.json", "conala", BadInput()))
    first = pairs[0]
    assert first.id == "conala:0" and first.qid == 41067960 and first.source == "conala"
    assert first.intent.startswith("Concatenate elements of a list 'x'")
    assert first.raw_intent == "How to convert a list of multiple integers into a single integer?"
    assert first.prob is None


def test_conala_null_rewritten_intent_falls_back_to_raw(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        '[{"intent": " Raw? ", "rewritten_intent": null, "snippet": "x", "question_id": 1}]'
    )
    (pair,) = load_conala_json(path, "conala", BadInput())
    assert pair.intent == pair.raw_intent == "Raw?"


def test_curated_file_mixes_curated_and_mined_rows() -> None:
    pairs = list(load_conala_json(FIXTURES / "conala-all.json", "conala-curated", BadInput()))
    mined = [p for p in pairs if p.prob is not None]
    assert len(pairs) == 33 and len(mined) == 8
    assert all(p.intent == p.raw_intent for p in mined)
    assert any(not p.snippet for p in mined)  # the real empty-snippet row, dropped by curation


def test_mined_jsonl_format() -> None:
    pairs = list(load_conala_mined(FIXTURES / "conala-mined.jsonl", BadInput()))
    assert len(pairs) == 7
    assert pairs[0].id == "conala-mined:34705205_34705233_0"
    assert pairs[0].qid == 34705205 and pairs[0].prob == pytest.approx(0.869, abs=1e-3)
    assert {p.source for p in pairs} == {"conala-mined"}


def _write_pickle(path: Path, data: object) -> Path:
    with path.open("wb") as handle:
        pickle.dump(data, handle, protocol=2)  # the Python 2 protocol StaQC used
    return path


def test_staqc_pickles_single_and_multi_code_keys(tmp_path: Path) -> None:
    codes = _write_pickle(
        tmp_path / "code.pickle",
        {
            30: "print x",
            (20, 1): b"for i in range(3):\n    print i",  # Python 2 pickles may hold bytes
            (20, 0): "import os",
        },
    )
    titles = _write_pickle(tmp_path / "title.pickle", {20: "Loop in python", 30: b"Print caf\xe9"})
    pairs = list(load_staqc_pickles(codes, titles, BadInput()))
    assert [p.id for p in pairs] == ["staqc:20:0", "staqc:20:1", "staqc:30"]
    assert [p.qid for p in pairs] == [20, 20, 30]
    assert pairs[2].intent == "Print café"  # latin1, as the pickles were written by Python 2
    assert pairs[1].snippet.startswith("for i in range(3)")


def test_staqc_pickle_missing_title_or_bad_key(tmp_path: Path) -> None:
    codes = _write_pickle(tmp_path / "code.pickle", {1: "x = 1", "bad": "y", 2: "z = 3"})
    titles = _write_pickle(tmp_path / "title.pickle", {1: "one"})
    with pytest.raises(DataError, match=r"code\.pickle: key 'bad'"):
        list(load_staqc_pickles(codes, titles, BadInput()))
    bad = BadInput(skip=True)
    assert [p.qid for p in load_staqc_pickles(codes, titles, bad)] == [1]
    assert bad.counts == {str(codes): 1, str(titles): 1}


def test_staqc_pickle_that_is_not_a_dict(tmp_path: Path) -> None:
    codes = _write_pickle(tmp_path / "code.pickle", ["not", "a", "dict"])
    titles = _write_pickle(tmp_path / "title.pickle", {})
    with pytest.raises(DataError, match="expected a pickled dict"):
        list(load_staqc_pickles(codes, titles, BadInput()))


def test_staqc_annotated_rows_get_question_ids_from_iids() -> None:
    iids = load_staqc_iids(FIXTURES / "staqc_iids.tsv", BadInput())
    rows = list(load_staqc_annotated(FIXTURES / "train_staqc.json", "train", iids, BadInput()))
    assert len(rows) == 17
    first, label = rows[0]
    assert (first.id, first.qid, label) == ("staqc-annotated:train:1", 24772845, 1)
    assert first.intent == "Python: Extract hrefs inside a div"
    labels = {pair.id: label for pair, label in rows}
    assert labels["staqc-annotated:train:1224"] == 1 and labels["staqc-annotated:train:428"] == 0


def test_staqc_annotated_row_without_iid_is_bad(tmp_path: Path) -> None:
    iids = load_staqc_iids(FIXTURES / "staqc_iids.tsv", BadInput())
    del iids[("dev", 3)]
    with pytest.raises(DataError, match=r"dev_staqc\.json:\d+: idx 3 not in staqc_iids"):
        list(load_staqc_annotated(FIXTURES / "dev_staqc.json", "dev", iids, BadInput()))


def test_django_lines_are_stripped_and_numbered() -> None:
    pairs = list(load_django(FIXTURES / "all.anno", FIXTURES / "all.code", BadInput()))
    assert len(pairs) == 12
    assert pairs[0].qid == pairs[0].id == "django:1"
    assert pairs[0].intent == "from threading import local into default name space."
    assert pairs[0].snippet == "from threading import local"
