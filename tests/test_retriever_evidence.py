"""model/retriever_evidence.py: the learned retriever's P(api | intent) read on a block's calls,
and a combiner that names those features (issue 11)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from codeqa_model.api_retriever import RETRIEVER_FILE, ApiRetriever, api_keys
from codeqa_model.combiner import COMBINER_FILE, COMBINER_FORMAT, KNOWN_FEATURES, Combiner
from codeqa_model.match_evidence import FEATURES, LITERAL_FEATURES, Evidence, values_missing
from codeqa_model.retrieval import learned_features
from codeqa_model.retriever_evidence import _CALL, PRIOR_FEATURES, RetrieverEvidence, call_paths
from codeqa_model.slots import canonicalize_intent

CWD = "get the current working directory"
LIST = "list the files in the folder"
APIS = ("os.getcwd", "os.listdir", "time.sleep")


def _features(intent: str) -> list[str]:
    canon, slots = canonicalize_intent(intent)
    return learned_features(canon, (s.value for s in slots))


def _retriever() -> ApiRetriever:
    """Each intent's features point at one API: CWD at os.getcwd, LIST at os.listdir."""
    vocab: dict[str, int] = {}
    rows = []
    for intent, direction in ((CWD, [4.0, 0.0]), (LIST, [0.0, 4.0])):
        for f in _features(intent):
            if f not in vocab:
                vocab[f] = len(vocab)
                rows.append(direction)
    return ApiRetriever(
        vocab,
        APIS,
        np.array(rows, dtype=np.float32),
        np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=np.float32),
        np.zeros(3, dtype=np.float32),
        np.array([0, 1], dtype=np.int32),
        np.array([0], dtype=np.int32),
        0.5,
        "",
    )


def test_the_asked_for_call_is_likely_and_a_swapped_one_is_not() -> None:
    prior = RetrieverEvidence(_retriever())
    right, swapped, unknown, broken, other = prior.many(
        [
            (CWD, "cwd = os.getcwd()"),
            (CWD, "cwd = os.listdir('.')"),
            (CWD, "cwd = helper()"),
            (CWD, "cwd = os.getcwd("),
            (LIST, "names = os.listdir(folder)"),
        ]
    )
    assert right == [1.0, pytest.approx(0.0)] and other == [1.0, pytest.approx(0.0)]
    assert swapped[0] == 1.0 and 0.3 < swapped[1] <= 1.0
    assert unknown == [0.0, 0.0]  # no call the retriever knows
    assert broken == right  # code that does not parse is still read


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\nx = np.zeros(3).sum()",
        "from os.path import join as j\np = j(a, b)\nprint(sorted(p.split('/')))",
        "def f(url):\n    return requests.get(url).json()",
        "with open(p) as fh:\n    data = json.load(fh)",
        "class A(B):\n    pass\nif (x):\n    y = len(x)",
    ],
)
def test_call_paths_name_calls_as_the_retriever_does(code: str) -> None:
    assert call_paths(code) == api_keys(code)


def test_an_intent_without_known_words_says_nothing() -> None:
    assert RetrieverEvidence(_retriever()).many([("zzz qqq", "os.getcwd()")]) == [[0.0] * 2]


def test_values_missing_is_the_share_of_quoted_values_the_code_leaves_out() -> None:
    assert values_missing("read 'config.ini' into `cfg`", "cfg = read('setup.cfg')") == 0.5
    assert values_missing("read 'config.ini' into `cfg`", "cfg = read('config.ini')") == 0.0
    assert values_missing("sort a list", "xs.sort()") == 0.0


EVIDENCE = Evidence({"os.getcwd": {"current": 1.0}}, {"current": 2.0}, ["os"])
NEW = [*FEATURES, "values_missing", "opposite", *LITERAL_FEATURES, *PRIOR_FEATURES]


def _file(names: list[str], weights: list[float]) -> bytes:
    return json.dumps(
        {
            "format": COMBINER_FORMAT,
            "features": ["matcher_logit", *names],
            "weights": weights,
            "bias": 0.0,
            "threshold": 0.3,
            "evidence": EVIDENCE.to_dict(),
        }
    ).encode()


def test_a_combiner_with_retriever_features_needs_the_retriever() -> None:
    data = _file(NEW, [1.0] + [0.0] * len(NEW))
    with pytest.raises(ValueError, match="retriever"):
        Combiner.from_bytes(data)
    combiner = Combiner.from_bytes(data, _retriever())
    # every fitted feature (the sibling contrast, the literal swap, the effects, the contrary
    # fact and the missing number have fixed weights)
    fixed = {
        "sibling_gap", "literal_swap", "unasked_effect", "placeholder", "contrary", "number_missing"
    }  # fmt: skip
    assert combiner.names == tuple(NEW) and set(NEW) == set(KNOWN_FEATURES) - fixed
    # an older file (the seven profile features) loads without a retriever
    assert Combiner.from_bytes(_file(list(FEATURES), [1.0] * 8)).names == FEATURES


def test_gap_and_missing_value_weights_lower_the_wrong_blocks() -> None:
    weights = [1.0] + [-3.0 if n in ("prior_gap", "values_missing") else 0.0 for n in NEW]
    combiner = Combiner.from_bytes(_file(NEW, weights), _retriever())
    right, swapped, other_file = combiner.probs(
        [
            (CWD, "os.getcwd()"),
            (CWD, "os.listdir('.')"),
            ("get the current working directory of 'app'", "os.getcwd('lib')"),
        ],
        [0.5, 0.5, 0.5],
    )
    assert right == pytest.approx(0.5) and swapped < 0.4 and other_file < 0.1


def test_from_files_pairs_the_combiner_with_the_retriever_beside_it(tmp_path: Path) -> None:
    (tmp_path / COMBINER_FILE).write_bytes(_file(NEW, [1.0] + [0.0] * len(NEW)))
    (tmp_path / RETRIEVER_FILE).write_bytes(_retriever().to_bytes())
    assert Combiner.from_files([tmp_path / "other.json"]) is None
    found = Combiner.from_files([tmp_path / RETRIEVER_FILE, tmp_path / COMBINER_FILE])
    assert found is not None and found.prior is not None
    with pytest.raises(ValueError, match="retriever"):
        Combiner.from_files([tmp_path / COMBINER_FILE])


def test_the_call_pattern_finds_what_the_plain_pattern_does() -> None:
    plain = re.compile(r"(?<!def )(?<!class )(\.?)\b([A-Za-z_][\w.]*)\s*\(")  # `_CALL`, slower
    odd = [
        "f(x).json()", "1abc(2)", "1.foo(2)", "éa(1)", "a..b(c)", "..a()", "x .y(1)", "_(s)",
        "print (x)", "def f(x): return g(x)", "class A(B): pass", "def .x(", "x = y.\n  z(1)",
        "a.b.c (x)", "abc", "(", "  s.strip(  )", "obj.method\t(1)", "x.y.z(", "a(b(c(d)))",
    ]  # fmt: skip
    for code in odd:
        assert _CALL.findall(code) == plain.findall(code), code
