"""model/from_imports.py: the module a bare name comes from, read off the code the engine knows,
and the API check importing it."""

from __future__ import annotations

from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable
from codeqa_model.context import SourceContext
from codeqa_model.from_imports import dotted_references, from_import_paths, import_line

TABLE = ApiTable(
    {
        "collections": {"Counter": ["c", "iterable=..., /"], "deque": ["c", "iterable=..."]},
        "collections.Counter": {"fromkeys": ["f", "iterable, v=..."]},
        "statistics": {"Counter": ["c", "iterable=..., /"], "mean": ["f", "data"]},
        "itertools": {"chain": ["c", "*iterables"]},
        "itertools.chain": {"from_iterable": ["f", "iterable, /"]},
        "random": {"choice": ["f", "seq"], "randint": ["f", "a, b"]},
        "secrets": {"choice": ["f", "seq"]},
        "string": {"ascii_uppercase": ["v"], "digits": ["v"]},
        "sys": {"path": ["v"]},
        "os": {"link": ["f", "src, dst"]},
        "ftplib": {"FTP": ["c", "host=..."]},
    }
)
KNOWN = [
    "collections.Counter(words).most_common(1)",
    "c = collections.Counter(xs)",
    "list(itertools.chain.from_iterable(rows))",
    "itertools.chain(a, b)",
    "random.choice(xs)\nrandom.choice(ys)\nrandom.choice(zs)",
    "secrets.choice(xs)",
    "''.join(random.choice(string.ascii_uppercase) for _ in range(8))",
    "string.ascii_uppercase + string.digits",
    "sys.path.append(p)\nsys.path.insert(0, p)",
    "os.link(a, b)\nos.link(c, d)",
    "ftplib.FTP(host)\nftplib.FTP(h)",
    "statistics.mean(xs)",
]


def test_references_count_every_prefix_of_a_dotted_path() -> None:
    seen = dotted_references(["list(itertools.chain.from_iterable(rows))", "x.y", "a.b.c"])
    assert seen["itertools.chain"] == 1 and seen["itertools.chain.from_iterable"] == 1
    assert seen["x.y"] == 1 and "from_iterable" not in seen


def test_a_name_one_module_clearly_owns_gets_its_path() -> None:
    paths = from_import_paths(dotted_references(KNOWN), TABLE)
    assert paths["Counter"] == "collections.Counter"  # statistics' re-export is never spelled
    assert paths["chain"] == "itertools.chain"
    assert paths["choice"] == "random.choice"  # 3 to 1 over secrets
    assert "mean" not in paths  # seen once
    assert "deque" not in paths  # never seen
    assert import_line("collections.Counter") == "from collections import Counter"


def test_a_close_call_between_modules_gives_no_path() -> None:
    paths = from_import_paths(dotted_references([*KNOWN, "secrets.choice(a)"]), TABLE)
    assert "choice" not in paths  # 3 to 2


def _check(code: str) -> tuple[bool, str | None, tuple[str, ...]]:
    checker = ApiChecker(TABLE, seen_code=lambda: KNOWN)
    result = checker.check(code, SourceContext.EMPTY, "count the words in `xs`")
    return result.ok, result.reason, result.imports


def test_the_check_imports_a_bare_name_from_its_module() -> None:
    assert _check("Counter(xs).most_common(1)") == (
        True,
        None,
        ("from collections import Counter",),
    )
    assert _check("list(chain.from_iterable(xs))") == (True, None, ("from itertools import chain",))
    ok, _, imports = _check("''.join(choice(ascii_uppercase) for _ in xs)")
    assert ok and set(imports) == {
        "from random import choice",
        "from string import ascii_uppercase",
    }
    # the imported function's signature still binds
    assert (
        _check("choice(xs, 2)")[1]
        == "random.choice() takes at most 1 positional argument(s), got 2"
    )


def test_names_that_are_likely_the_snippet_s_own_variables_stay_unbound() -> None:
    assert _check("print(path, xs)")[1] == "name 'path' is not defined"  # a value, no underscore
    assert _check("link.click(xs)")[1] == "name 'link' is not defined"  # a function, not called
    # a class's attribute the table does not list: an instance method called on the class
    assert _check("FTP.delete(xs)")[1] == "name 'FTP' is not defined"
    assert _check("Counter.fromkeys(xs)")[0]  # one it lists


def test_without_known_code_nothing_is_imported() -> None:
    result = ApiChecker(TABLE).check("Counter(xs)", SourceContext.EMPTY, "count `xs`")
    assert result.reason == "name 'Counter' is not defined"
