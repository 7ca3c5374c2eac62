"""`codeqa-train mine` on small fixtures: reading modules with ast (never importing them), the
API table's resolution of re-exports, stubs and platform branches, the HTML docs, re-sampling
weights, de-duplication and the CoNaLa-test leakage filter."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable
from codeqa_model.context import SourceContext
from codeqa_train.cli import main as codeqa_train
from codeqa_train.knowledge.collect import merge, read_tree
from codeqa_train.knowledge.htmldocs import params_of, parse_entries, read_html_docs
from codeqa_train.knowledge.mine import known_paths
from codeqa_train.knowledge.pysource import first_sentence, read_module
from codeqa_train.knowledge.resample import intent_weights
from codeqa_train.knowledge.table import build_table

FIX = Path(__file__).parent / "fixtures" / "knowledge"
DATA = Path(__file__).parent / "fixtures" / "data"


def _infos():
    src = read_tree(FIX / "stdlib", stubs=False)
    stubs = read_tree(FIX / "typeshed" / "stdlib", stubs=True)
    return merge(src, stubs)


def test_first_sentence() -> None:
    assert first_sentence("Join two paths.  More here.\n\nAnd more.") == "Join two paths."
    assert first_sentence("Return os.path.join(a, b) for the pair.") == (
        "Return os.path.join(a, b) for the pair."
    )
    assert first_sentence("Short.") is None and first_sentence(None) is None


def test_read_module_never_imports_and_reads_pairs() -> None:
    before = set(sys.modules)
    info = read_module(FIX / "stdlib" / "antigravity.py", "antigravity", is_package=False)
    assert "antigravity" not in sys.modules and "webbrowser" not in set(sys.modules) - before
    assert info is not None and info.symbols["fly"].sigs == ["height"]
    decoder = read_module(FIX / "stdlib/jsonish/decoder.py", "jsonish.decoder", is_package=False)
    assert decoder is not None
    pairs = {p.qualname: p for p in decoder.functions}
    assert pairs["loads"].intent == "Deserialize a string holding a document to a Python object."
    assert pairs["loads"].code == "decoder = (cls or Decoder)(**kw)\nreturn decoder.decode(s)"
    assert '"""' not in pairs["Decoder.decode"].code
    members = decoder.classes["Decoder"]
    assert members["default"].sigs == ["text, /"] and not members["default"].instance
    assert members["decode"].instance
    assert decoder.symbols["Decoder"].sigs == ["strict=..."]


def test_module_functions_bound_from_an_instance_get_its_method_signatures() -> None:
    """random.py and random.pyi: `choice = _inst.choice` with `_inst: Random`."""
    text = (
        "class Random:\n    def choice(self, seq): ...\n    def seed(self, a=None): ...\n"
        "_inst: Random\nchoice = _inst.choice\n_other = Random()\nseed = _other.seed\n"
        "missing = _inst.nothing\nplain = 3\n"
    )
    info = read_module(Path("random.pyi"), "random", is_package=False, text=text)
    assert info is not None
    assert info.symbols["choice"].kind == "f" and info.symbols["choice"].sigs == ["seq"]
    assert info.symbols["seed"].sigs == ["a=..."]
    assert info.symbols["missing"].kind == "v" and info.symbols["plain"].kind == "v"


def test_stubs_say_what_their_functions_return_when_it_is_one_builtin_type() -> None:
    text = (
        "from typing import overload\nclass Random:\n"
        "    def sample(self, population, k) -> list[_T]: ...\n"
        "_inst: Random\nsample = _inst.sample\n"
        "def listdir(path) -> list[str]: ...\ndef remove(path) -> None: ...\n"
        "def getenv(key) -> str | None: ...\ndef split(p) -> tuple[str, str]: ...\n"
        "@overload\ndef dumps(o) -> str: ...\n@overload\ndef dumps(o, b) -> str: ...\n"
        "@overload\ndef read(n) -> str: ...\n@overload\ndef read(n, b) -> bytes: ...\n"
        "def untyped(x): ...\n"
    )
    info = read_module(Path("m.pyi"), "m", is_package=False, text=text)
    assert info is not None
    returned = {name: sym.returned for name, sym in info.symbols.items()}
    assert returned["listdir"] == "list" and returned["sample"] == "list"
    assert returned["remove"] == "NoneType" and returned["dumps"] == "str"
    # a union, a record tuple, overloads that differ, no annotation: nothing said
    assert returned["getenv"] is returned["split"] is returned["read"] is None
    assert returned["untyped"] is None
    table, _ = build_table({"m": info})
    assert table["returns"] == {
        "m.dumps": "str", "m.listdir": "list", "m.remove": "NoneType", "m.sample": "list",
    }  # fmt: skip
    assert ApiTable.from_json(table).returns == table["returns"]


