"""`codeqa_train.matcher_data`: the rewrites that make and keep matcher training pairs."""

from __future__ import annotations

import ast
import random

import pytest
from codeqa_train.matcher_data.apis import ApiTable, api_swap, find_calls
from codeqa_train.matcher_data.build import Row, with_returned_forms
from codeqa_train.matcher_data.perturb import (
    add_line,
    drop_line,
    perturb_literal,
    returned_form,
    user_form,
)
from codeqa_train.matcher_data.sources import first_sentence, split_of

TABLE = ApiTable(["os.getcwd", "os.listdir", "os.getcwdb", "json.loads", "json.dumps"])


def test_api_swap_uses_a_sibling_of_the_same_module_not_a_near_twin() -> None:
    rng = random.Random(0)
    seen = {api_swap("cwd = os.getcwd()", TABLE, rng, foreign=0.0) for _ in range(20)}
    assert seen == {"cwd = os.listdir()"}  # getcwdb is the same thing in bytes: never chosen
    assert api_swap("x = foo(1)", TABLE, rng) is None  # nothing known to swap


def test_api_swap_reaches_methods_and_builtins_and_keeps_arguments() -> None:
    rng = random.Random(1)
    swapped = api_swap('parts = line.split(",")', TABLE, rng, foreign=0.0)
    assert swapped is not None and swapped.endswith('(",")') and ".split(" not in swapped
    assert api_swap("n = len(items)", TABLE, rng, foreign=0.0) != "n = len(items)"


def test_find_calls_reads_snippet_aliases() -> None:
    calls, aliases = find_calls("import numpy as np\nm = np.mean(a)")
    assert [c.dotted for c in calls] == ["np.mean"] and aliases["np"] == "numpy"


def test_perturb_literal_changes_the_value_the_intent_names() -> None:
    rng = random.Random(0)
    out = perturb_literal("split `s` on ','", 's.split(",")', rng)
    assert out is not None and out != 's.split(",")' and out.startswith("s.split(")
    assert ast.parse(out)
    assert perturb_literal("sort descending", "a.sort(reverse=True)", rng) == (
        "a.sort(reverse=False)"
    )


def test_drop_and_add_line_keep_valid_python_and_change_the_work() -> None:
    rng = random.Random(0)
    code = "with open(p) as f:\n    data = f.read()\n    rows = data.split()\nprint(rows)"
    dropped = drop_line(code, rng)
    assert dropped is not None and ast.parse(dropped) and dropped.count("\n") < code.count("\n")
    assert drop_line("x = f(1)", rng) is None  # one statement: nothing left to keep
    added = add_line(code, "shutil.rmtree(path)", rng)
    assert added is not None and "shutil.rmtree(path)" in added and ast.parse(added)


def test_user_form_only_rewrites_the_surface() -> None:
    rng = random.Random(3)
    forms = {user_form("os.getcwd()", rng) for _ in range(40)}
    assert "os.getcwd()" in forms
    assert any(f.startswith("def ") for f in forms)
    assert any(f.endswith("return " + f.split(" = ")[0].split()[-1]) for f in forms if " = " in f)
    assert all("os.getcwd()" in f for f in forms)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("max(words, key=len)", "return max(words, key=len)"),
        ("longest = max(words, key=len)", "return max(words, key=len)"),
        ("import os\nfiles = os.listdir(d)", "import os\nreturn os.listdir(d)"),
        ("for x in xs:\n    y = x", None),  # the last line is inside a block
        ("return x", None),  # already returns
        ("print(x)", None),
        ("x = 1\nprint(x)", None),
    ],
)
def test_returned_form_makes_the_value_a_functions_return(code: str, expected: str | None) -> None:
    assert returned_form(code) == expected


def test_returned_forms_rewrite_either_label_at_the_rate() -> None:
    rows = [
        Row(f"q{i}", "get the largest of `xs`", "best = max(xs)", i % 2, "kind", "conala")
        for i in range(400)
    ]
    out = with_returned_forms(rows, 0.25, random.Random(0))
    changed = [r for r in out if r.snippet == "return max(xs)"]
    assert 60 < len(changed) < 140
    assert {r.label for r in changed} == {0, 1}
    assert all(r.snippet in ("best = max(xs)", "return max(xs)") for r in out)
    assert with_returned_forms(rows, 0.0, random.Random(0)) == rows


def test_first_sentence_and_stable_package_split() -> None:
    text = "Return a list of entries . The list is in arbitrary order . With arguments `path`."
    assert first_sentence(text) == "Return a list of entries"
    assert split_of("pkg:os") == split_of("pkg:os")
    shares = [split_of(f"pkg:{i}") for i in range(2000)]
    assert 0.08 < shares.count("valid") / 2000 < 0.16 and 0.08 < shares.count("test") / 2000 < 0.16
