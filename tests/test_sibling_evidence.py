"""The sibling contrast: a block whose call is a sibling of the API the intent's verb spells is
told apart from the block that calls that API; a call that says the verb, a long block or a
question title's gerund keeps it quiet; combiner.json carries its groups; fit-combiner
chooses its fixed weight by the negatives flagged."""

from __future__ import annotations

import json

import numpy as np
import pytest
from codeqa_model.api_names import name_match
from codeqa_model.api_table import ApiTable
from codeqa_model.combiner import COMBINER_FORMAT, Combiner
from codeqa_model.match_evidence import Evidence
from codeqa_model.sibling_evidence import (
    BUILTIN_WORDS,
    BUILTINS,
    FULL,
    MAX_CALLS,
    Siblings,
    _initials,
    _may_spell,
    anchor,
)
from codeqa_train.fit_combiner import choose_sibling_weight, feature_names
from combiner_fits import StubMatcher, fit_on_pairs

TABLE = ApiTable(
    {
        "os": {
            "remove": ["f", "path"],
            "rename": ["f", "src, dst"],
            "getcwd": ["f", ""],
            "listdir": ["f", "path=..."],
            "sep": ["v"],
            "path": ["m", "os.path"],
        },
        "os.path": {
            "abspath": ["f", "path"],
            "getmtime": ["f", "filename"],
            "basename": ["f", "p"],
            "exists": ["f", "path"],
        },
    },
    instances={
        "str": {"startswith": ["f", "prefix"], "endswith": ["f", "suffix"], "upper": ["f", ""]},
        "list": {"pop": ["f", "index=..."], "remove": ["f", "value"], "append": ["f", "x"]},
    },
)
DOCS = {"list.pop": "Remove and return item at index (default last)."}


@pytest.fixture(scope="module")
def siblings() -> Siblings:
    return Siblings.from_table(TABLE, DOCS)


NAMED = Siblings(
    {
        ":str": ["isalpha", "isdigit", "isupper", "split", "upper"],
        "os.path": ["exists", "isabs"],
        "code": ["interact"],
    },
    {},
)


@pytest.mark.parametrize(
    ("intent", "code", "call", "other"),
    [
        # a builtin named by its word, the anchor or a later one
        ("get the maximum of the numbers `a` and `b`", "m = min(a, b)", "builtins.min", "max"),
        ("find the longest string in `words`", "return min(words, key=len)", "builtins.min", "max"),
        ("compute the total of `xs`", "t = len(xs)", "builtins.len", "sum"),
        # a predicate named by its word (or its name), under an intent that asks whether
        (
            "check whether the string `s` contains only digits",
            "s.isupper()",
            "x.isupper",
            "isdigit",
        ),
        ("check whether the path `p` exists", "os.path.isabs(p)", "os.path.isabs", "exists"),
        # `code` is a module's name too: `code.isalpha()` calls a str method all the same
        (
            "check if the string `code` contains only digits",
            "code.isalpha()",
            "x.isalpha",
            "isdigit",
        ),
    ],
)
def test_a_later_word_that_names_a_sibling_whole(
    intent: str, code: str, call: str, other: str
) -> None:
    gap, found, sibling = NAMED.gap(intent, code)
    assert gap == 1.0 and found == call and sibling.rpartition(".")[2] == other


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("get the maximum of the numbers `a` and `b`", "m = max(a, b)"),
        # a call spells the anchor: "largest" and "smallest" say how it sorts
        ("sort the list `items` from largest to smallest", "return sorted(items)"),
        # len says "count": counting the words of a split is right
        ("count the words in the string `s`", "n = len(s.split())"),
        # no whether-question: "digits" is what the string holds, not a predicate asked for
        ("remove the digits from the string `s`", "s.upper()"),
    ],
)
def test_no_named_sibling_when_the_block_does_it(intent: str, code: str) -> None:
    assert NAMED.gap(intent, code)[0] == 0.0


def test_groups_are_module_functions_and_builtin_type_methods(siblings: Siblings) -> None:
    assert siblings.groups["os"] == ("getcwd", "listdir", "remove", "rename")  # no value/module
    assert siblings.groups[":str"] == ("endswith", "startswith", "upper")
    assert siblings.groups[BUILTINS] == tuple(sorted(BUILTIN_WORDS))
    assert siblings.docs == DOCS


@pytest.mark.parametrize(
    ("intent", "word"),
    [
        ("rename the file 'old.txt' to 'new.txt'", "rename"),
        ("get the absolute path of `rel`", "absolute"),
        ("check whether the string `word` ends with 'ing'", "ends"),
        ("check if `s` is empty", "empty"),
        ("compute the cosine of the angle `a`", "cosine"),  # "compute" says no more than "get"
        ("How to show matplotlib plots in python", None),
        ("Python: remove a key from a dict?", None),
        ("Plotting a heatmap with matplotlib", None),
        ("get the `x`", None),
    ],
)
def test_the_anchor_is_the_first_word_that_says_what_to_do(intent: str, word: str | None) -> None:
    assert anchor(intent) == word


