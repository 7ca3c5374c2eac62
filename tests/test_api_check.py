"""The static candidate checker: parse, names, attributes, call binding, needed imports — and
that it never imports what a candidate names."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from codeqa_model.api_check import ApiChecker, declared_only, declared_types
from codeqa_model.api_table import ApiTable, ApiTableError, parse_signature
from codeqa_model.context import SourceContext

TABLE = ApiTable(
    {
        "os": {
            "getcwd": ["f", ""],
            "system": ["f", "command"],
            "listdir": ["f", "path=..."],
            "makedirs": ["f", "name, mode=..., exist_ok=..."],
            "path": ["m", "posixpath"],
        },
        "posixpath": {"join": ["f", "a, /, *paths"], "exists": ["f", "path"]},
        "shutil": {"copy2": ["f", "src, dst, *, follow_symlinks=..."]},
        "urllib": {"request": ["m", "urllib.request"]},
        "urllib.request": {"urlopen": ["f", "url, data=..."]},
        "re": {"findall": ["f", "pattern, string, flags=..."]},
        "hashlib": {"sha256": ["f", "string=..., *, usedforsecurity=..."]},
        "base64": {"b64encode": ["f", "s, altchars=..."], "b64decode": ["f", "s, altchars=..."]},
        "struct": {"unpack": ["f", "format, buffer, /"]},
        "sys": {"path": ["v"], "argv": ["v"], "exit": ["f", "status=..., /"]},
        "random": {"random": ["v"], "choice": ["f", "seq"]},
        "json": {
            "loads": ["f", "s, *, cls=..., **kwds"],
            "load": ["f", "fp, *, cls=..., **kwds"],
            "dump": ["f", "obj, fp, **kw"],
        },
        "datetime": {"datetime": ["c", "year, month, day"], "date": ["c", "year, month, day"]},
        "datetime.datetime": {"strptime": ["f", "date_string, format, /"]},
        "numpy": {"mean": ["f", "a, axis=..."]},
        "builtins": {
            "len": ["f", "obj, /"],
            "open": ["f", "file, mode=..., buffering=..., encoding=..."],
            "sorted": ["f", "iterable, /, *, key=..., reverse=..."],
            "isinstance": ["f", "obj, class_or_tuple, /"],
        },
        "antigravity": {"geohash": ["f", "latitude, longitude, datedow"]},
    },
    open_modules=["datetime.datetime", "numpy"],
    aliases={"np": "numpy"},
    instances={
        "str": {
            "join": ["f", "iterable, /"],
            "isdigit": ["f", ""],
            "encode": ["f", "encoding=..., errors=..."],
            "rstrip": ["f", "chars=..., /"],
            "startswith": ["f", "prefix, start=..., end=..., /"],
        },
        "list": {"pop": ["f", "index=..., /"], "insert": ["f", "index, object, /"]},
    },
)


@pytest.fixture
def checker() -> ApiChecker:
    return ApiChecker(TABLE)


def ctx(text: str) -> SourceContext:
    return SourceContext.from_source(textwrap.dedent(text))


def test_good_call_in_a_file_importing_its_module(checker: ApiChecker) -> None:
    result = checker.check("os.getcwd()", ctx("import os\n"))
    assert result.ok and result.reason is None and result.imports == ()


def test_module_the_file_lacks_becomes_an_import_line(checker: ApiChecker) -> None:
    result = checker.check("shutil.copy2(src, dst)", ctx("import os\n"), "copy file `src` to `dst`")
    assert result.ok
    assert result.imports == ("import shutil",)


def test_conventional_alias_gets_its_import_as(checker: ApiChecker) -> None:
    result = checker.check("np.mean(x)", SourceContext.EMPTY, "mean of array `x`")
    assert result.ok and result.imports == ("import numpy as np",)


def test_candidate_own_import_needs_nothing_more(checker: ApiChecker) -> None:
    result = checker.check("import shutil\nshutil.copy2(a, b)", SourceContext.EMPTY, "copy a to b")
    assert result.ok and result.imports == ()


def test_an_augmented_assignment_reads_its_name_first(checker: ApiChecker) -> None:
    code = "results += [f for f in os.listdir('.')]"
    result = checker.check(code, ctx("import os\n"), "list files")
    assert (result.ok, result.reason) == (False, "name 'results' is not defined")
    assert checker.check(code, ctx("import os\nresults = []\n"), "list files").ok
    assert checker.check("total = 0\nfor x in xs:\n    total += x", ctx(""), "sum `xs`").ok


def test_unparseable_candidate_fails(checker: ApiChecker) -> None:
    result = checker.check("sorted(d.items(), key=lambda x: x[1]", SourceContext.EMPTY, "sort `d`")
    assert not result.ok and "does not parse" in (result.reason or "")


def test_missing_module_attribute_fails(checker: ApiChecker) -> None:
    result = checker.check("os.copy(src, dst)", ctx("import os"), "copy `src` to `dst`")
    assert not result.ok
    assert result.reason == "module 'os' has no attribute 'copy'"


def test_attribute_through_submodule_alias(checker: ApiChecker) -> None:
    assert checker.check("os.path.join(a, b)", ctx("import os"), "join a and b").ok
    bad = checker.check("os.path.joinn(a, b)", ctx("import os"), "join a and b")
    assert bad.reason == "module 'os.path' has no attribute 'joinn'"


def test_call_that_does_not_bind_fails(checker: ApiChecker) -> None:
    result = checker.check("os.getcwd('.')", ctx("import os"))
    assert not result.ok and "takes at most 0 positional" in (result.reason or "")
    missing = checker.check("shutil.copy2(src)", ctx("import shutil"), "copy `src`")
    assert "missing required argument(s) 'dst'" in (missing.reason or "")
    keyword = checker.check("os.makedirs(p, exists_ok=True)", ctx("import os"), "make dir p")
    assert "unexpected keyword argument 'exists_ok'" in (keyword.reason or "")


def test_star_arguments_are_not_judged(checker: ApiChecker) -> None:
    assert checker.check("shutil.copy2(*pair)", ctx("import shutil"), "copy pair").ok
    assert checker.check("json.loads(s, **opts)", ctx("import json"), "parse s opts").ok


def test_builtin_calls_bind_unless_shadowed(checker: ApiChecker) -> None:
    assert not checker.check("len(a, b)", SourceContext.EMPTY, "a b").ok
    shadowing = ctx("def len(*args):\n    return 0\n")
    assert checker.check("len(a, b)", shadowing, "a b").ok


def test_undefined_name_fails_and_intent_names_resolve(checker: ApiChecker) -> None:
    result = checker.check("sorted(items)", SourceContext.EMPTY, "sort the list")
    assert not result.ok and result.reason == "name 'items' is not defined"
    assert checker.check("sorted(items)", SourceContext.EMPTY, "sort `items`").ok
    assert checker.check("sorted(items)", ctx("items = [3, 1]\n")).ok
    # without back-ticks any word may be a value (CoNaLa's raw intents name variables so) ...
    assert checker.check("sorted(items, reverse=True)", SourceContext.EMPTY, "sort items").ok
    # ... except one the intent asks to look up now: "the current year" has no `year` to read
    result = checker.check("str(year)", SourceContext.EMPTY, "get the current year")
    assert result.reason == "name 'year' is not defined"
    assert checker.check("str(year)", SourceContext.EMPTY, "get the year as a string").ok
    # ... but an intent that back-ticks its names says its other words are English
    result = checker.check("xs[reverse::-1]", SourceContext.EMPTY, "reverse list `xs`")
    assert result.reason == "name 'reverse' is not defined"


def test_a_module_the_intent_names_in_words_still_needs_its_import(checker: ApiChecker) -> None:
    result = checker.check("json.loads(s)", SourceContext.EMPTY, "load the json string `s`")
    assert result.ok and result.imports == ("import json",)
    # a word is no function either: "sleep for 2 seconds" does not bind sleep
    result = checker.check("sleep(2)", SourceContext.EMPTY, "sleep for 2 seconds")
    assert not result.ok and result.reason == "name 'sleep' is not defined"
    # back-ticked, the word is the user's variable: nothing to import, its methods unknown
    result = checker.check("json.loads(s)", SourceContext.EMPTY, "load `s` with the codec `json`")
    assert result.ok and result.imports == ()


def test_a_name_the_intent_gives_a_type_is_checked_as_that_type(checker: ApiChecker) -> None:
    assert declared_types("convert list of strings `xs` to ints in string `s`") == {
        "xs": "list",
        "s": "str",
    }
    assert declared_types("the list `x` or the string `x`") == {}  # two types: neither
    assert declared_types("how many digits does the integer `n` have") == {"n": "int"}
    # a plural type word types every name it lists
    assert declared_types("merge dicts `a` and `b`") == {"a": "dict", "b": "dict"}
    assert declared_types("common to lists `a`, `b` and `c`") == dict.fromkeys("abc", "list")
    assert declared_types("merge dictionaries `a`, `b`") == {"a": "dict", "b": "dict"}
    assert declared_types("string `s` and `n`") == {"s": "str"}  # a singular one, one name
    assert declared_only("shuffle the list `cards`") == {"list"}
    assert declared_only("get the keys of dict `d` as a list") == {"dict"}
    assert declared_only("convert list of strings `xs` to ints") == {"list"}
    assert declared_only("convert list of strings `xs` to a list of ints") == set()
    assert declared_only("convert string `s` to a list") == {"str"}
    assert declared_only("split the text `s` into strings") == set()  # nothing declared
    result = checker.check("sorted(xs.items())", SourceContext.EMPTY, "sort list `xs`")
    assert not result.ok and result.reason == "'list' object has no attribute 'items'"
    assert not checker.check("s.isdigit(1)", SourceContext.EMPTY, "is string `s` digits").ok
    assert checker.check("s.isdigit()", SourceContext.EMPTY, "is string `s` digits").ok
    first = checker.check("xs[:5].items()", SourceContext.EMPTY, "first 5 of the list `xs`")
    assert first.reason == "'list' object has no attribute 'items'"
    # a date's and a datetime's members are this interpreter's
    when = "format the datetime `now` as 'YYYY'"
    made_up = checker.check("now.datetime.now().format('YYYY')", SourceContext.EMPTY, when)
    assert made_up.reason == "'datetime' object has no attribute 'datetime'"
    assert checker.check("now.strftime('%Y')", SourceContext.EMPTY, when).ok
    day = "get the weekday of the date `d`"
    assert checker.check("d.hour", SourceContext.EMPTY, day).reason == (
        "'date' object has no attribute 'hour'"
    )
    assert checker.check("d.weekday()", SourceContext.EMPTY, day).ok
    # types the table does not list, and names the candidate binds itself, are not judged
    assert checker.check("d.items()", SourceContext.EMPTY, "items of dict `d`").ok
    assert checker.check("xs = {}\nxs.items()", SourceContext.EMPTY, "sort list `xs`").ok
    # ... except where the one statement binding it reads the user's value first
    rebinding = checker.check("xs = sorted(xs.items())", SourceContext.EMPTY, "sort list `xs`")
    assert rebinding.reason == "'list' object has no attribute 'items'"
    assert checker.check("xs = sorted(xs)", SourceContext.EMPTY, "sort list `xs`").ok
    assert checker.check(
        "xs = [xs.items() for xs in ds]", SourceContext.EMPTY, "list `xs`, `ds`"
    ).ok


def test_names_the_candidate_binds_resolve(checker: ApiChecker) -> None:
    code = "result = []\nfor x in range(3):\n    result.append(x)\nprint([y for y in result])"
    assert checker.check(code).ok


def test_from_import_context_and_class_namespace(checker: ApiChecker) -> None:
    context = ctx("from datetime import datetime\n")
    assert checker.check("datetime.strptime(s, '%Y')", context, "parse s").ok
    assert not checker.check("datetime.strptime(s)", context, "parse s").ok
    # The class namespace is open (inherited members are not listed): unknown members pass.
    assert checker.check("datetime.fromisoformat(s)", context, "parse s").ok
    # The module has no `now`: a classic mistake when the file did `import datetime`.
    wrong = checker.check("datetime.now()", ctx("import datetime\n"))
    assert wrong.reason == "module 'datetime' has no attribute 'now'"


def test_class_named_like_its_module_gets_a_from_import(checker: ApiChecker) -> None:
    """`datetime.strptime` with nothing bound needs `from datetime import datetime`."""
    result = checker.check("datetime.strptime(s, '%Y')", SourceContext.EMPTY, "parse `s`")
    assert result.ok and result.imports == ("from datetime import datetime",)
    plain = checker.check("datetime.date(2020, 1, 2)", SourceContext.EMPTY)
    assert plain.ok and plain.imports == ("import datetime",)


def test_star_imports_bind_the_module_names(checker: ApiChecker) -> None:
    context = ctx("from shutil import *\n")
    assert context.star_modules() == ("shutil",) and not context.binds("*")
    assert checker.check("copy2(a, b)", context, "copy a to b").ok
    assert checker.check("copy2(a)", context, "copy a").reason == (
        "shutil.copy2() missing required argument(s) 'dst'"
    )
    assert checker.check("rmtree(a)", context, "remove a").reason == "name 'rmtree' is not defined"
    assert checker.check("anything(a)", ctx("from mylib import *\n"), "a").ok


def test_literal_receivers_are_checked_against_their_type(checker: ApiChecker) -> None:
    assert checker.check("'abc'.isdigit()").ok
    assert checker.check("f'{x}'.join(parts)", SourceContext.EMPTY, "x parts").ok
    assert checker.check("'abc'.isDigit()").reason == "'str' object has no attribute 'isDigit'"
    assert "takes at most 0 positional" in (checker.check("'abc'.isdigit(1)").reason or "")
    assert checker.check("[x for x in y].append(1)", SourceContext.EMPTY, "y").reason == (
        "'list' object has no attribute 'append'"  # this table lists no list members
    )
    assert checker.check("{1: 2}.anything()").ok  # dict members not listed here: not judged
    assert checker.check("'abc'.__len__()").ok


def test_isinstance_takes_a_type(checker: ApiChecker) -> None:
    assert checker.check("isinstance(x, None)", SourceContext.EMPTY, "`x`").reason == (
        "isinstance() is given None, which is no type"
    )
    assert not checker.check("isinstance(x, 'str')", SourceContext.EMPTY, "`x`").ok
    assert checker.check("isinstance(x, (int, float))", SourceContext.EMPTY, "is `x` a number").ok


def test_a_module_is_never_searched_or_looped_over(checker: ApiChecker) -> None:
    assert checker.check("any(sub in json for sub in x)", SourceContext.EMPTY, "x").reason == (
        "looks for items in module 'json'"
    )
    assert checker.check("for m in os:\n    pass").reason == "looks for items in module 'os'"
    assert checker.check("'a' in sys.argv").ok  # a module's value is searched, not the module
    assert checker.check("'a' in json", ctx("json = 'abc'\n")).ok  # the file's own name


def test_module_values_of_a_plain_type_are_checked_as_that_type(checker: ApiChecker) -> None:
    assert checker.check("sys.path.insert(0, 'lib')").ok
    assert checker.check("sys.path.insert(0, 0, 1)").reason == (
        "list.insert() takes at most 2 positional argument(s), got 3"
    )
    assert checker.check("sys.argv.split()").reason == "'list' object has no attribute 'split'"
    assert checker.check("sys.argv[1:]").ok
    assert checker.check("sys.exit(0).distutils()").reason == (
        "'NoneType' object has no attribute 'distutils'"
    )
    # the file's own `sys` is not the module
    assert checker.check("sys.argv.split()", ctx("sys = load()\n")).ok


def test_a_string_never_fills_a_size_or_an_open_file(checker: ApiChecker) -> None:
    """`json.load(text)` under "parse json string `text`" wants `json.loads`; a size, count or
    width is a number whatever the intent quotes."""
    intent = "parse json string `text` into a dict"
    assert checker.check("json.load(text)", ctx("import json"), intent).reason == (
        "json.load() passes a string as 'fp'"
    )
    assert checker.check("json.loads(text)", ctx("import json"), intent).ok
    assert checker.check("json.load(f)", ctx("import json"), "parse json file `f`").ok
    assert checker.check("json.dump(d, fp='out.json')", ctx("import json"), "d").reason == (
        "json.dump() passes a string as 'fp'"
    )
    assert checker.check("json.load(open('a.json'))", ctx("import json")).ok
    write = "write dict `config` to 'config.json'"
    assert checker.check("os.system('config.json')", ctx("import os"), write).reason == (
        "os.system() passes a file name as 'command'"
    )
    assert checker.check("os.system('ls -l')", ctx("import os"), "list files").ok
    read = "read all text from file 'notes.md'"
    assert checker.check("open('file.txt', 'notes.md')", SourceContext.EMPTY, read).reason == (
        "open() passes 'notes.md' as the mode"
    )
    assert checker.check("open('notes.md', 'rb').read()", SourceContext.EMPTY, read).ok


def test_only_a_string_fills_a_pattern_a_format_or_a_string(checker: ApiChecker) -> None:
    """A number or a list where the signature wants text will not run; a tuple of prefixes
    may (`str.startswith` takes one), a number may not."""
    intent = "get every 3 letter string made of the letters 'ab'"
    assert checker.check("re.findall('ab', 3)", ctx("import re"), intent).reason == (
        "re.findall() passes a number as 'string'"
    )
    assert checker.check("re.findall('a', xs)", ctx("import re"), "in list `xs`").reason == (
        "re.findall() passes a list as 'string'"
    )
    assert checker.check("re.findall('[ab]', s)", ctx("import re"), "in string `s`").ok
    assert checker.check("struct.unpack('-', 3)", ctx("import struct")).reason == (
        "struct.unpack() passes a number as 'buffer'"
    )
    assert checker.check("random.choice(7)", ctx("import random")).reason == (
        "random.choice() passes a number as 'seq'"
    )
    assert checker.check("s.startswith(('a', 'b'))", SourceContext.EMPTY, "string `s`").ok
    assert not checker.check("s.startswith(3)", SourceContext.EMPTY, "string `s`").ok


def test_hashes_and_encoders_take_bytes_not_text(checker: ApiChecker) -> None:
    intent = "get the sha256 hex digest of string `s`"
    assert checker.check("hashlib.sha256(s).hexdigest()", ctx("import hashlib"), intent).reason == (
        "hashlib.sha256() passes text as 'string', which takes bytes"
    )
    assert checker.check("hashlib.sha256(s.encode()).hexdigest()", ctx("import hashlib"), intent).ok
    assert not checker.check("base64.b64encode('hi')", ctx("import base64")).ok
    assert checker.check("base64.b64decode('aGk=')", ctx("import base64")).ok  # text is fine


def test_a_catch_all_signature_does_not_hide_the_specific_ones() -> None:
    table = ApiTable(
        {"builtins": {"dict": ["c", "", "**kwargs", "map, /, **kwargs", "*args, **kwargs"]}}
    )
    checker = ApiChecker(table)
    intent = "merge dict `a` and dict `b`"
    assert not checker.check("dict(a, b)", SourceContext.EMPTY, intent).ok
    assert checker.check("dict(a, **b)", SourceContext.EMPTY, intent).ok
    only = ApiTable({"m": {"f": ["f", "*args, **kwargs"]}})
    assert ApiChecker(only).check("m.f(1, 2, x=3)", ctx("import m")).ok


def test_no_loop_over_a_number_no_unasked_exit_no_u_mode(checker: ApiChecker) -> None:
    assert checker.check("[x for x in len(xs)]", SourceContext.EMPTY, "`xs`").reason == (
        "iterates over len(xs), which is a int"
    )
    assert checker.check("[x for x in sorted(xs)]", SourceContext.EMPTY, "`xs`").ok
    assert checker.check("sys.exit(0)", ctx("import sys"), "draw a number").reason == (
        "stops the program, which the intent does not ask for"
    )
    assert checker.check("sys.exit(0)", ctx("import sys"), "exit the program").ok
    assert not checker.check("raise ValueError(x)", SourceContext.EMPTY, "sum `x`").ok
    assert checker.check("raise ValueError(x)", SourceContext.EMPTY, "raise an error for `x`").ok
    assert checker.check("open('a.txt', 'rU')", SourceContext.EMPTY, "read 'a.txt'").reason == (
        "open() passes 'rU' as the mode"
    )


def test_a_literal_is_never_called(checker: ApiChecker) -> None:
    assert checker.check("sorted(7(x) for x in xs)", SourceContext.EMPTY, "`xs`").reason == (
        "calls 7, which is not callable"
    )


def test_a_module_named_like_its_function_stays_the_module(checker: ApiChecker) -> None:
    """`from random import random` is no way out of a call that fails on the module: only a
    class named like its module (`datetime.datetime`) is."""
    result = checker.check("random.choice(7, key=len)", SourceContext.EMPTY)
    assert not result.ok and result.imports == ("import random",)
    result = checker.check("datetime.strptime('2024', '%Y')", SourceContext.EMPTY)
    assert result.ok and result.imports == ("from datetime import datetime",)


def test_a_name_spelled_like_a_string_is_checked_as_one(checker: ApiChecker) -> None:
    intent = "remove the trailing '/' from `url`"
    assert checker.check("url.pop('/')", SourceContext.EMPTY, intent).reason == (
        "'str' object has no attribute 'pop'"
    )
    assert checker.check("url.rstrip('/')", SourceContext.EMPTY, intent).ok
    assert checker.check("url.pop()", SourceContext.EMPTY, "pop from list `url`").ok


def test_open_modules_and_private_names_pass(checker: ApiChecker) -> None:
    assert checker.check("np.anything(x)", ctx("import numpy as np"), "x").ok
    assert checker.check("os._get_exports_list(os)", ctx("import os")).ok


def test_unknown_module_imported_by_the_file_passes(checker: ApiChecker) -> None:
    assert checker.check("mylib.do_it()", ctx("import mylib")).ok


def test_without_a_table_only_names_are_checked() -> None:
    bare = ApiChecker(None)
    assert bare.check("shutil.whatever(a)", SourceContext.EMPTY, "a").imports == ("import shutil",)
    assert not bare.check("nosuchmodule.f()", SourceContext.EMPTY).ok


def test_checker_never_imports_what_a_candidate_names() -> None:
    """`import antigravity` would open a browser; the checker reads it, never runs it."""
    script = textwrap.dedent(
        """
        import sys
        from codeqa_model.api_check import ApiChecker
        from codeqa_model.api_table import ApiTable
        from codeqa_model.context import SourceContext
        table = ApiTable({"antigravity": {"geohash": ["f", "latitude, longitude, datedow"]}})
        checker = ApiChecker(table)
        before = set(sys.modules)
        r1 = checker.check("import antigravity\\nantigravity.geohash(1, 2, b'x')")
        r2 = checker.check("antigravity.fly()", SourceContext.from_source("import antigravity"))
        r3 = checker.check("this.s")
        new = set(sys.modules) - before
        assert "antigravity" not in sys.modules and "this" not in sys.modules, new
        assert "webbrowser" not in new, new
        print(r1.ok, r2.ok, r2.reason, r3.ok)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:3] == ["True", "False", "module"]


