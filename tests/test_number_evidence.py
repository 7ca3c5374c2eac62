"""model/number_evidence.py: a number the intent states that the code never writes."""

from __future__ import annotations

import numpy as np
import pytest
from codeqa_model.combiner import KNOWN_FEATURES, evidence_matrix
from codeqa_model.match_evidence import Evidence
from codeqa_model.number_evidence import (
    NUMBER_FEATURES,
    number_missing,
    number_reason,
    stated_numbers,
)


@pytest.mark.parametrize(
    ("intent", "code", "reason"),
    [
        ("add 7 days to the date `start`", "day = start.weekday()",
         "the intent says 7; the code never uses it"),
        ("wait 2 seconds before continuing", "now = time.time()",
         "the intent says 2; the code never uses it"),
        ("round the price `p` to 2 decimal places", "price = int(p)",
         "the intent says 2; the code never uses it"),
        ("pick 3 random items from the list `pool`", "pool.sort()\nreturn pool",
         "the intent says 3; the code never uses it"),
        ("select the rows of `df` where 'age' is over 30", 'df.sort_values("age")',
         "the intent says 30; the code never uses it"),
    ],
)  # fmt: skip
def test_a_stated_number_the_code_never_writes_is_named(
    intent: str, code: str, reason: str
) -> None:
    assert number_reason(intent, code) == reason
    assert number_missing(intent, code) == 1.0


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("add 7 days to the date `start`", "start + timedelta(days=7)"),
        ("round `p` to 2 decimal places", "f'{p:.2f}'"),  # inside a format spec
        ("sum the numbers from 1 to 100", "sum(range(1, 101))"),  # one past the end
        ("get the last 10 lines of `text`", "text.splitlines()[-10:]"),  # negated
        ("wait 5 minutes", "time.sleep(300)"),  # in seconds
        ("wait 2 seconds", "time.sleep(2.0)"),
        ("a random float between 0 and 1", "random.random()"),  # 0 and 1 are not read
        ("encode `s` as utf-8", "s.encode()"),  # a name, not an amount
        ("parse the date per RFC 2822", "email.utils.parsedate(s)"),
        ("how to do it in Python 3", "print(x)"),
        ("return a list of 2-tuples", "list(d.items())"),
        ("get the value of 'port' or '8080'", "conf.get('port')"),  # quoted: not this feature's
        ("sort the list `xs`", "xs.sort()"),  # no number stated
        (
            "Performs the same function as parsedate but returns either None or a tuple whose "
            "first 9 elements make up a tuple that can be passed directly",
            "parsedate_tz(d)",
        ),
        ("", ""),
    ],
)
def test_code_that_writes_it_or_intents_without_one_are_left_alone(intent: str, code: str) -> None:
    assert number_reason(intent, code) is None
    assert number_missing(intent, code) == 0.0


def test_only_amounts_are_stated_numbers() -> None:
    assert stated_numbers("split `s` into chunks of 4 and keep the first 2") == {2, 4}
    assert stated_numbers("version 3.11 of the 12.5% rule") == frozenset()
    assert stated_numbers("the ISO 8601 date of 3 days ago") == {3}


def test_the_combiner_reads_it_as_one_known_feature() -> None:
    assert set(NUMBER_FEATURES) <= set(KNOWN_FEATURES)
    pairs = [("wait 2 seconds", "time.time()"), ("wait 2 seconds", "time.sleep(2)")]
    matrix = evidence_matrix(pairs, NUMBER_FEATURES, Evidence({}, {}, ()))
    assert np.array_equal(matrix, [[1.0], [0.0]])


def test_fit_combiner_chooses_a_fixed_weight_for_it(tmp_path, monkeypatch) -> None:
    from codeqa_train import fit_combiner
    from combiner_fits import fit_on_pairs

    pairs = [(f"wait {i + 2} seconds", f"delay = {i + 2}", "delay = None") for i in range(80)]
    assert not set(NUMBER_FEATURES) & set(fit_combiner.feature_names("all", False))
    flags = ["--number-weights", "0,2,4", "--features", "known"]
    result, _ = fit_on_pairs(tmp_path, monkeypatch, pairs, "hard", flags)
    combiner, report = result["combiner"], result["report"]
    assert combiner["features"][-1] == "number_missing" and combiner["weights"][-1] == -2.0
    assert report["number_weight"]["fires"]["conala"] == {"label 0": 1.0, "label 1": 0.0}


def test_the_diagnostic_names_it() -> None:
    from codeqa_model.explain import Explainer

    explainer = Explainer({}, lambda pairs: [0.5] * len(pairs), 0.15)
    reason = explainer.explain("wait 2 seconds before continuing", "now = time.time()")
    assert reason == "the intent says 2; the code never uses it"
