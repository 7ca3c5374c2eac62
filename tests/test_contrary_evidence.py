"""model/contrary_evidence.py: a sort, an end or a part the wrong way round, and nothing else."""

from __future__ import annotations

import numpy as np
import pytest
from codeqa_model.combiner import KNOWN_FEATURES, evidence_matrix
from codeqa_model.contrary_evidence import CONTRARY_FEATURES, contrary, contrary_reason
from codeqa_model.match_evidence import Evidence


@pytest.mark.parametrize(
    ("intent", "code", "reason"),
    [
        ("sort the list `items` from largest to smallest", "return sorted(items)",
         "sorts smallest first; the intent asks for largest first"),
        ("sort `nums` in descending order", "nums.sort(key=len)",
         "sorts smallest first; the intent asks for largest first"),
        ("sort `nums` in ascending order", "nums.sort(reverse=True)",
         "sorts largest first; the intent asks for smallest first"),
        ("read the last 10 lines of the file `path`",
         "with open(path) as fh:\n    lines = fh.readlines()\nreturn lines[:10]",
         "takes the first 10; the intent asks for the last 10"),
        ("get the first three characters of the string `s`", "head = s[-3:]",
         "takes the last 3; the intent asks for the first 3"),
        ("show the first 5 rows of the dataframe `df`", "df.tail(5)",
         "takes the last 5; the intent asks for the first 5"),
        ("get the last element of list `xs`", "x = xs[0]",
         "takes the first one; the intent asks for the last"),
        ("get the current date without the time", "today = datetime.now().time()",
         "ends with time(), which the intent asks to leave out"),
        ("get the file name without its directory from `path`", "name = os.path.dirname(path)",
         "ends with dirname(), which the intent asks to leave out"),
    ],
)  # fmt: skip
def test_the_wrong_way_round_is_named(intent: str, code: str, reason: str) -> None:
    assert contrary_reason(intent, code) == reason
    assert contrary(intent, code) == [1.0]


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("sort the list `items` from largest to smallest", "return sorted(items, reverse=True)"),
        ("sort `nums` from largest to smallest", "nums.sort(key=lambda x: -x)"),
        ("sort `nums` from largest to smallest", "sorted(nums)[::-1]"),
        ("sort `nums` in ascending order", "nums.sort()"),
        ("sort `names` from a to z", "names.sort(reverse=True)"),  # not said plainly enough
        ("read the last 10 lines of the file `path`", "open(path).readlines()[-10:]"),
        ("get the first 3 characters of the string `s`", "s[:3]"),
        ("get the last 3 characters of the string `s`", "s[:2]"),  # another count: no rule
        ("get the last elements of list `xs`", "xs[0]"),  # plural: no single end
        ("get the last element of list `xs`", "xs[-1]"),
        ("get the current date without the time", "datetime.now().date()"),
        ("get the file name without the extension from `p`", "os.path.splitext(p)[0]"),
        ("get the file name without its directory from `path`", "os.path.basename(path)"),
        ("get the first and last 3 elements of list `l`", "l[:3] + l[-3:]"),  # both ends
        ("sort `df` by 'a' ascending and 'b' descending", "df.sort_values(['a', 'b'])"),
        ("sort `df` in descending order", "df.sort_values('a', ascending=True)"),  # stated
        ("sort `nums` in descending order", "sorted(nums"),  # does not parse
        ("", ""),
    ],
)
def test_code_the_right_way_round_or_unrelated_is_left_alone(intent: str, code: str) -> None:
    assert contrary_reason(intent, code) is None
    assert contrary(intent, code) == [0.0]


def test_the_combiner_reads_it_as_one_known_feature() -> None:
    assert set(CONTRARY_FEATURES) <= set(KNOWN_FEATURES)
    pairs = [
        ("sort `xs` from largest to smallest", "sorted(xs)"),
        ("sort `xs` from largest to smallest", "sorted(xs, reverse=True)"),
    ]
    matrix = evidence_matrix(pairs, CONTRARY_FEATURES, Evidence({}, {}, ()))
    assert np.array_equal(matrix, [[1.0], [0.0]])


def test_fit_combiner_chooses_a_fixed_weight_for_it(tmp_path, monkeypatch) -> None:
    from codeqa_train import fit_combiner
    from combiner_fits import fit_on_pairs

    pairs = [
        (f"sort `xs{i}` from largest to smallest", f"xs{i}.sort(reverse=True)", f"xs{i}.sort()")
        for i in range(80)
    ]
    assert not set(CONTRARY_FEATURES) & set(fit_combiner.feature_names("all", False))
    flags = ["--contrary-weights", "0,2,4", "--features", "known"]
    result, _ = fit_on_pairs(tmp_path, monkeypatch, pairs, "hard", flags)
    combiner, report = result["combiner"], result["report"]
    assert combiner["features"][-1] == "contrary" and combiner["weights"][-1] == -2.0
    assert report["contrary_weight"]["fires"]["conala"] == {"label 0": 1.0, "label 1": 0.0}


def test_the_diagnostic_names_it() -> None:
    from codeqa_model.explain import Explainer

    explainer = Explainer({}, lambda pairs: [0.5] * len(pairs), 0.15)
    reason = explainer.explain("get the last element of list `xs`", "x = xs[0]")
    assert reason == "takes the first one; the intent asks for the last"