def test_signature_parsing_and_binding() -> None:
    sig = parse_signature("a, /, b, c=..., *args, d, e=..., **kw")
    assert sig is not None
    assert sig.bind_error(2, ["d"]) is None
    assert "multiple values" in (sig.bind_error(2, ["b", "d"]) or "")
    assert "unexpected keyword" not in (sig.bind_error(1, ["a", "b", "d"]) or "")
    assert parse_signature("fsrc, fdst[, length]") is None


def test_table_json_round_trip_and_bad_shapes() -> None:
    again = ApiTable.from_json(TABLE.to_json())
    assert again.entry("os", "path").target == "posixpath"
    assert again.is_open("numpy") and not again.is_open("os")
    with pytest.raises(ApiTableError):
        ApiTable.from_json({"format": 99, "modules": {}})
    with pytest.raises(ApiTableError):
        ApiTable.from_bytes(b"not json")


@pytest.mark.parametrize(
    "code",
    [
        "(" * 200 + ")" * 200,
        "a\0b",
        "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "(y := os.getcwd())",
        "match p:\n    case [a, *rest]:\n        print(a, rest)\n    case {'k': v}:\n        pass",
        "f'{os.sep}{x!r:>{width}}'",
        "a, *b = c = d = items",
        "async def f():\n    async with s as t:\n        await t\n",
        "@functools.wraps(g)\ndef h(*a, **k):\n    global counter\n    del counter",
        "lambda: (yield)",
        "os.path.join(*parts, **{})",
        "print(*[1], sep='')",
        "".join(f"v{i} = {i}\n" for i in range(300)),
        "x." + ".".join(["attr"] * 300),
    ],
)
def test_check_never_raises(checker: ApiChecker, code: str) -> None:
    result = checker.check(
        code, ctx("import os\nimport functools\n"), "parts items width x p s g c"
    )
    assert isinstance(result.ok, bool) and (result.ok or result.reason)