@pytest.mark.parametrize(
    ("intent", "wrong", "right", "sibling"),
    [
        ("rename the file 'a.txt'", 'os.remove("a.txt")', "os.rename(a, b)", "os.rename"),
        ("get the absolute path of `p`", "os.path.getmtime(p)", "os.path.abspath(p)",
         "os.path.abspath"),
        ("check whether `w` ends with 'ing'", 'w.startswith("ing")', 'w.endswith("ing")',
         "x.endswith"),
        ("get the current working directory", "os.listdir('.')", "os.getcwd()", "os.getcwd"),
    ],
)  # fmt: skip
def test_a_swapped_sibling_has_a_gap_and_the_right_call_none(
    siblings: Siblings, intent: str, wrong: str, right: str, sibling: str
) -> None:
    gap, call, other = siblings.gap(intent, wrong)
    assert gap > 0.5 and other == sibling and call != sibling
    assert siblings.gap(intent, right) == (0.0, "", "")
    assert siblings.many([(intent, wrong), (intent, right)]) == [[gap], [0.0]]


def test_a_call_whose_doc_says_the_verb_keeps_it_quiet(siblings: Siblings) -> None:
    intent = "remove the last element of the list `stack`"
    assert siblings.gap(intent, "top = stack.pop()")[0] == 0.0  # list.pop's doc: "Remove ..."
    assert siblings.gap(intent, "stack.append(0)")[2] == "x.remove"


def test_a_call_named_by_an_intent_word_keeps_it_quiet(siblings: Siblings) -> None:
    assert siblings.gap("remove the upper part of `s`", "s.upper()")[0] == 0.0


def test_long_blocks_and_gerund_titles_get_nothing(siblings: Siblings) -> None:
    calls = "\n".join(f"f{i}(x)" for i in range(MAX_CALLS))
    assert siblings.gap("rename the file `a`", f"os.remove(a)\n{calls}")[0] == 0.0
    assert siblings.gap("rename the file `a`", "os.remove(a)")[0] > 0.5
    assert siblings.gap("Renaming files in a folder", "os.remove(a)")[0] == 0.0


def test_groups_round_trip_and_bad_data_is_refused(siblings: Siblings) -> None:
    again = Siblings.from_dict(json.loads(json.dumps(siblings.to_dict())))
    assert again.groups == siblings.groups and again.docs == siblings.docs
    with pytest.raises(ValueError, match="not sibling groups"):
        Siblings.from_dict({"groups": {}})


def _combiner(siblings: Siblings | None, weight: float = -4.0) -> bytes:
    obj = {
        "format": COMBINER_FORMAT,
        "features": ["matcher_logit", "sibling_gap"],
        "weights": [1.0, weight],
        "bias": 0.0,
        "threshold": 0.3,
        "evidence": Evidence({}, {}, ["os"]).to_dict(),
    }
    if siblings is not None:
        obj["siblings"] = siblings.to_dict()
    return json.dumps(obj).encode()


def test_the_combiner_reads_its_sibling_groups_and_lowers_a_swap(siblings: Siblings) -> None:
    combiner = Combiner.from_bytes(_combiner(siblings))
    pairs = [("rename the file `a`", "os.remove(a)"), ("rename the file `a`", "os.rename(a, b)")]
    wrong, right = combiner.probs(pairs, [0.6, 0.6])
    assert right == pytest.approx(0.6) and wrong < 0.1
    with pytest.raises(ValueError, match="sibling groups"):
        Combiner.from_bytes(_combiner(None))