def test_stubs_say_which_plain_type_each_positional_parameter_takes() -> None:
    text = (
        "from typing import overload\nclass Random:\n"
        "    def randint(self, a: int, b: int) -> int: ...\n"
        "    @classmethod\n    def make(cls, seed: bytes) -> None: ...\n"
        "_inst: Random\nrandint = _inst.randint\n"
        "def cert_time_to_seconds(cert_time: str) -> int: ...\n"
        "def wrap(text: str, width: int = 70, *, tabsize: int = 8) -> list[str]: ...\n"
        "def join(a: StrPath, *paths: StrPath) -> str: ...\n"
        "def loads(s: str | bytes) -> Any: ...\n"
        "@overload\ndef getenv(key: str) -> str | None: ...\n"
        "@overload\ndef getenv(key: str, default: _T) -> str | _T: ...\n"
        "@overload\ndef pick(x: str) -> str: ...\n@overload\ndef pick(x: int) -> int: ...\n"
    )
    info = read_module(Path("m.pyi"), "m", is_package=False, text=text)
    assert info is not None
    types = {name: sym.param_types for name, sym in info.symbols.items()}
    assert types["randint"] == ("int", "int") and types["cert_time_to_seconds"] == ("str",)
    assert types["wrap"] == ("str", "int")  # keyword-only parameters take no positional value
    assert types["getenv"] == ("str", None)  # overloads agree on the first
    # an alias, a union, overloads that disagree: nothing said
    assert types["join"] is types["loads"] is types["pick"] is None
    table, _ = build_table({"m": info})
    assert table["params"] == {
        "m.Random.make": ["bytes"], "m.cert_time_to_seconds": ["str"], "m.getenv": ["str", None],
        "m.randint": ["int", "int"], "m.wrap": ["str", "int"],
    }  # fmt: skip
    assert ApiTable.from_json(table).params["m.getenv"] == ("str", None)


def test_table_resolves_reexports_stubs_and_platform_branches() -> None:
    table, paths = build_table(_infos())
    modules = table["modules"]
    # `from .decoder import loads` in the package: the definition's kind and signature follow.
    assert modules["jsonish"]["loads"] == ["f", "s, *, cls=..., **kw"]
    assert paths[("jsonish.decoder", "loads")] == "jsonish.loads"
    # The first platform branch binds `path`; the stub's `path = _path` does not override it.
    assert modules["ospkg"]["path"] == ["m", "posixish"]
    # The stub's overloads and C-only names are in; the source's private helper is not.
    assert modules["ospkg"]["listdir"] == ["f", "path=...", "path"]
    assert modules["ospkg"]["urandom"] == ["f", "size, /"]
    assert "_private" not in modules["posixish"]
    # Static/class methods are listed under the class; instance methods are not.
    assert modules["jsonish.decoder.Decoder"] == {"default": ["f", "text, /"]}
    # The stub declares ospkg's API, so the source's `from _cmod import *` does not open it.
    assert "ospkg" not in table["open"]
    assert "jsonish.decoder.Decoder" in table["open"]
    assert not any(m.startswith("test") for m in modules)


def test_paths_follow_what_a_module_exports_not_what_it_imports_for_itself() -> None:
    files = {
        "pkg": (
            "from .readers import Reader\nfrom ._impl import tidy\nfrom ._star import *\n"
            "__all__ = ['Reader']\n"
        ),
        "pkg._helpers": 'def unique(it):\n    """Unique items."""\n',
        "pkg._impl": 'def tidy(x):\n    """Tidy."""\n',
        "pkg._star": 'def starry():\n    """Star."""\n',
        "pkg._window_impl": 'def slide(x):\n    """Slide."""\n',
        "pkg.readers": 'from ._helpers import unique\nclass Reader:\n    """Reads."""\n',
        "pkg.window": "from ._window_impl import slide\n",
    }
    infos = {}
    for name, text in files.items():
        is_package = name == "pkg"
        path = Path(name.replace(".", "/") + ("/__init__.py" if is_package else ".py"))
        infos[name] = read_module(path, name, is_package=is_package, text=text)
    _, paths = build_table(infos)
    assert paths[("pkg.readers", "Reader")] == "pkg.Reader"
    assert paths[("pkg._star", "starry")] == "pkg.starry"  # __all__ speaks for its own binds
    assert paths[("pkg._window_impl", "slide")] == "pkg.window.slide"  # the public namesake
    assert ("pkg._impl", "tidy") not in paths  # bound by pkg, left out of its __all__
    assert ("pkg._helpers", "unique") not in paths  # a helper readers imports for itself