def test_a_method_no_known_type_has_fails_when_seen_methods_are_given() -> None:
    checker = ApiChecker(TABLE, seen_methods=["writerow"])
    intent = "drop the items of `vals` below 3"
    assert checker.check("vals.dro(3)", SourceContext.EMPTY, intent).reason == (
        "no known type has a method 'dro'"
    )
    assert checker.check("vals.writerow(3)", SourceContext.EMPTY, intent).ok  # seen in code
    assert checker.check("vals.join('3')", SourceContext.EMPTY, intent).ok  # a str method
    mine = ctx("class Frame:\n    def dro(self, x):\n        return x\n")
    assert checker.check("vals.dro(3)", mine, intent).ok  # the file defines it
    # without seen methods (no retrieval index) nothing is judged by name alone
    assert ApiChecker(TABLE).check("vals.dro(3)", SourceContext.EMPTY, intent).ok


def test_a_submodule_reached_through_its_package_is_what_gets_imported(checker: ApiChecker) -> None:
    """`import urllib` does not load `urllib.request`; `os.path` is bound by `os` itself."""
    result = checker.check("urllib.request.urlopen(u).read()", SourceContext.EMPTY, "fetch `u`")
    assert result.ok and result.imports == ("import urllib.request",)
    result = checker.check("os.path.exists('a.txt')", SourceContext.EMPTY, "is there 'a.txt'")
    assert result.ok and result.imports == ("import os",)


