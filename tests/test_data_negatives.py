"""Step 6: classifier pairs — one random and one hard negative per positive, labelled by kind."""

from __future__ import annotations

from pathlib import Path

from codeqa_train.data.conala import load_conala_json
from codeqa_train.data.errors import BadInput
from codeqa_train.data.negatives import classifier_pairs, hard_negative_indices
from codeqa_train.data.records import Pair
from codeqa_train.data.similarity import intent_words, tfidf_vectors

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def _train() -> list[Pair]:
    return list(load_conala_json(FIXTURES / "conala-train.json", "conala", BadInput()))


def test_every_positive_gets_one_negative_of_each_kind() -> None:
    positives = _train()
    pairs, missing = classifier_pairs(positives, [], seed=13, max_similarity=0.9)
    assert missing == 0
    assert [p.kind for p in pairs].count("positive") == len(positives)
    assert [p.kind for p in pairs].count("random") == len(positives)
    assert [p.kind for p in pairs].count("hard") == len(positives)
    assert {(p.kind, p.label) for p in pairs} == {("positive", 1), ("random", 0), ("hard", 0)}
    snippets_of = {}
    for pos in positives:
        snippets_of.setdefault(pos.qid, set()).add(pos.snippet)
    for pair in pairs:
        if pair.label == 0:  # never a snippet of the same question
            assert pair.snippet not in snippets_of[pair.qid]


def test_hard_negative_is_the_most_similar_other_question() -> None:
    positives = _train()
    hard = hard_negative_indices(positives, max_similarity=0.9)
    vectors = tfidf_vectors([intent_words(p.intent) for p in positives])
    sims = (vectors @ vectors.T).toarray()
    for i, chosen in enumerate(hard):
        allowed = [
            j
            for j, other in enumerate(positives)
            if other.qid != positives[i].qid
            and other.snippet != positives[i].snippet
            and sims[i, j] < 0.9
        ]
        assert chosen in allowed or (chosen is None and not allowed)
        assert sims[i, chosen] >= max(sims[i, j] for j in allowed) - 1e-6
    # a neighbour that shares words, not an arbitrary row
    assert sims[0, hard[0]] > 0.1


def test_negatives_never_a_renamed_copy_of_the_answer() -> None:
    base = Pair(
        "a", 1, "conala", "first element of each tuple in list `A`", "r", "[x[0] for x in A]"
    )
    renamed = Pair(
        "b",
        2,
        "conala",
        "get the first element of each tuple in `rows`",
        "r",
        "[x[0] for x in rows]",
    )
    other = Pair("c", 3, "conala", "last element of a list `A`", "r", "A[-1]")
    assert hard_negative_indices([base, renamed, other], 0.9)[0] == 2
    assert hard_negative_indices([base, renamed, other], 0.9, max_code_similarity=1.01)[0] == 1
    pairs, _ = classifier_pairs([base, renamed, other], [], seed=3, max_similarity=0.9)
    negatives_of_base = {p.snippet for p in pairs if p.qid == 1 and p.label == 0}
    assert negatives_of_base == {"A[-1]"}


def test_hard_negatives_skip_reworded_copies_above_the_cap() -> None:
    base = Pair("a", 1, "conala", "sort a list of numbers", "r", "sorted(x)")
    copy = Pair("b", 2, "conala", "sort a list of numbers", "r", "x.sort()")
    other = Pair("c", 3, "conala", "sort a dict by value", "r", "sorted(d, key=d.get)")
    assert hard_negative_indices([base, copy, other], max_similarity=0.9)[0] == 2
    assert hard_negative_indices([base, copy, other], max_similarity=1.01)[0] == 1


def test_negatives_are_deterministic_for_a_seed_and_vary_across_seeds() -> None:
    positives = _train()
    first, _ = classifier_pairs(positives, [], seed=13, max_similarity=0.9)
    again, _ = classifier_pairs(positives, [], seed=13, max_similarity=0.9)
    other, _ = classifier_pairs(positives, [], seed=14, max_similarity=0.9)
    assert first == again
    assert [p for p in first if p.kind == "random"] != [p for p in other if p.kind == "random"]
    assert [p for p in first if p.kind == "hard"] == [p for p in other if p.kind == "hard"]


def test_extra_annotated_negatives_are_hard() -> None:
    positives = _train()[:5]
    extra = [Pair("n", 7, "staqc-annotated", "title", "title", "not the answer")]
    pairs, _ = classifier_pairs(positives, extra, seed=1, max_similarity=0.9)
    assert pairs[-1].to_json() == {
        "qid": 7,
        "intent": "title",
        "snippet": "not the answer",
        "label": 0,
        "kind": "hard",
    }


def test_a_single_positive_has_no_negatives_to_draw() -> None:
    pairs, missing = classifier_pairs(_train()[:1], [], seed=1, max_similarity=0.9)
    assert [p.kind for p in pairs] == ["positive"] and missing == 2
