"""`codeqa-train data` end to end on the fixtures: layout and schema, leakage, split disjointness,
determinism, atomic output, and the command-line error paths."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import codeqa_train.data.output as output
import pytest
from codeqa_train.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "data"
GENERATOR_KEYS = ["id", "qid", "source", "intent", "raw_intent", "snippet"]
CLASSIFIER_KEYS = ["qid", "intent", "snippet", "label", "kind"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures laid out like ../shared/data, plus a mined file where --shared-data looks."""
    root = tmp_path_factory.mktemp("shared")
    layout = {
        "conala/conala-train.json": "conala-train.json",
        "conala/conala-test.json": "conala-test.json",
        "conala/conala-mined.jsonl": "conala-mined.jsonl",
        "conala-curated/conala-all.json": "conala-all.json",
        "staqc-annotated/train_staqc.json": "train_staqc.json",
        "staqc-annotated/dev_staqc.json": "dev_staqc.json",
        "staqc-annotated/staqc_iids.tsv": "staqc_iids.tsv",
        "django/all.anno": "all.anno",
        "django/all.code": "all.code",
    }
    for target, name in layout.items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_bytes((FIXTURES / name).read_bytes())
    return root


def _run(shared: Path, out: Path, *extra: str) -> int:
    return main(["data", "--shared-data", str(shared), "--out", str(out), *extra])


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def curated(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert _run(shared, out, "--valid-fraction", "0.3") == 0
    return out / "v1"


def test_layout_and_record_schema(curated: Path) -> None:
    names = sorted(str(p.relative_to(curated)) for p in curated.rglob("*") if p.is_file())
    assert names == [
        *(f"classifier/{s}.jsonl" for s in ("test", "train", "valid")),
        *(f"generator/{s}.jsonl" for s in ("test", "train", "valid")),
        "report.json",
        "report.md",
    ]
    for split in ("train", "valid", "test"):
        for record in _jsonl(curated / "generator" / f"{split}.jsonl"):
            assert list(record) == GENERATOR_KEYS
        for record in _jsonl(curated / "classifier" / f"{split}.jsonl"):
            assert list(record) == CLASSIFIER_KEYS
    test = _jsonl(curated / "generator" / "test.jsonl")
    assert len(test) == 11 and {r["source"] for r in test} == {"conala"}
    assert json.loads((curated / "report.json").read_text())["format"] == 1


def test_no_test_question_and_no_question_in_two_splits(curated: Path) -> None:
    qids = {
        split: {r["qid"] for r in _jsonl(curated / "generator" / f"{split}.jsonl")}
        for split in ("train", "valid", "test")
    }
    assert qids["train"] and qids["valid"]
    assert not qids["train"] & qids["valid"]
    assert not (qids["train"] | qids["valid"]) & qids["test"]
    assert 508657 not in qids["train"] | qids["valid"]  # StaQC's copy of a test question
    for split in ("train", "valid", "test"):
        classifier = {r["qid"] for r in _jsonl(curated / "classifier" / f"{split}.jsonl")}
        others = set().union(*(qids[s] for s in qids if s != split))
        assert not classifier & others
    assert all(str(q).startswith("django:") is False for q in qids["valid"])


def test_report_counts_each_step_and_the_leaks(curated: Path) -> None:
    report = json.loads((curated / "report.json").read_text())
    assert report["steps"] == [
        "loaded", "non-empty", "min-prob", "staqc-lines", "dedup", "test-qid", "test-intent",
        "train", "valid",
    ]  # fmt: skip
    counts = report["counts"]
    assert counts["loaded"]["conala-mined"] == 7 and counts["min-prob"]["conala-mined"] == 5
    assert counts["loaded"]["conala-curated"] - counts["non-empty"]["conala-curated"] == 1
    assert counts["loaded"]["django"] == counts["train"]["django"] == 12
    leaks = report["leakage_removed"]
    assert leaks["test_qid"]["conala-curated"] >= 10
    assert leaks["test_qid"]["conala-mined"] == 1  # hand-written mined copy of 10487278
    # StaQC's positive for test question 508657 is 8 lines long: the line limit took it first
    assert leaks["test_qid"]["staqc-annotated"] == 0
    assert leaks["test_qid"]["staqc-annotated (neg)"] == 3
    assert leaks["test_intent"]["conala-curated"] == 2 and leaks["test_intent"]["conala-mined"] == 1
    for step in report["steps"]:
        assert sum(counts[step].values()) >= 0
    generator_sizes = report["generator"]
    assert generator_sizes["train"] == sum(
        v for k, v in counts["train"].items() if not k.endswith("(neg)")
    )
    assert report["lengths"]["test"]["intent_words"]["p50"] > 0
    assert report["classifier"]["test"] == {
        "positive": 11, "random": 11, "hard": 11, "negatives_not_found": 0,
    }  # fmt: skip


def test_printed_table(shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(shared, tmp_path) == 0
    printed = capsys.readouterr().out
    header = printed.splitlines()[0].split()
    assert header[:3] == ["source", "loaded", "non-empty"] and header[-1] == "valid"
    assert any(line.startswith("conala-mined ") for line in printed.splitlines())
    assert "leaked pairs removed: by test question id" in printed


def test_same_seed_same_bytes_other_seed_other_split(shared: Path, tmp_path: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert _run(shared, tmp_path / name, "--seed", seed, "--valid-fraction", "0.3") == 0
    files = [p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.jsonl")]
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    valid = (tmp_path / "a/v1/generator/valid.jsonl").read_bytes()
    assert valid != (tmp_path / "c/v1/generator/valid.jsonl").read_bytes()


def test_crash_mid_write_leaves_no_partial_output(
    shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real = output.write_jsonl
    calls = {"n": 0}

    def crashing(path: Path, records):  # writes part of the third file, then dies
        calls["n"] += 1
        if calls["n"] == 3:
            with path.open("w") as handle:
                handle.write('{"half": ')
            raise KeyboardInterrupt
        return real(path, records)

    monkeypatch.setattr(output, "write_jsonl", crashing)
    with pytest.raises(KeyboardInterrupt):
        _run(shared, out)
    assert list(out.iterdir()) == []  # no v1, no staging directory left behind

    monkeypatch.setattr(output, "write_jsonl", real)
    assert _run(shared, out) == 0
    before = (out / "v1/report.json").read_bytes()
    calls["n"] = 0
    monkeypatch.setattr(output, "write_jsonl", crashing)
    with pytest.raises(KeyboardInterrupt):
        _run(shared, out, "--seed", "99")
    assert [p.name for p in out.iterdir()] == ["v1"]  # the previous version is untouched
    assert (out / "v1/report.json").read_bytes() == before


def test_bad_input_stops_with_file_and_line(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mined = tmp_path / "mined.jsonl"
    lines = (FIXTURES / "conala-mined.jsonl").read_bytes().split(b"\n")
    lines[4] = b'{"intent": '
    mined.write_bytes(b"\n".join(lines))
    assert _run(shared, tmp_path / "out", "--conala-mined", str(mined)) == 1
    assert f"{mined}:5: bad JSON line" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

    assert _run(shared, tmp_path / "out", "--conala-mined", str(mined), "--skip-bad") == 0
    report = json.loads((tmp_path / "out/v1/report.json").read_text())
    assert report["bad_input_skipped"] == {str(mined): 1}
    assert report["counts"]["loaded"]["conala-mined"] == 6


def test_staqc_pickles_only_when_named(shared: Path, tmp_path: Path) -> None:
    codes, titles = tmp_path / "code.pickle", tmp_path / "title.pickle"
    with codes.open("wb") as handle:
        pickle.dump({555: ">>> print 'hi'\nhi\n", 556: "\n".join(["x = 1"] * 8)}, handle, 2)
    with titles.open("wb") as handle:
        pickle.dump({555: "Print hello in Python", 556: "Too long"}, handle, 2)
    out = tmp_path / "out"
    assert _run(shared, out, "--staqc-code", str(codes), "--staqc-title", str(titles)) == 0
    report = json.loads((out / "v1/report.json").read_text())
    assert report["counts"]["loaded"]["staqc"] == 2
    assert report["counts"]["staqc-lines"]["staqc"] == 1  # the 8-line snippet goes
    rows = [
        r
        for split in ("train", "valid")
        for r in _jsonl(out / "v1/generator" / f"{split}.jsonl")
        if r["source"] == "staqc"
    ]
    assert rows == [
        {
            "id": "staqc:555",
            "qid": 555,
            "source": "staqc",
            "intent": "Print hello in Python",
            "raw_intent": "Print hello in Python",
            "snippet": "print 'hi'",
        }
    ]


def test_flags_switch_sources_and_check_values(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(shared, tmp_path / "a", "--no-django") == 0
    report = json.loads((tmp_path / "a/v1/report.json").read_text())
    assert "django" not in report["counts"]["loaded"]
    with pytest.raises(SystemExit):
        _run(shared, tmp_path / "b", "--min-prob", "1.5")
    assert "--min-prob must be within [0, 1]" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["data", "--out", str(tmp_path / "c"), "--conala-train", "x.json"])
    assert "--conala-test are required" in capsys.readouterr().err
    assert "PICKLES RUN CODE" in _help(capsys)


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main(["data", "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_test_question_rows_are_counted_wherever_they_leave(
    shared: Path, curated: Path, tmp_path: Path
) -> None:
    report = json.loads((curated / "report.json").read_text())
    leaks = report["conala_test_questions"]
    test_qids = {r["qid"] for r in _jsonl(curated / "generator" / "test.jsonl")}
    assert leaks["test_rows"] == 11 and leaks["test_ids"] == len(test_qids)
    # every test-question row the sources held left at some step, and the steps add up
    assert leaks["rows_left"] == 0
    assert sum(leaks["removed_by_step"].values()) == leaks["rows_found"]
    assert leaks["rows_found"] == sum(leaks["rows_found_by_source"].values())
    # the test-qid step's own count misses the rows earlier steps took (StaQC's 8-line copy)
    assert leaks["removed_by_step"]["test-qid"] == sum(
        report["leakage_removed"]["test_qid"].values()
    )
    assert leaks["removed_by_step"]["staqc-lines"] >= 1
    assert leaks["rows_found"] > leaks["removed_by_step"]["test-qid"]

    page_path = tmp_path / "docs" / "curation.md"
    assert (
        _run(shared, tmp_path / "o", "--valid-fraction", "0.3", "--report-md", str(page_path)) == 0
    )
    page = page_path.read_text()
    assert page == (tmp_path / "o" / "v1" / "report.md").read_text()
    assert f"held {leaks['rows_found']} rows of {leaks['ids_found']} of those ids" in page
    assert "| `test-qid` | question is a CoNaLa test question |" in page
    dropped = (
        report["counts"]["dedup"]["conala-curated"] - report["counts"]["test-qid"]["conala-curated"]
    )
    assert f"| `test-qid` | {leaks['removed_by_step']['test-qid']} |" in page and dropped > 0