def test_the_docs_name_a_function_the_source_binds_as_a_value() -> None:
    # random.py: `random = _inst.random`, a method of the C base class, reads as a value; the
    # docs say `random.random()`
    text = "import _random\nclass Random(_random.Random):\n    pass\n_inst = Random()\n"
    text += "random = _inst.random\n"
    infos = {"rnd": read_module(Path("rnd.py"), "rnd", is_package=False, text=text)}
    assert build_table(infos)[0]["modules"]["rnd"]["random"] == ["v"]
    extra = [("rnd", "random", ["f", ""]), ("rnd", "Random", ["f", "x"]), ("rnd", "new", ["f"])]
    modules = build_table(infos, extra)[0]["modules"]
    assert modules["rnd"]["random"] == ["f", ""]
    assert modules["rnd"]["Random"][0] == "c"  # a class the source defines stays one
    assert modules["rnd"]["new"] == ["f"]  # a name only the docs know is added
    checker = ApiChecker(ApiTable.from_json(build_table(infos, extra)[0]))
    assert "positional" in (checker.check("import rnd\nrnd.random((5, 10))").reason or "")


def test_literal_types_list_every_instance_member() -> None:
    table, _ = build_table(_infos())
    members = table["instances"]["str"]
    assert members["join"] == ["f", "iterable, /"]  # `self` dropped
    assert members["index"] == ["f", "value, start=..., stop=..., /"]  # from typing.Sequence
    assert members["maketrans"] == ["f", "x, /"]  # a staticmethod keeps its first parameter
    checker = ApiChecker(ApiTable.from_json(table))
    assert checker.check("','.join(parts)", SourceContext.EMPTY, "parts").ok
    assert checker.check("'abc'.contains('a')").reason == "'str' object has no attribute 'contains'"
    assert "takes at most 1 positional" in (checker.check("'a'.rstrip('x', 'y')").reason or "")


def test_known_paths_include_inherited_members() -> None:
    infos = _infos()
    _, paths = build_table(infos)
    known = known_paths(infos, paths)
    assert "jsonish.decoder.StrictDecoder.reject" in known
    assert "jsonish.decoder.StrictDecoder.decode" in known  # from the base class Decoder
    assert "jsonish.decoder.Decoder.reject" not in known


def test_checker_on_the_built_table() -> None:
    table, _ = build_table(_infos())
    checker = ApiChecker(ApiTable.from_json(table))
    ctx = SourceContext.from_source("import ospkg\n")
    assert checker.check("ospkg.path.join(a, b)", ctx, "join a b").ok
    assert checker.check("ospkg.getcwd(1)", ctx).reason == (
        "ospkg.getcwd() takes at most 0 positional argument(s), got 1"
    )
    assert checker.check("jsonish.loads(s)", SourceContext.EMPTY, "load s").imports == (
        "import jsonish",
    )


def test_html_entries_and_signatures() -> None:
    entries = parse_entries((FIX / "html/library/mixed.html").read_text())
    by_id = {e[0]: e for e in entries}
    assert by_id["shutil.copy2"][1] == "function"
    assert params_of("shutil.copy2", by_id["shutil.copy2"][2]) == "src, dst, *, follow_symlinks=..."
    line = by_id["shutil.copyfileobj"][2]
    assert params_of("shutil.copyfileobj", line) is None  # old `[, length]` notation
    assert params_of("shutil.copyfileobj", line, required_only=True) == "fsrc, fdst"
    assert by_id["datetime.datetime.now"][2].split()[0] == "classmethod"
    assert by_id["datetime.datetime.now"][3] == "Return the current local date and time."


def test_pandas_docs_keep_only_what_the_installed_pandas_defines() -> None:
    """The Debian docs describe pandas 1.5; `DataFrame.append` is gone from the pinned pandas."""
    known = {"pandas.read_csv", "pandas.DataFrame.to_csv"}
    docs, gen, _rows, source = read_html_docs(
        FIX / "pandas_html", set(), False, "python-pandas-doc", keep=known.__contains__
    )
    assert [d.path for d in docs] == ["pandas.read_csv"]
    assert docs[0].doc == "Read a comma-separated values (csv) file into DataFrame."
    assert gen[0].snippet == "pandas.read_csv(filepath_or_buffer)"
    assert source.package == "python-pandas-doc" and source.licence == "BSD-3-Clause"
    everything, _, _, _ = read_html_docs(FIX / "pandas_html", set(), False, "python-pandas-doc")
    append = next(d for d in everything if d.path == "pandas.DataFrame.append")
    assert append.kind == "method"


