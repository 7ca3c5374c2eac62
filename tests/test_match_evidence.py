"""API evidence (`codeqa_model.match_evidence`): calls read as profile keys, and features that
point at a swapped call (`os.listdir` under "current working directory") or a call from
elsewhere (`shutil.rmtree` under "read a csv file"), built from training rows only."""

from __future__ import annotations

import re

import pytest
from codeqa_model.match_evidence import (
    _CALL,
    FEATURES,
    LITERAL_FEATURES,
    Evidence,
    call_keys,
    groups_of,
    literal_evidence,
    used_as_name,
    words,
)
from codeqa_train.fit_combiner import build_evidence

MODULES = frozenset({"os", "shutil", "json", "datetime", "pandas", "csv"})

TRAIN = [
    ("get the current working directory", "os.getcwd()"),
    ("print the current working directory", "print(os.getcwd())"),
    ("list files in directory 'd'", "os.listdir('d')"),
    ("list all files in a directory", "files = os.listdir(path)"),
    ("delete a directory tree 'd'", "shutil.rmtree('d')"),
    ("remove directory recursively", "shutil.rmtree(path)"),
    ("read csv file 'a.csv' into a dataframe", "df = pd.read_csv('a.csv')"),
    ("load a csv file as dataframe", "pd.read_csv(path)"),
    ("parse json string s", "json.loads(s)"),
    ("decode a json string", "data = json.loads(text)"),
    ("split string s on commas", "s.split(',')"),
    ("split a string into words", "text.split()"),
    ("strip whitespace from string s", "s.strip()"),
    ("remove spaces around a string", "name.strip()"),
]


def _rows(pairs: list[tuple[str, str]], label: int = 1) -> list[dict]:
    return [{"intent": i, "snippet": c, "label": label} for i, c in pairs]


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    negatives = _rows([("unrelated words zebra", "os.getcwd()")] * 3, label=0)
    return build_evidence(_rows(TRAIN) + negatives, set(MODULES))


def _f(evidence: Evidence, intent: str, code: str) -> dict[str, float]:
    return dict(zip(FEATURES, evidence.features(intent, code), strict=True))


def test_call_keys_resolve_aliases_imports_methods_and_builtins() -> None:
    code = (
        "import numpy as n\nfrom os.path import join\n"
        "x = n.array(pd.read_csv(join(a, b)))\nif (x):\n    y = s.split(',') + len(x)\n"
    )
    keys = call_keys(code, MODULES)
    assert keys == ["numpy.array", "pandas.read_csv", "path.join", ".split", "len"]
    assert call_keys("datetime.datetime.strptime(s, f)", MODULES) == ["datetime.strptime"]
    assert call_keys("print('hi')", MODULES) == []


def test_groups_of_module_type_and_builtins() -> None:
    assert groups_of("os.getcwd") == ("os",)
    assert ":str" in groups_of(".split") and ":list" not in groups_of(".split")
    assert groups_of("len") == (":builtins",)
    assert groups_of("my_helper") == ()


def test_words_split_identifiers_and_drop_plurals_and_stopwords() -> None:
    assert words("readCsv the files in get_cwd") == ["read", "csv", "file", "get", "cwd"]


def test_profiles_come_from_true_training_pairs_only(evidence: Evidence) -> None:
    assert "zebra" not in evidence.profiles["os.getcwd"]
    assert {"current", "working", "directory"} <= set(evidence.profiles["os.getcwd"])
    # every profiled API had at least two true pairs
    assert "print" not in evidence.profiles


def test_a_swapped_sibling_is_a_rival_and_the_right_call_is_not(evidence: Evidence) -> None:
    intent = "get the current working directory"
    wrong = _f(evidence, intent, "os.listdir('.')")
    right = _f(evidence, intent, "os.getcwd()")
    assert wrong["rival"] > 0.3 and right["rival"] == 0.0
    assert right["fit"] > wrong["fit"] + 0.3
    assert wrong["known"] == right["known"] == 1.0


def test_a_call_from_another_module_misses_what_the_intent_points_to(evidence: Evidence) -> None:
    intent = "read the csv file 'data.csv'"
    wrong = _f(evidence, intent, "shutil.rmtree('data.csv')")
    right = _f(evidence, intent, "pd.read_csv('data.csv')")
    assert wrong["miss"] > 0.3 and right["miss"] == pytest.approx(0.0, abs=1e-9)
    assert wrong["rival"] == 0.0  # shutil has no sibling about csv files


def test_method_swaps_stay_within_a_container_type(evidence: Evidence) -> None:
    wrong = _f(evidence, "split the string s on commas", "s.strip(',')")
    assert wrong["rival"] > 0.0 and wrong["fit"] < _f(evidence, "split s", "s.split(',')")["fit"]


def test_code_without_profiled_calls_has_only_lexical_evidence(evidence: Evidence) -> None:
    f = _f(evidence, "add one to the counter", "counter = counter + 1")
    assert [f["fit"], f["worst"], f["rival"], f["miss"], f["known"], f["name"]] == [0.0] * 6
    assert f["lexical"] > 0.0
    assert _f(evidence, "add one to the counter", "x = 2")["lexical"] == 0.0


def test_round_trip_through_plain_data_keeps_the_features(evidence: Evidence) -> None:
    again = Evidence.from_dict(evidence.to_dict())
    pairs = [("get the current working directory", "os.listdir('.')"), ("split s", "s.strip()")]
    assert again.many(pairs) == evidence.many(pairs)
    with pytest.raises(ValueError, match="not API evidence"):
        Evidence.from_dict({"profiles": {}})


