"""The evaluation's own reading of top-1 hygiene: unparsable code, modules used unimported."""

from __future__ import annotations

from codeqa_train.hygiene import hygiene, unimported_modules


def test_a_module_read_but_never_bound_is_unimported() -> None:
    assert unimported_modules("json.loads(s)") == {"json"}
    assert unimported_modules("json.loads(s)", ["import json"]) == set()
    assert unimported_modules("import json\njson.loads(s)") == set()
    assert unimported_modules("np.mean(x)", ["import numpy as np"]) == set()
    assert unimported_modules("from os import path\npath.join(a)") == set()
    # the user's own variable named like a module, and names bound in the code
    assert unimported_modules("json['a']", intent="get 'a' from dict `json`") == set()
    assert unimported_modules("for time in ts:\n    print(time)") == set()
    assert unimported_modules("print(xs)") == set()


def test_counts_over_top1_suggestions() -> None:
    found = hygiene(
        ["a", "b", "c"],
        [("json.loads(s)", ()), ("os.getcwd()", ("import os",)), ("f(", ())],
    )
    assert (found.n, found.unparsable, found.unimported) == (3, 1, 1)
    assert found.examples == ("json.loads(s)",)
    assert "1 fail ast.parse, 1 use a module without importing it" in found.note("engine")
