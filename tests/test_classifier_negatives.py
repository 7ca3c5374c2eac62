"""Generated classifier negatives: slot-swapped code and `result = ...` assignment forms."""

from __future__ import annotations

import re

from codeqa_train.fit_classifier import (
    SLOT_SWAP,
    LabelledPair,
    slot_swap_negatives,
    split_metrics,
    with_assignments,
)

PLACEHOLDER = re.compile(r"(?<!\w)(?:str|var)_\d(?!\w)")

SORT = "sort list `x` in reverse order"
PAIRS = [
    LabelledPair(SORT, "x.sort(reverse=True)", 1, "positive", "1"),
    LabelledPair("print list `y`", "print(y)", 1, "positive", "2"),
    LabelledPair("read the json file named `f`", "json.load(open(f))", 1, "positive", "3"),
    LabelledPair(
        "prepend string 'hello' to all items in list `a`",
        "['hello{0}'.format(i) for i in a]",
        1,
        "positive",
        "4",
    ),
    LabelledPair("split string 'a,b' on ','", "'a,b'.split(',')", 1, "positive", "5"),
    LabelledPair("get the current time", "datetime.datetime.now()", 1, "positive", "6"),
    LabelledPair(SORT, "os.remove(x)", 0, "random", "1"),
]


def test_slot_swap_restores_this_intents_names_into_other_code() -> None:
    made = slot_swap_negatives(PAIRS, 3, seed=0)
    by_intent: dict[str, set[str]] = {}
    for n in made:
        assert n.label == 0 and n.kind == SLOT_SWAP
        assert not PLACEHOLDER.search(n.snippet), n.snippet
        by_intent.setdefault(n.intent, set()).add(n.snippet)
    # `x` goes into the other single-name snippets (var_0 in each); never its own code
    assert by_intent[SORT] == {
        "print(x)",
        "json.load(open(x))",
        "['hello{0}'.format(i) for i in x]",
    }
    # 'hello' + `a`: the var_0-only snippets fit; the sort snippet gets `a`
    assert "a.sort(reverse=True)" in by_intent["prepend string 'hello' to all items in list `a`"]
    # two str slots used by nobody else, and no slots at all: nothing fits
    assert "split string 'a,b' on ','" not in by_intent
    assert "get the current time" not in by_intent
    # negatives are not drawn from negatives: os.remove never appears
    assert not any("remove" in n.snippet for n in made)


def test_slot_swap_puts_string_slots_back_as_literals() -> None:
    pairs = [
        LabelledPair("split string 'a,b' on ','", "'a,b'.split(',')", 1, "positive", "1"),
        LabelledPair("join 'x' with ';'", "';'.join('x')", 1, "positive", "2"),
    ]
    made = slot_swap_negatives(pairs, 1, seed=0)
    # str_0/str_1 are the first/second quoted values of each intent
    assert [(n.intent, n.snippet) for n in made] == [
        ("split string 'a,b' on ','", "','.join('a,b')"),
        ("join 'x' with ';'", "'x'.split(';')"),
    ]


def test_slot_swap_is_deterministic_and_off_at_zero() -> None:
    assert slot_swap_negatives(PAIRS, 2, seed=7) == slot_swap_negatives(PAIRS, 2, seed=7)
    assert slot_swap_negatives(PAIRS, 0, seed=7) == []
    assert slot_swap_negatives(PAIRS[:1], 2, seed=7) == []


def test_assignment_forms_keep_labels_and_only_touch_expressions() -> None:
    pairs = [
        LabelledPair("i", "x.sort(reverse=True)", 1, "positive"),
        LabelledPair("i", "print(x)", 0, "random"),
        LabelledPair("i", "import os", 0, "hard"),
        LabelledPair("i", "for a in b:\n    pass", 0, "random"),
    ]
    out = with_assignments(pairs, 1.0, seed=0)
    assert [p.label for p in out] == [1, 0, 0, 0]
    assert re.fullmatch(r"\w+ = x\.sort\(reverse=True\)", out[0].snippet)
    assert re.fullmatch(r"\w+ = print\(x\)", out[1].snippet)
    assert out[2:] == pairs[2:]
    assert with_assignments(pairs, 0.0, seed=0) == pairs
    assert with_assignments(pairs, 0.5, seed=3) == with_assignments(pairs, 0.5, seed=3)


def test_split_metrics_reports_slot_swap_separately() -> None:
    pairs = [
        LabelledPair("i", "a", 1, "positive"),
        LabelledPair("i", "b", 1, "positive"),
        LabelledPair("i", "c", 0, "random"),
        LabelledPair("i", "d", 0, SLOT_SWAP),
    ]
    m = split_metrics(pairs, [0.9, 0.6, 0.1, 0.7], 0.5)
    assert m["random"]["roc_auc"] == 1.0
    assert m[SLOT_SWAP]["roc_auc"] == 0.5  # 0.7 sits between the two positives
    assert m[SLOT_SWAP]["n"] == 3 and "hard" not in m