def test_the_sibling_weight_is_chosen_by_the_negatives_flagged() -> None:
    rng = np.random.default_rng(0)
    n = 400
    labels = np.array([1, 0] * (n // 2))
    sources = np.array(["a"] * (n // 2) + ["b"] * (n // 2))
    probs = np.where(labels == 1, rng.uniform(0.3, 1.0, n), rng.uniform(0.2, 0.9, n))
    on_wrong = np.where((labels == 0) & (rng.uniform(size=n) < 0.3), 1.0, 0.0)
    k, grid = choose_sibling_weight(probs, on_wrong, labels, sources, [0, 1, 3], 0.05)
    assert k == 3.0 and grid["3.0"] > grid["0.0"]
    on_right = np.where((labels == 1) & (rng.uniform(size=n) < 0.3), 1.0, 0.0)
    assert choose_sibling_weight(probs, on_right, labels, sources, [0, 1, 3], 0.05)[0] == 0.0


def test_the_sibling_contrast_is_never_a_fitted_feature() -> None:
    assert "sibling_gap" not in feature_names("all", retriever=True)
    with pytest.raises(SystemExit, match="unknown"):
        feature_names("fit,sibling_gap", retriever=False)


def test_groups_from_docs_alone_and_names_as_the_docs_spell_them() -> None:
    docs = {"os.rename": "Rename.", "os.remove": "Remove.", "str.endswith": "E.", "str.upper": "U."}
    from_docs = Siblings.from_docs({**docs, "len": "Length.", "json.loads": "Load."})
    assert from_docs.groups == {
        "os": ("remove", "rename"),
        ":str": ("endswith", "upper"),
        BUILTINS: tuple(sorted(BUILTIN_WORDS)),  # always there, never written out
    }
    assert BUILTINS not in from_docs.to_dict()["groups"]
    assert from_docs.doc_name("x.endswith") == "str.endswith"
    assert from_docs.doc_name("builtins.len") == "len" and from_docs.doc_name("os.rm") == "os.rm"


def test_fit_combiner_writes_the_chosen_weight_and_the_groups(tmp_path, monkeypatch) -> None:
    table = tmp_path / "api_table.json"
    table.write_text(json.dumps(TABLE.to_json()))
    pairs = [
        (f"rename the file `f{i}`", f"os.rename(f{i}, g{i})", f"os.remove(f{i})") for i in range(80)
    ]
    flags = [
        "--api-table",
        str(table),
        "--sibling-weights",
        "0,2,4",
        "--features",
        "values_missing",
    ]
    matcher = StubMatcher({"os.rename": "Rename the file or directory src to dst"})
    # the fitted features cannot tell the two blocks apart (same matcher score, no value
    # missing): only the sibling contrast can, so a weight above 0 is chosen
    result, rows = fit_on_pairs(tmp_path, monkeypatch, pairs, "api-swap", flags, matcher)
    combiner, report = result["combiner"], result["report"]
    assert combiner["features"][-1] == "sibling_gap" and combiner["weights"][-1] < 0
    # 2 already flags every swap at the threshold rule: the smaller weight wins the tie
    assert report["sibling_weight"]["weight"] == combiner["weights"][-1] == -2.0
    assert report["sibling_weight"]["fires"]["conala"] == {"label 0": 1.0, "label 1": 0.0}
    loaded = Combiner.from_bytes(json.dumps(combiner).encode())
    assert loaded.siblings is not None and "rename" in loaded.siblings.groups["os"]
    pairs = [(rows[0]["intent"], rows[1]["snippet"]), (rows[0]["intent"], rows[0]["snippet"])]
    wrong, right = loaded.probs(pairs, [0.6, 0.6])
    assert wrong < loaded.threshold <= right


def test_a_name_may_spell_a_word_whenever_name_match_finds_it() -> None:
    # `_may_spell` only skips `name_match` calls that would give 0
    names = [
        "rename",
        "remove",
        "rmtree",
        "unlink",
        "makedirs",
        "mkdir",
        "newline",
        "getcwd",
        "curdir",
        "endswith",
        "lenient",
        "tmpfile",
        "count",
        "ab",
        "dirname",
        "basename",
    ]
    words = ["rename", "delete", "remove", "create", "current", "length", "temporary", "end",
             "ends", "folder", "directory", "new", "make", "base", "get", "dir", "co"]  # fmt: skip
    for name in names:
        for word in words:
            if not _may_spell(name, word):
                assert name_match(f"os.{name}", (word,)) == 0.0, (name, word)
    assert _may_spell("rmtree", "delete") and not _may_spell("getcwd", "rename")


def test_a_name_spelled_in_full_begins_with_an_initial_of_the_words() -> None:
    # `_candidates` skips names whose first letter no word or spelling begins with
    names = ["getcwd", "rmtree", "makedirs", "mkdir", "listdir", "curdir", "abspath", "tmpdir"]
    for words in [
        ("get", "the", "current", "working", "directory"),
        ("delete", "the", "folder", "tree"),
        ("create", "a", "new", "directory"),
        ("list", "files", "in", "dir"),
        ("make", "a", "temporary", "folder"),
    ]:
        for name in names:
            if name_match(f"os.{name}", words) >= FULL:
                assert name[0] in _initials(words), (name, words)


def test_candidates_are_the_names_containing_a_piece(siblings: Siblings) -> None:
    group = siblings.groups["os"]
    every = frozenset("abcdefghijklmnopqrstuvwxyz")
    for pieces in [{"ren"}, {"re"}, {"get", "cwd"}, {"zzz"}, {"dir", "ab"}, {"r"}, {"getc"}]:
        want = {
            n for n in group for p in pieces if 2 <= len(p) <= 3 and p in n.lower().replace("_", "")
        }
        assert siblings._candidates("os", pieces, every) == want, pieces
    assert siblings._candidates("os", {"re"}, frozenset("g")) == set()  # none begins with g


def test_a_doc_word_that_only_begins_like_the_verb_does_not_say_it() -> None:
    # str.split's doc speaks of "the string": that says nothing of "strip"
    docs = {"str.split": "Return a list of the words in the string, using `sep` as the delimiter"}
    siblings = Siblings({":str": ["split", "strip"]}, docs)
    intent = "strip the whitespace from both ends of `line`"
    gap, call, sibling = siblings.gap(intent, "clean = line.split()")
    assert gap > 0 and call == "x.split" and sibling == "x.strip"
    assert siblings.gap(intent, "clean = line.strip()")[0] == 0.0
    # a plural in a doc sentence still says the verb ("sorts" says "sort")
    arranged = Siblings({":list": ["arrange", "sort"]}, {"list.arrange": "It sorts the list"})
    assert arranged.gap("sort the list `xs`", "xs.arrange()")[0] == 0.0