def test_intent_weights_favour_intent_like_text() -> None:
    refs = ["how to copy a file in python", "copy file to another directory"]
    w = intent_weights(["Copy a file to a directory.", "Return the frame number."], refs, 5.0)
    assert w[0] > w[1] and np.isclose(w.mean(), 1.0)
    assert np.allclose(intent_weights(["a b"], [], 5.0), 1.0)


@pytest.fixture(scope="module")
def mined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mine")
    shared = root / "shared"
    shutil.copytree(FIX / "shared", shared)
    (shared / "conala").mkdir()
    for name in ("conala-train.json", "conala-test.json"):
        shutil.copy(DATA / name, shared / "conala" / name)
    (shared / "staqc-annotated").mkdir()
    shutil.copy(DATA / "train_staqc.json", shared / "staqc-annotated" / "train_staqc.json")
    out = root / "out"
    before = set(sys.modules)
    rc = codeqa_train(
        ["mine", "--shared-data", str(shared), "--out", str(out), "--no-progress",
         "--stdlib-dir", str(FIX / "stdlib"), "--typeshed", str(FIX / "typeshed"),
         "--html-docs", str(FIX / "html"), "--packages"]
    )  # fmt: skip
    assert rc == 0
    assert not {"antigravity", "jsonish", "ospkg", "webbrowser"} & (set(sys.modules) - before)
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_mine_writes_every_output_with_its_schema(mined: Path) -> None:
    gen = _jsonl(mined / "generator_pairs.jsonl")
    assert all(set(r) == {"intent", "snippet", "source", "weight", "resampled"} for r in gen)
    assert {r["source"] for r in gen} == {"apidocs", "python3.11-doc", "stdlib"}
    funcs = _jsonl(mined / "function_pairs.jsonl")
    keys = {"intent", "code", "package", "module", "qualname", "path", "signature"}
    assert all(set(r) == keys for r in funcs)
    join = next(r for r in funcs if r["qualname"] == "join" and r["module"] == "posixish")
    assert join["path"] == "posixish.join" and join["package"] == "stdlib"
    assert not any("test" in r["module"].split(".") for r in funcs)
    docs = _jsonl(mined / "api_docs.jsonl")
    assert {"shutil.copy2", "datetime.datetime.now", "jsonish.loads"} <= {d["path"] for d in docs}
    assert "to3fixer-apply" not in {d["path"] for d in docs}
    table = ApiTable.from_bytes((mined / "api_table.json").read_bytes())
    assert not table.has_module("oldparser")  # a stub for a module this Python lacks
    assert table.entry("shutil", "copy2").signatures == ("src, dst, *, follow_symlinks=...",)
    assert table.entry("datetime.datetime", "now") is not None  # a classmethod from the docs


def test_mine_keeps_resample_counts_weights_and_drops_test_leaks(mined: Path) -> None:
    gen = _jsonl(mined / "generator_pairs.jsonl")
    api = {r["snippet"]: r for r in gen if r["source"] == "apidocs"}
    assert api["abc.get_cache_token()"]["resampled"] == 3
    assert api["aifc.setpos(pos)"]["resampled"] == 1
    assert api["os.link(src, dst)"]["resampled"] == 0
    assert "zzz.leaked(x)" not in api  # its intent is a CoNaLa test intent
    assert np.isclose(np.mean([r["weight"] for r in gen]), 1.0, atol=1e-3)
    snippets = [(r["intent"], r["snippet"]) for r in gen]
    assert len(snippets) == len(set(snippets))


def test_mine_report_lists_sources_and_counts(mined: Path, capsys) -> None:
    report = json.loads((mined / "report.json").read_text())
    names = {s["name"] for s in report["sources"]}
    assert {"stdlib", "typeshed", "python3.11-doc", "apidocs"} <= names
    assert all(s["version"] and s["licence"] for s in report["sources"])
    assert report["counts"]["mined"]["generator/apidocs"] == 5
    assert report["counts"]["not-test"]["generator/apidocs"] == 4
    assert report["api_table"]["modules"] > 0


def test_mine_skips_missing_html_docs_with_a_message(tmp_path: Path, capsys) -> None:
    rc = codeqa_train(
        ["mine", "--shared-data", str(tmp_path / "none"), "--out", str(tmp_path / "out"),
         "--no-progress", "--stdlib-dir", str(FIX / "stdlib"), "--typeshed",
         str(FIX / "typeshed"), "--html-docs", str(tmp_path / "nodocs"), "--packages"]
    )  # fmt: skip
    assert rc == 0
    err = capsys.readouterr().err
    assert "no HTML docs at" in err and "python3.11-doc" in err
    assert (tmp_path / "out" / "api_table.json").is_file()