def test_a_called_module_means_its_namesake_function_or_fails() -> None:
    table = ApiTable(
        {"pprint": {"pprint": ["f", "object, stream=..."]}, "os": {"getcwd": ["f", ""]}}
    )
    checker = ApiChecker(table)
    result = checker.check("pprint(d)", intent="pretty print dict `d`")
    assert result.ok and result.imports == ("from pprint import pprint",)
    assert not checker.check("pprint(d)", ctx("import pprint\n"), "pretty print dict `d`").ok
    assert not checker.check("os(d)", intent="use `d`").ok


def test_content_the_intent_types_is_no_file_name(checker: ApiChecker) -> None:
    intent = "the md5 hex digest of bytes `data`"
    wrong = checker.check("open(data, 'rb').read()", SourceContext.EMPTY, intent)
    assert wrong.reason == "open() opens `data`, a bytes, as if it were a file name"
    assert checker.check("open(path).read()", SourceContext.EMPTY, "read file `path`").ok
    assert checker.check("open(n)", SourceContext.EMPTY, "open file descriptor integer `n`").ok


def test_a_function_s_stubbed_return_type_is_checked_like_a_literal_s() -> None:
    table = ApiTable(
        {"random": {"sample": ["f", "population, k"]}, "os": {"listdir": ["f", "path=..."]}},
        instances={"list": {"sort": ["f", "*, key=..., reverse=..."]}},
        returns={"random.sample": "list", "os.listdir": "list"},
    )
    checker = ApiChecker(table)
    found = checker.check("random.sample(range(5, 10), 2).random()", SourceContext.EMPTY)
    assert found.reason == "'list' object has no attribute 'random'"
    assert checker.check("os.listdir('.').sort()", SourceContext.EMPTY).ok
    # without the returns (an older table) nothing is known of the result
    older = ApiChecker(ApiTable({"random": {"sample": ["f", "population, k"]}}))
    assert older.check("random.sample(range(5, 10), 2).random()", SourceContext.EMPTY).ok


