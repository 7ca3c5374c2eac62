"""The ranking's details: paths opened where a file object belongs, the learned retriever's
P(api | intent) of each candidate, and variety among the suggestions shown."""

from __future__ import annotations

import numpy as np
from codeqa_model.api_prior import ApiPrior
from codeqa_model.api_retriever import ApiRetriever
from codeqa_model.api_table import ApiTable
from codeqa_model.file_args import open_file_arguments, path_names

TABLE = ApiTable.from_json(
    {
        "format": 1,
        "modules": {
            "json": {"load": ["f", "fp, *, cls=..."], "dump": ["f", "obj, fp, *, indent=..."]},
            "pickle": {"dump": ["f", "obj, file, protocol=..."]},
            "zipfile": {"ZipFile": ["c", "file, mode=..."]},
            "csv": {"DictReader": ["c", "f, fieldnames=..."]},
        },
        "open": [],
        "aliases": {},
        "instances": {},
    }
)


def test_a_path_passed_for_a_file_object_is_opened_with_the_right_mode() -> None:
    def fix(code: str) -> str:
        return open_file_arguments(code, (), TABLE, {})[0]

    assert fix("json.load('cfg.json')") == "json.load(open('cfg.json'))"
    assert fix("json.dump(d, 'out/c.json')") == "json.dump(d, open('out/c.json', 'w'))"
    assert fix("pickle.dump(d, 'd.pkl')") == "pickle.dump(d, open('d.pkl', 'wb'))"
    assert fix("rows = csv.DictReader('data.csv')") == "rows = csv.DictReader(open('data.csv'))"
    # a path that receives a file method (a retrieved `f.write(s)` with the path put in for `f`)
    assert fix("'out.txt'.write(text)") == "open('out.txt', 'w').write(text)"
    assert fix("lines = 'a.txt'.readlines()") == "lines = open('a.txt').readlines()"
    assert fix("'a b'.split()") == "'a b'.split()"
    # a path whose lines are split: a file name has none, the file's text is meant
    assert fix("'notes.txt'.splitlines()") == "open('notes.txt').read().splitlines()"
    assert fix("'notes.txt'.split('.')") == "'notes.txt'.split('.')"  # a name split by a dot
    # a path where a path belongs, a value that is no path, an open file, an unknown call
    for same in (
        "zipfile.ZipFile('a.zip')",
        "json.load('not a path')",
        "json.load(f)",
        "json.loads('cfg.json')",
        "json.load(",
    ):
        assert fix(same) == same
    # the file's own import alias is followed
    assert fix("import json as j\nj.load('c.json')") == "import json as j\nj.load(open('c.json'))"
    assert open_file_arguments("json.load('c.json')", (), None, {})[0] == "json.load('c.json')"


def test_a_name_spelled_as_a_path_is_opened_too() -> None:
    paths = path_names("read json file `cfg_path` and pickle file `dataFilename`, not `f`")
    assert paths == {"cfg_path", "dataFilename"}
    assert open_file_arguments("json.load(cfg_path)", (), TABLE, {}, paths)[0] == (
        "json.load(open(cfg_path))"
    )
    assert open_file_arguments("cfg_path.read()", (), TABLE, {}, paths)[0] == (
        "open(cfg_path).read()"
    )
    for same in ("json.load(f)", "json.load(cfg_path)"):
        assert open_file_arguments(same, (), TABLE, {}, frozenset({"f"}) - {"f"})[0] == same


def test_spans_follow_the_inserted_text() -> None:
    code = "json.dump(cfg, 'c.json')"
    spans = ((10, 13), (15, 23))
    assert code[15:23] == "'c.json'"
    fixed, moved = open_file_arguments(code, spans, TABLE, {})
    assert [fixed[s:e] for s, e in moved] == ["cfg", "'c.json'"]
    fixed, moved = open_file_arguments(
        "x = 'é'; " + code, tuple((s + 9, e + 9) for s, e in spans), TABLE, {}
    )
    assert [fixed[s:e] for s, e in moved] == ["cfg", "'c.json'"]


def _retriever() -> ApiRetriever:
    # "duplicate" points at `set`, "read" at `.read`; `list` has the larger bias
    vocab = {"remove": 0, "duplicate": 1, "read": 2}
    names = ("list", "set", ".read")
    words = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]], dtype=np.float32)
    apis = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    return ApiRetriever(
        vocab=vocab,
        api_names=names,
        words=words,
        apis=apis,
        bias=np.array([1.0, 0.0, 0.0], dtype=np.float32),
        entry_ptr=np.array([0], dtype=np.int64),
        entry_api=np.array([], dtype=np.int64),
        weight=0.5,
        entries_digest="",
    )


def test_api_prior_prefers_the_api_the_intent_asks_for() -> None:
    prior = ApiPrior(_retriever())
    codes = ["list(set(items))", "items.remove(items)", "items[-1]", "f.read()"]
    scores = prior.scores("remove duplicates from `items`", codes)
    assert scores[0] > scores[3] and scores[0] > 0.5  # set's probability
    assert scores[1] == 0.0 and scores[2] == 0.0  # APIs it does not know, no call at all
    assert prior.scores("nothing it knows", codes).tolist() == [0.0] * 4


def test_a_type_word_naming_a_value_does_not_vote_for_its_constructor() -> None:
    prior = ApiPrior(_retriever())
    codes = ["list(set(items))", "set(items)"]
    # "list `items`" says what items is: the list constructor gets nothing from it
    declared = prior.scores("remove duplicate in list `items`", codes)
    assert declared[0] == declared[1] > 0.5  # list(set(...)) keeps set's probability
    assert prior.scores("remove duplicate in list `items`", ["list(items)"]).tolist() == [0.0]
    # asked for elsewhere in the intent, the constructor keeps its probability
    asked = prior.scores("remove duplicate in list `items` and return a list", ["list(items)"])
    assert asked[0] > 0.0


def test_repeats_of_an_earlier_suggestion_go_after_the_other_passing_ones() -> None:
    from codeqa_model.api_check import ApiChecker
    from codeqa_model.context import SourceContext
    from codeqa_model.inference import Suggestion, check_suggestions

    codes = [
        "subprocess.run(c, stdout=None)",
        "subprocess.run(c, capture_output=False)",
        "subprocess.run(c, shell=True)",  # a third subprocess.run
        "xs[-1]",
        "xs[(-1)]",  # the same code as the one before, spelled differently
        "subprocess.check_output(c)",
        "undefined_name(c)",  # fails the check: after every passing one
    ]
    ranked = [Suggestion(c, 1.0 - i / 10, ()) for i, c in enumerate(codes)]

    def shown(k: int, per_api: int = 2) -> list[str]:
        found = check_suggestions(ranked, ApiChecker(None), "c xs", SourceContext.EMPTY, k, per_api)
        return [s.code for s in found]

    assert shown(7) == [codes[i] for i in (0, 1, 3, 5, 2, 4, 6)]
    assert shown(3, per_api=1) == [codes[0], codes[3], codes[5]]
    # the first passing suggestion is first whatever comes after it
    assert shown(1, per_api=1) == [codes[0]]
