"""Malformed input: each kind stops with `file:line`, or is skipped and counted with --skip-bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeqa_train.data.conala import load_conala_json, load_conala_mined
from codeqa_train.data.django import load_django
from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.readers import iter_json_array

FIXTURES = Path(__file__).parent / "fixtures" / "data"
MINED = FIXTURES / "conala-mined.jsonl"


def _mined_with(tmp_path: Path, line_3: bytes) -> Path:
    """The mined fixture with its third line replaced."""
    lines = MINED.read_bytes().split(b"\n")
    lines[2] = line_3
    path = tmp_path / "mined.jsonl"
    path.write_bytes(b"\n".join(lines))
    return path


def test_json_array_elements_carry_their_line_numbers() -> None:
    rows = list(iter_json_array(FIXTURES / "conala-test.json", BadInput()))
    assert [line for _index, line, _value in rows][:3] == [2, 8, 14]
    assert len(rows) == len(json.loads((FIXTURES / "conala-test.json").read_text()))


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = _mined_with(tmp_path, b'{"intent": "x", "snippet": ')
    with pytest.raises(DataError, match=r"mined\.jsonl:3: bad JSON line") as info:
        list(load_conala_mined(path, BadInput()))
    assert info.value.line == 3 and info.value.path == str(path)


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    record = json.loads(MINED.read_text().split("\n")[2])
    del record["prob"]
    path = _mined_with(tmp_path, json.dumps(record).encode())
    with pytest.raises(DataError, match=r"mined\.jsonl:3: missing field 'prob'"):
        list(load_conala_mined(path, BadInput()))


def test_wrong_field_type_is_bad_input(tmp_path: Path) -> None:
    record = json.loads(MINED.read_text().split("\n")[2])
    record["question_id"] = "not-a-number"
    path = _mined_with(tmp_path, json.dumps(record).encode())
    with pytest.raises(DataError, match=r":3: field 'question_id' should be int, got str"):
        list(load_conala_mined(path, BadInput()))


def test_undecodable_bytes_name_file_and_line(tmp_path: Path) -> None:
    path = _mined_with(
        tmp_path, MINED.read_bytes().split(b"\n")[2].replace(b"unsure", b"uns\xffre")
    )
    with pytest.raises(DataError, match=r"mined\.jsonl:3: undecodable bytes"):
        list(load_conala_mined(path, BadInput()))


def test_skip_bad_counts_every_kind_and_keeps_the_rest(tmp_path: Path) -> None:
    lines = MINED.read_bytes().split(b"\n")
    missing = json.loads(lines[3])
    del missing["snippet"]
    lines[1] = b"{not json"
    lines[2] = lines[2].replace(b"unsure", b"uns\xffre")
    lines[3] = json.dumps(missing).encode()
    path = tmp_path / "mined.jsonl"
    path.write_bytes(b"\n".join(lines))
    bad = BadInput(skip=True)
    pairs = list(load_conala_mined(path, bad))
    assert len(pairs) == 7 - 3
    assert bad.counts[str(path)] == 3
    assert [e.split(": ", 1)[0] for e in bad.examples] == [f"{path}:{n}" for n in (2, 3, 4)]


def test_json_array_missing_field_names_the_element_line(tmp_path: Path) -> None:
    rows = json.loads((FIXTURES / "conala-train.json").read_text())
    del rows[2]["snippet"]
    path = tmp_path / "train.json"
    path.write_text(json.dumps(rows, indent=4))
    with pytest.raises(DataError, match=r"train\.json:14: missing field 'snippet'"):
        list(load_conala_json(path, "conala", BadInput()))
    bad = BadInput(skip=True)
    pairs = list(load_conala_json(path, "conala", bad))
    assert len(pairs) == len(rows) - 1 and bad.counts[str(path)] == 1
    # ids come from the row index, so a skipped row does not shift the others
    assert pairs[2].id == "conala:3"


def test_json_array_undecodable_element_is_skippable(tmp_path: Path) -> None:
    raw = (FIXTURES / "conala-test.json").read_bytes().replace(b"Python", b"Pyth\xc3on", 1)
    path = tmp_path / "test.json"
    path.write_bytes(raw)
    with pytest.raises(DataError, match="undecodable bytes"):
        list(load_conala_json(path, "conala", BadInput()))
    bad = BadInput(skip=True)
    assert len(list(load_conala_json(path, "conala", bad))) == 10
    assert sum(bad.counts.values()) == 1


def test_json_array_syntax_error_always_stops(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"intent": "a"},\n  {"intent": \n]\n')
    with pytest.raises(DataError, match=r"broken\.json:4: bad JSON"):
        list(iter_json_array(path, BadInput(skip=True)))


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        list(load_conala_json(tmp_path / "absent.json", "conala", BadInput()))


def test_django_misaligned_files_stop(tmp_path: Path) -> None:
    code = tmp_path / "all.code"
    code.write_text("\n".join((FIXTURES / "all.code").read_text().split("\n")[:5]) + "\n")
    with pytest.raises(DataError, match="not aligned"):
        list(load_django(FIXTURES / "all.anno", code, BadInput()))


def test_django_undecodable_line_keeps_alignment(tmp_path: Path) -> None:
    anno = tmp_path / "all.anno"
    lines = (FIXTURES / "all.anno").read_bytes().split(b"\n")
    lines[1] = b"import module w\xe4rnings."
    anno.write_bytes(b"\n".join(lines))
    with pytest.raises(DataError, match=r"all\.anno:2: undecodable"):
        list(load_django(anno, FIXTURES / "all.code", BadInput()))
    pairs = list(load_django(anno, FIXTURES / "all.code", BadInput(skip=True)))
    assert [p.qid for p in pairs][:2] == ["django:1", "django:3"]
    assert pairs[1].snippet == "from django . conf import settings"  # Django code is pre-tokenised