def test_a_table_s_returns_must_name_types() -> None:
    with pytest.raises(ApiTableError, match="returns"):
        ApiTable.from_json({"format": 1, "modules": {}, "returns": {"os.listdir": 3}})
    with pytest.raises(ApiTableError, match="params"):
        ApiTable.from_json({"format": 1, "modules": {}, "params": {"os.listdir": "str"}})


def test_an_argument_the_stubbed_parameter_type_rules_out_fails() -> None:
    table = ApiTable(
        {
            "ssl": {"cert_time_to_seconds": ["f", "cert_time"]},
            "random": {"randint": ["f", "a, b"]},
            "os": {"getenv": ["f", "key", "key, default"]},
        },
        params={
            "ssl.cert_time_to_seconds": ["str"],
            "random.randint": ["int", "int"],
            "os.getenv": ["str", None],
        },
    )
    checker = ApiChecker(table)

    def reason(code: str, intent: str = "") -> str | None:
        return checker.check(code, SourceContext.EMPTY, intent).reason

    assert reason("ssl.cert_time_to_seconds(dt)", "seconds of the datetime `dt`") == (
        "ssl.cert_time_to_seconds() is given a datetime as argument 1, which takes a str"
    )
    assert reason("random.randint('1', 10)") == (
        "random.randint() is given a str as argument 1, which takes an int"
    )
    assert reason("random.randint(1, 6.5)") == (
        "random.randint() is given a float as argument 2, which takes an int"
    )
    assert reason("os.getenv(['HOME'])") is not None
    # the right types, unknown types, a parameter with no plain type, a starred argument
    assert reason("ssl.cert_time_to_seconds(s)", "string `s`") is None
    assert reason("ssl.cert_time_to_seconds(x)", "the value `x`") is None
    assert reason("random.randint(True, 6)") is None
    assert reason("os.getenv('HOME', 3)") is None
    assert reason("random.randint(*['a', 'b'])") is None


