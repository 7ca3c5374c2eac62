"""`codeqa_model.explain`: calls read with ast, and reasons given only on clear evidence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from codeqa_model.explain import (
    Explainer,
    called_apis,
    plain_reason,
    rule_reason,
    sibling_reason,
    siblings,
    summary,
)

DOCS = {
    "os.getcwd": "Return a string representing the current working directory",
    "os.listdir": "Return a list containing the names of the entries in the directory",
    "os.remove": "Remove (delete) the file path",
    "datetime.strptime": "Return a datetime corresponding to date_string",
    "json.loads": "Deserialize s to a Python object",
    "str.upper": "Return a copy of the string converted to uppercase",
    "len": "Return the length of an object",
}


def test_called_apis_resolves_imports_aliases_and_methods() -> None:
    code = (
        "from datetime import datetime\n"
        "import os as o\n"
        "d = datetime.strptime(s, '%Y')\n"
        "print(o.listdir('.'), len(d), name.upper())\n"
    )
    assert called_apis(code, DOCS) == [
        ("datetime.strptime", "datetime.strptime"),
        ("o.listdir", "os.listdir"),
        ("len", "len"),
        ("name.upper", "str.upper"),
    ]
    assert called_apis("def broken(:", DOCS) == []


def test_siblings_and_summary() -> None:
    assert siblings("os.listdir", DOCS) == ["os.getcwd", "os.remove"]
    assert summary(DOCS["os.getcwd"]) == "a string representing the current working directory"
    assert summary("Remove (delete) the file path") == "remove (delete) the file path"


class KeywordScorer:
    """Test double of the matcher: 0.9 when the call's name is the intent's keyword's API."""

    def __init__(self, right: dict[str, str]) -> None:
        self.right = right  # intent keyword -> the API that does it

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        out = []
        for intent, code in pairs:
            hits = [api for word, api in self.right.items() if word in intent]
            out.append(0.9 if any(code.startswith(api + "(") for api in hits) else 0.05)
        return out


def test_names_the_wrong_call_and_the_sibling_the_intent_asks_for() -> None:
    explainer = Explainer(DOCS, KeywordScorer({"working directory": "os.getcwd"}), 0.3)
    reason = explainer.explain("get the current working directory", "items = os.listdir('.')")
    assert reason == (
        "calls os.listdir; the intent asks for a string representing the current working "
        "directory (os.getcwd)"
    )


def test_no_reason_when_the_calls_fit_or_nothing_is_documented() -> None:
    explainer = Explainer(DOCS, KeywordScorer({"working directory": "os.getcwd"}), 0.3)
    assert explainer.explain("get the current working directory", "cwd = os.getcwd()") is None
    assert explainer.explain("get the current working directory", "x = foo.bar()") is None
    assert explainer.explain("", "os.listdir('.')") is None


def test_single_wrong_call_without_a_better_sibling_is_described() -> None:
    explainer = Explainer(DOCS, KeywordScorer({}), 0.3)
    assert explainer.explain("parse the date", "d = json.loads(s)") == (
        "calls json.loads, which does this: deserialize s to a Python object"
    )
    # two documented calls, no better sibling: no single culprit to name
    assert explainer.explain("parse the date", "d = json.loads(s)\nn = len(d)") is None


def test_module_heads_are_not_read_as_str_or_list_methods() -> None:
    docs = {**DOCS, "list.sort": "Sort the list in place", "dict.get": "Return the value for key"}
    assert called_apis("import numpy as np\nnp.sort(a)\nrequests.get(u)", docs) == []
    assert called_apis("names.sort()", docs) == [("names.sort", "list.sort")]


def test_the_plain_sibling_is_named_over_its_variant() -> None:
    docs = {**DOCS, "os.getcwdb": "Return a bytestring representing the current working directory"}
    scorer = KeywordScorer({"working directory": "os.getcwd"})  # os.getcwdb( does not match

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        return [
            0.95 if c.startswith("os.getcwdb(") else s
            for (_, c), s in zip(pairs, scorer(pairs), strict=True)
        ]

    reason = Explainer(docs, score, 0.3).explain(
        "get the current working directory", "os.listdir()"
    )
    assert reason is not None and reason.endswith("(os.getcwd)")


