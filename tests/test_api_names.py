"""The name match that lets an intent's words pick between APIs the retriever finds plausible."""

from __future__ import annotations

import numpy as np
from codeqa_model.api_names import intent_words, name_match, reweigh


def _match(key: str, intent: str) -> float:
    return name_match(key, intent_words(intent))


def test_run_together_names_are_spelled_by_words_prefixes_and_initials() -> None:
    assert _match("os.getcwd", "get the current working directory") == 1.0
    assert _match("os.listdir", "list the files in directory 'src'") == 1.0
    assert _match("math.lcm", "least common multiple of `a` and `b`") == 1.0
    assert _match("os.mkdir", "create the folder 'out'") == 1.0  # spelled: create ~ mk
    assert 0.5 < _match("os.chdir", "get the current working directory") < 1.0


def test_filler_words_builtins_and_unrelated_names_score_nothing() -> None:
    assert _match(".get", "get the last element of list `xs`") == 0.0
    assert _match("list", "get the last element of list `xs`") == 0.0  # undotted: builtin
    assert _match("os.walk", "list the files in directory 'src'") == 0.0
    assert _match("math.gcd", "get the least common multiple") == 0.0


def test_two_words_initials_do_not_spell_a_part() -> None:
    # "if string" would otherwise spell the "is" of `.isy`
    assert _match(".isy", "check if string x") == 0.0
    assert _match(".cwdx", "current working directory") == 0.75


def test_reweigh_moves_mass_to_the_named_api_among_plausible_ones() -> None:
    names = ("os.chdir", "os.getcwd", ".read", "json.loads")
    probs = np.array([0.52, 0.25, 0.03, 0.20])
    words = intent_words("get the current working directory")
    out = reweigh(probs, names, words, 2.0, top=4)
    assert out[1] > out[0]
    assert np.isclose(out.sum(), 1.0)
    assert np.array_equal(reweigh(probs, names, words, 0.0, top=4), probs)


def test_reweigh_cannot_crown_an_implausible_api() -> None:
    names = ("json.loads", ".read", "json.dumps")
    probs = np.array([0.50, 0.03, 0.47])
    out = reweigh(probs, names, intent_words("read a json file 'cfg.json' into a dict"), 2.0, 3)
    assert out.argmax() == 0