def test_a_sequence_indexed_by_a_string_fails() -> None:
    def reason(code: str, intent: str) -> str | None:
        return ApiChecker(TABLE).check(code, SourceContext.EMPTY, intent).reason

    assert reason("items['x'].start()", "put 'x' at the start of list `items`") == (
        "indexes items, a list, with the string 'x'"
    )
    assert reason("sorted(words)['x']", "sort the words `words`") == (
        "indexes sorted(words), a list, with the string 'x'"
    )
    # a dict, a value of unknown type, an int index: fine
    assert reason("d['a']", "get key 'a' of dict `d`") is None
    assert reason("df['a']", "get column 'a' of dataframe `df`") is None
    assert reason("items[0]", "first of list `items`") is None


def test_a_candidate_failing_on_a_name_still_lists_the_imports_it_needs() -> None:
    # all candidates may fail; the one offered last must still bring its import lines
    found = ApiChecker(TABLE).check("os.system(['x.sh', str(domid)])", SourceContext.EMPTY)
    assert not found.ok and found.reason == "name 'domid' is not defined"
    assert found.imports == ("import os",)


def test_a_module_current_pythons_no_longer_ship_is_never_brought_in() -> None:
    table = ApiTable(
        {
            "distutils.dir_util": {"remove_tree": ["f", "directory, verbose=1, dry_run=0"]},
            "distutils": {"dir_util": ["m"]},
            "imp": {"reload": ["f", "module"]},
            "shutil": {"rmtree": ["f", "path, ignore_errors=False, onerror=None"]},
        }
    )
    checker = ApiChecker(table)
    gone = checker.check("distutils.dir_util.remove_tree('build')", SourceContext.EMPTY)
    assert gone.reason == "distutils is gone from Python 3.12 on"
    assert gone.imports == ("import distutils.dir_util",)  # offered last, still complete
    own = checker.check("import imp\nimp.reload(m)", SourceContext.EMPTY, "reload `m`")
    assert own.reason == "imp is gone from Python 3.12 on"
    assert checker.check("shutil.rmtree('build')", SourceContext.EMPTY, "remove 'build'").ok
    # a file that imports it already runs on a Python that has it
    old = SourceContext.from_source("import distutils.dir_util\n")
    assert checker.check("distutils.dir_util.remove_tree('build')", old, "remove 'build'").ok