def test_name_parts_count_for_apis_no_training_pair_called(evidence: Evidence) -> None:
    intent = "read the csv file 'a.csv'"
    assert _f(evidence, intent, "polars.read_csv('a.csv')")["name"] == 1.0  # no profile
    assert _f(evidence, intent, "polars.write_json('a.csv')")["name"] == 0.0
    # a run-together name (listdir) is read by its parts: list, dir(ectory)
    whole = _f(evidence, "list the directory", "os.listdir('.')")["name"]
    assert whole == 1.0 and _f(evidence, "remove the tree", "os.listdir('.')")["name"] == 0.0


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        ("read the json file `path`", "with open(path, 'w') as fh:\n    fh.write('')", 1.0),
        ("read the json file `path`", "with open(path) as fh:\n    d = json.load(fh)", 0.0),
        ("write the rows to a csv file", "with open(p) as fh:\n    rows = fh.readlines()", 1.0),
        ("write the rows to a csv file", "with open(p, 'a') as fh:\n    fh.write(rows)", 0.0),
        ("load the pickle file", "pickle.dump(model, fh)", 1.0),
        ("encode the bytes as base64", "base64.b64decode(blob)", 1.0),
        ("encode the bytes as base64", "base64.b64encode(blob)", 0.0),
        ("get the maximum value of `xs`", "best = min(xs)", 1.0),
        ("create the folder 'out'", "shutil.rmtree('out')", 1.0),
        ("sort the list `xs`", "xs.pop()", 0.0),  # no verb of the table in the intent
    ],
)
def test_opposite_marks_a_block_that_undoes_the_intent_verb(
    evidence: Evidence, intent: str, code: str, expected: float
) -> None:
    assert evidence.opposite(intent, code) == expected


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        # another file in the quoted one's place: conflict, string missing
        ("connect to the sqlite database 'app.db'", 'c = sqlite3.connect(":memory:")', [1, 0, 1]),
        ("connect to the sqlite database 'app.db'", 'c = sqlite3.connect("app.db")', [0, 0, 0]),
        # the quoted string left out, no other literal in its place
        ("log the message 'disk full'", "logging.basicConfig()", [0, 0, 1]),
        # a back-ticked name unused; an attribute of the same spelling does not count
        ("check whether `path` is a directory", "ok = os.path.isdir(p)", [0, 1, 0]),
        ("check whether `path` is a directory", "ok = os.path.isdir(path)", [0, 0, 0]),
        ("get the current working directory", "os.listdir('.')", [0, 0, 0]),  # nothing quoted
    ],
)
def test_literal_evidence_names_the_quoted_values_a_block_leaves_out(
    intent: str, code: str, expected: list[int]
) -> None:
    assert literal_evidence(intent, code) == [float(v) for v in expected]
    assert len(expected) == len(LITERAL_FEATURES)


# calls written oddly: inside words, after digits, dots and keywords, spaced, unicode, unclosed
ODD_CALLS = [
    "f(x).json()", "1abc(2)", "éa(1)", "a..b(c)", "..a()", "x .y(1)", "print (x)", "_(s)",
    "def f(x): return g(x)", "class A(B): pass", "x = y.\n  z(1)", "a.b.c (x)", "abc", "(",
    "os.path.join(a, b).split('/')", "  s.strip(  )", "obj.method\t(1)", "x.y.z(", "a(b(c(d)))",
]  # fmt: skip


def test_the_call_pattern_finds_what_the_plain_pattern_does() -> None:
    plain = re.compile(r"([A-Za-z_][\w.]*)\(")  # the pattern `_CALL` is a faster form of
    for code in ODD_CALLS:
        assert [m.group(1) for m in _CALL.finditer(code)] == plain.findall(code), code


def test_used_as_name_finds_what_the_pattern_does() -> None:
    names = ["path", "p", "df", "a_b", "é", "x1"]
    codes = [
        "os.path.isdir(path)", "os.path.isdir(p)", "path_2 = path", "mypath", "path.", ".path",
        "(path)", "pathé", "é", "x.df", "df_x + df", "a_b", "xa_b", "x1y", "x1", "", "p\np",
    ]  # fmt: skip
    for name in names:
        for code in codes:
            plain = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", code) is not None
            assert used_as_name(name, code) == plain, (name, code)


def test_the_name_feature_reads_prefixes_both_ways(evidence: Evidence) -> None:
    # a part of 3+ letters counts when it begins an intent word of 3+ letters or is begun by one
    def plain(intent: str, keys: list[str]) -> float:
        said = set(words(intent))
        best = 0.0
        for key in keys:
            parts = evidence._name_parts(key)
            if parts:
                hits = sum(
                    p in said
                    or (
                        len(p) >= 3
                        and any(len(w) >= 3 and (w.startswith(p) or p.startswith(w)) for w in said)
                    )
                    for p in parts
                )
                best = max(best, hits / len(parts))
        return best

    keys = ["os.listdir", "os.listdirectory", "os.getcwd", "pandas.read_csv", ".split", "len"]
    for intent in [
        "list the directory", "list all dirs", "get the current working directory",
        "read csv files", "split a string", "directories of a folder", "the length of x",
    ]:  # fmt: skip
        for key in keys:
            assert evidence._name(intent, [key]) == plain(intent, [key]), (intent, key)
    assert _f(evidence, "list the directory", "os.listdir(p)")["name"] == 1.0
