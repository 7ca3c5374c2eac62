"""The one reader of curated splits: real rows come back whole, every bad file names path:line."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from codeqa_train.data.curated import CuratedDataError, curated_dir, read_curated
from codeqa_train.data.errors import DataError

DATA = Path(__file__).parent / "fixtures" / "models" / "data"
CLASSIFIER = {"intent": str, "snippet": str, "label": int, "kind": str}


def test_reads_every_row_with_extra_fields_kept() -> None:
    rows = read_curated(DATA / "classifier" / "valid.jsonl", CLASSIFIER)
    assert len(rows) == 36
    assert sorted({r["kind"] for r in rows}) == ["hard", "positive", "random"]
    assert sum(r["label"] for r in rows) == 12
    assert rows[0]["qid"] == 14591855  # not required, still returned
    assert rows[0]["snippet"] == "df1 = pd.read_hdf('/home/.../data.h5', 'firstSet')"


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    good = json.dumps({"intent": "a", "snippet": "b"})
    path.write_text(f"{good}\n\n{good}\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match=r"train\.jsonl:4: expected a JSON object") as info:
        read_curated(path, {"intent": str})
    assert (info.value.path, info.value.line) == (str(path), 4)


@pytest.mark.parametrize(
    ("second_line", "message"),
    [
        ("{oops", r":2: invalid JSON \(Expecting property name"),
        ('"just a string"', r":2: expected a JSON object"),
        ('{"intent": "x", "snippet": "y", "kind": "positive"}', r":2: field 'label' missing"),
        (
            '{"intent": "x", "snippet": "y", "label": "1", "kind": "positive"}',
            r":2: field 'label' is str, expected int",
        ),
    ],
)
def test_each_bad_row_names_path_and_line(tmp_path: Path, second_line: str, message: str) -> None:
    path = tmp_path / "valid.jsonl"
    first = (DATA / "classifier" / "valid.jsonl").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{first}\n{second_line}\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match=re.escape(str(path)) + message):
        read_curated(path, CLASSIFIER)


def test_tuple_of_types_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "test.jsonl"
    path.write_text('{"qid": 3.5}\n', encoding="utf-8")
    with pytest.raises(CuratedDataError, match=r"field 'qid' is float, expected int or str"):
        read_curated(path, {"qid": (int, str)})
    with pytest.raises(CuratedDataError, match=r"nope\.jsonl: missing") as info:
        read_curated(tmp_path / "nope.jsonl", {})
    assert info.value.line is None


def test_curated_dir_prefers_direct_then_highest_version(tmp_path: Path) -> None:
    for version in ("v2", "v10"):
        shutil.copytree(DATA / "generator", tmp_path / version / "generator")
    assert curated_dir(tmp_path, "generator") == tmp_path / "v10" / "generator"
    assert curated_dir(DATA, "classifier") == DATA / "classifier"
    with pytest.raises(CuratedDataError, match="no classifier/ directory"):
        curated_dir(tmp_path, "classifier")


def test_curated_data_error_is_a_data_error_and_a_value_error() -> None:
    assert issubclass(CuratedDataError, DataError) and issubclass(CuratedDataError, ValueError)
