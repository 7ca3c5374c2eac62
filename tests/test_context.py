"""`SourceContext.from_source`: a file's imports and bound names, read with ast only, tolerant
of the half-typed code an editor holds."""

from __future__ import annotations

import sys

from codeqa_model.context import SourceContext


def test_import_forms_and_bindings() -> None:
    ctx = SourceContext.from_source(
        "import os.path\nimport numpy as np\nfrom shutil import copy2 as cp\n"
        "from math import *\nx = 1\nfor i, j in []:\n    pass\n"
        "def f(a, *b, c=1, **d):\n    y = 2\nclass K:\n    pass\n"
    )
    assert {("os", "os"), ("os.path", "os.path"), ("np", "numpy")} <= ctx.imports
    assert ("cp", "shutil.copy2") in ctx.imports
    assert ctx.star_modules() == ("math",)
    assert {"x", "i", "j", "f", "a", "b", "c", "d", "y", "K"} <= ctx.names
    assert ctx.module_for("np") == "numpy" and ctx.module_for("x") is None
    assert ctx.binds("cp") and ctx.binds("y") and not ctx.binds("*") and not ctx.binds("z")


def test_syntax_errors_keep_the_imports_above() -> None:
    ctx = SourceContext.from_source("import json\nitems = [1, 2]\ndef broken(:\n")
    assert ("json", "json") in ctx.imports and "items" in ctx.names
    # A file that never parses still yields its import lines.
    ctx = SourceContext.from_source("import re\nif (:\n  x = \nfrom os import path\n" * 12)
    assert ("re", "re") in ctx.imports and ("path", "os.path") in ctx.imports


def test_empty_hashable_and_nothing_imported() -> None:
    assert SourceContext.from_source("") == SourceContext.EMPTY
    assert hash(SourceContext.from_source("import os")) == hash(
        SourceContext.from_source("import os")
    )
    before = set(sys.modules)
    SourceContext.from_source("import antigravity\nfrom this import s\n")
    assert "antigravity" not in sys.modules and "this" not in set(sys.modules) - before


def test_names_bound_to_one_plain_type_above_have_it() -> None:
    above = (
        "words = []\ntext = 'a1'\nn = len(text)\nf = open('a.txt')\nk: int = 5\n"
        "s = ''\ns = f.read()\n"  # rebound to something unknown
        "a, b = 1, 2\nfor x in words:\n    pass\nx = 3\nm = 1\nm += 2\n"
        "def g(xs):\n    xs = []\n"
    )
    types = dict(SourceContext.from_source(above).types)
    assert types == {"words": "list", "text": "str", "n": "int", "f": "textfile", "k": "int"}


def test_a_type_from_the_file_fails_a_candidate_the_type_has_no_method_for() -> None:
    from codeqa_model.api_check import ApiChecker
    from codeqa_model.api_table import ApiTable

    checker = ApiChecker(ApiTable({}, instances={"list": {"append": ["f", "object, /"]}}))
    context = SourceContext.from_source("words = []\n")
    assert not checker.check("words.split()", context, "count each word in `words`").ok
    assert checker.check("words.append(1)", context, "add 1 to `words`").ok
