"""Curation steps 1–5 on real fixture rows: min-prob, StaQC cleaning and line limit, per-question
dedup, leakage by test id and by near-duplicate test intent, split by question."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from codeqa_train.data import curate
from codeqa_train.data.clean import clean_snippet, line_count
from codeqa_train.data.conala import load_conala_json, load_conala_mined
from codeqa_train.data.errors import BadInput
from codeqa_train.data.records import Pair
from codeqa_train.data.staqc import load_staqc_annotated, load_staqc_iids

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def _conala(name: str, source: str = "conala") -> list[Pair]:
    return list(load_conala_json(FIXTURES / name, source, BadInput()))


def _staqc_train() -> dict[int, str]:
    rows = json.loads((FIXTURES / "train_staqc.json").read_text())
    return {row["idx"]: row["code"] for row in rows}


def test_min_prob_keeps_only_confident_mined_pairs() -> None:
    mined = list(load_conala_mined(FIXTURES / "conala-mined.jsonl", BadInput()))
    kept = curate.filter_min_prob(mined + _conala("conala-train.json"), 0.5)
    probs = sorted(p.prob for p in kept if p.prob is not None)
    assert probs[0] == 0.5  # the boundary is inclusive; 0.49999 and 0.2 go
    assert len([p for p in kept if p.prob is not None]) == 5
    assert len([p for p in kept if p.prob is None]) == 23  # curated pairs have no prob: untouched
    assert len(curate.filter_min_prob(mined, 0.9)) == 2


def test_clean_interpreter_session_keeps_only_prompted_code() -> None:
    cleaned = clean_snippet(_staqc_train()[97])
    assert cleaned == (
        "from timeit import default_timer\nstart = default_timer()\nprint default_timer() - start"
    )


def test_clean_drops_comments_and_docstrings() -> None:
    cleaned = clean_snippet(_staqc_train()[40])
    assert "#" not in cleaned and line_count(cleaned) == 5
    assert cleaned.startswith("data_copy = list(data)\nwhile data_copy:\n    to = min(10,")
    code = 'def f():\n    """Doc."""\n    s = "# kept"  # gone\n    return s\n'
    assert clean_snippet(code) == 'def f():\n    s = "# kept"\n    return s'


def test_clean_keeps_python2_code_it_cannot_tokenize() -> None:
    code = "if x:\n        print y\n    # note\n    z = 2"  # inconsistent dedent: tokenize fails
    assert clean_snippet(code) == "if x:\n        print y\n    z = 2"


def test_staqc_line_limit_applies_to_staqc_only() -> None:
    iids = load_staqc_iids(FIXTURES / "staqc_iids.tsv", BadInput())
    staqc = [
        p for p, _ in load_staqc_annotated(FIXTURES / "train_staqc.json", "train", iids, BadInput())
    ]
    long_conala = replace(
        _conala("conala-train.json")[0], snippet="\n".join("x = 1" for _ in range(9))
    )
    kept = curate.clean_staqc([*staqc, long_conala], max_lines=5)
    kept_ids = {p.id for p in kept}
    assert "staqc-annotated:train:37" not in kept_ids  # 6+ lines after cleaning
    assert {"staqc-annotated:train:40", "staqc-annotated:train:97"} <= kept_ids
    assert long_conala in kept
    assert all(line_count(p.snippet) <= 5 for p in kept if p.source == "staqc-annotated")
    assert len(curate.clean_staqc(staqc, max_lines=100)) > len(kept) - 1


def test_dedup_removes_near_duplicate_snippets_within_a_question() -> None:
    train = _conala("conala-train.json")
    curated = [p for p in _conala("conala-all.json", "conala-curated") if p.qid == 237079]
    pairs = [*curated, *train]  # curated listed first: source priority must still win
    kept = curate.dedup_per_question(pairs, threshold=0.5)
    kept_237079 = [p for p in kept if p.qid == 237079]
    # the curated copies of CoNaLa rows say the same with the same code: only CoNaLa's survive
    assert {p.source for p in kept_237079} == {"conala"}
    # annotators' distinct intents stay (creation vs modification time); the repeated
    # "get modified time of file `file`" with a print() around the same call goes
    intents = [p.intent for p in kept_237079]
    assert len(intents) == 6 and len(set(intents)) == 6
    assert "get creation time of file `file`" in intents
    # questions with a single pair are never touched
    singles = [p for p in train if sum(q.qid == p.qid for q in train) == 1]
    assert all(p in kept for p in singles)
    # a higher threshold keeps more; 1.01 keeps everything
    assert len(curate.dedup_per_question(pairs, 0.9)) >= len(kept)
    assert len(curate.dedup_per_question(pairs, 1.01)) == len(pairs)


def test_dedup_by_code_alone_when_asked() -> None:
    pairs = [*_conala("conala-train.json")]
    literal = curate.dedup_per_question(pairs, threshold=0.5, ignore_intents=True)
    assert [p.intent for p in literal if p.qid == 237079] == ["get modified time of file `file`"]
    assert len(literal) < len(curate.dedup_per_question(pairs, threshold=0.5))


def test_dedup_compares_titles_by_code() -> None:
    mined = list(load_conala_mined(FIXTURES / "conala-mined.jsonl", BadInput()))[:1]
    curated = [p for p in _conala("conala-all.json", "conala-curated") if p.qid == mined[0].qid]
    assert curated and curated[0].snippet == mined[0].snippet
    # a mined title is not an annotator's intent: the same code under it is a duplicate
    assert curate.dedup_per_question([*mined, *curated], 0.5) == curated


def test_test_question_ids_removed_from_every_training_source() -> None:
    test = _conala("conala-test.json")
    test_qids = {p.qid for p in test}
    curated = _conala("conala-all.json", "conala-curated")
    iids = load_staqc_iids(FIXTURES / "staqc_iids.tsv", BadInput())
    staqc = [
        p for p, _ in load_staqc_annotated(FIXTURES / "dev_staqc.json", "dev", iids, BadInput())
    ]
    leaked = [p for p in curated + staqc if p.qid in test_qids]
    assert (
        len(leaked) >= 10
    )  # the fixture holds real leaks: curated test rows, StaQC 508657/1960516
    kept = curate.remove_test_qids(curated + staqc, test_qids)
    assert not {p.qid for p in kept} & test_qids
    assert len(kept) == len(curated) + len(staqc) - len(leaked)


def test_near_duplicate_test_intents_removed() -> None:
    test = _conala("conala-test.json")
    candidates = [
        p
        for p in _conala("conala-all.json", "conala-curated")
        if p.qid not in {t.qid for t in test}
    ]
    kept = curate.remove_test_intents(candidates, test, threshold=0.9)
    dropped = [p for p in candidates if p not in kept]
    # question 1514553 asks "declare an array", word for word the test question 10487278's intent
    assert [(p.qid, p.raw_intent) for p in dropped] == [(1514553, "declare an array")] * 2
    assert len(curate.remove_test_intents(candidates, test, threshold=0.5)) < len(kept)
    assert len(curate.remove_test_intents(candidates, test, threshold=1.01)) == len(candidates)


def test_split_by_question_is_disjoint_deterministic_and_sized() -> None:
    qids: list[int | str] = [*range(100, 300), *(f"django:{i}" for i in range(50))]
    valid = curate.split_by_question(
        qids * 2, 0.1, seed=13, train_only=lambda q: isinstance(q, str)
    )
    assert len(valid) == 20 and all(isinstance(q, int) for q in valid)
    assert valid == curate.split_by_question(reversed(qids), 0.1, 13, lambda q: isinstance(q, str))
    assert valid != curate.split_by_question(qids, 0.1, 14, lambda q: isinstance(q, str))