def test_plain_facts_explain_a_block_without_a_wrong_documented_call() -> None:
    explainer = Explainer(DOCS, KeywordScorer({}), 0.3)
    undo = "with open(path, 'w') as fh:\n    fh.write('')\nreturn path"
    assert explainer.explain("read the json file at `path`", undo) == (
        'opens the file for writing; the intent says "read"'
    )
    assert plain_reason("write the rows to the file `p`", "with open(p) as fh:\n    x = 1") == (
        'opens the file for reading; the intent says "write"'
    )
    assert plain_reason("encode the bytes `b` as base64", "base64.b64decode(b)") == (
        'calls base64.b64decode; the intent says "encode"'
    )
    assert plain_reason("read the settings file 'config.ini'", "cfg.read('setup.cfg')") == (
        "uses 'setup.cfg' where the intent names 'config.ini'"
    )
    assert plain_reason("read the settings file 'config.ini'", "cfg.read(name)") == (
        "does not use 'config.ini', which the intent names"
    )


def test_no_plain_reason_when_the_block_does_the_verb_or_uses_the_values() -> None:
    reading = "with open(p) as fh:\n    d = json.load(fh)"
    assert plain_reason("read the json file `p`", reading) is None
    # it writes, and it also loads: the verb is done, so no reason
    assert plain_reason("load the file `p`", "d = json.load(open(p, 'w'))") is None
    assert plain_reason("get the unique values of `tags`", "unique = set(tags)") is None


def test_a_sibling_the_intent_verb_spells_is_named_before_the_matcher_is_asked() -> None:
    docs = {
        **DOCS,
        "os.rename": "Rename the file or directory src to dst",
        "str.endswith": "Return True if the string ends with the suffix",
        "str.startswith": "Return True if the string starts with the prefix",
    }
    explainer = Explainer(docs, KeywordScorer({}), 0.3)  # the matcher finds no better sibling
    assert explainer.explain("rename the file 'a.txt' to 'b.txt'", "os.remove('a.txt')") == (
        "calls os.remove; the intent asks for rename the file or directory src to dst (os.rename)"
    )
    assert sibling_reason("check if `w` ends with 'ing'", "w.startswith('ing')", docs) == (
        "calls str.startswith; the intent asks for True if the string ends with the suffix "
        "(str.endswith)"
    )
    assert sibling_reason("rename the file 'a.txt' to 'b.txt'", "os.rename(a, b)", docs) is None
    # an undocumented sibling is not named (the docs are the groups)
    assert sibling_reason("rename the file 'a.txt'", "os.remove('a.txt')", DOCS) is None


def test_of_two_fully_spelled_siblings_the_one_whose_doc_says_more_is_named() -> None:
    docs = {
        **DOCS,
        "os.curdir": "The constant string used to refer to the current directory",
        "os.getcwd": "Return a string representing the current working directory",
    }
    for _ in range(3):  # no set order may decide between the two
        reason = sibling_reason("get the current working directory", "os.listdir('.')", docs)
        assert reason is not None and reason.endswith("(os.getcwd)")


def test_a_placeholder_and_an_unasked_effect_are_named() -> None:
    explainer = Explainer(DOCS, KeywordScorer({}), 0.3)
    placeholder = 'print("hello")\nreturn link'
    assert explainer.explain("parse the query of the url `link`", placeholder) == (
        "only prints 'hello'; nothing here does what the intent says"
    )
    assert explainer.explain("get the 3 most common items of `tally`", "top = tally.clear()") == (
        "calls tally.clear, which deletes; the intent asks for no such thing"
    )
    # the opposite of the intent's verb is named before the effect ("read" asks for no write)
    undo = "with open(p, 'w') as fh:\n    fh.write('')"
    assert explainer.explain("read the file `p`", undo) == (
        'opens the file for writing; the intent says "read"'
    )


@pytest.mark.parametrize(
    ("intent", "code", "reason"),
    [
        ("encode the bytes `blob` as base64", "encoded = hashlib.md5(blob).digest()",
         "uses no base64; the intent asks for it"),
        ("parse the json string `body` into a python object", "obj = json.dumps(body)",
         "calls json.dumps, which writes; the intent asks to read or parse"),
        # no rule broken, a long block, code that does not parse
        ("parse the json string `body` into a python object", "obj = json.loads(body)", None),
        ("parse the json string `body`", "\n".join(["x = 1"] * 6 + ["json.dumps(body)"]), None),
        ("parse the json string `body`", "json.dumps(body", None),
    ],
)  # fmt: skip
def test_a_short_block_breaking_a_check_rule_is_explained_by_it(
    intent: str, code: str, reason: str | None
) -> None:
    assert rule_reason(intent, code) == reason
