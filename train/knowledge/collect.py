"""Walk a source tree (the standard library, a site-packages package, typeshed stubs) and read
every module in it with `codeqa_train.knowledge.pysource`; merge stubs with sources."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from codeqa_model.api_table import VALUE
from codeqa_train.knowledge.pysource import ModuleInfo, module_name, read_module

# Parts of the standard library that are not API a user calls (tests, demos, tooling, vendored).
SKIP_PARTS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "idle_test",
        "site-packages",
        "dist-packages",
        "__pycache__",
        "idlelib",
        "lib2to3",
        "turtledemo",
        "ensurepip",
        "pydoc_data",
        "config-3.11-x86_64-linux-gnu",
        "_vendor",
        "vendored",
    }
)


def iter_module_files(root: Path, prefix: str = "") -> Iterator[tuple[Path, str, bool]]:
    """(path, dotted module name, is_package) for every `.py`/`.pyi` under `root`, sorted."""
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".pyi") or not path.is_file():
            continue
        rel = path.relative_to(root).parts
        if any(part in SKIP_PARTS or part.startswith("test_") for part in rel):
            continue
        name = module_name(root, path, prefix)
        if name is None:
            continue
        yield path, name, path.stem == "__init__"


def read_tree(
    root: Path,
    prefix: str = "",
    *,
    stubs: bool,
    bodies: bool = True,
    tick: Callable[[], None] | None = None,
) -> dict[str, ModuleInfo]:
    """Every module under `root`: `.pyi` files when `stubs`, else `.py` files."""
    out: dict[str, ModuleInfo] = {}
    wanted = ".pyi" if stubs else ".py"
    for path, name, is_package in iter_module_files(root, prefix):
        if path.suffix != wanted:
            continue
        info = read_module(path, name, is_package=is_package, bodies=bodies and not stubs)
        if tick is not None:
            tick()
        if info is not None:
            out[name] = info
    return out


def merge(sources: dict[str, ModuleInfo], stubs: dict[str, ModuleInfo]) -> dict[str, ModuleInfo]:
    """One `ModuleInfo` per module: a stub's names, kinds and signatures win (it is the declared
    API and covers C modules); the source adds names the stub lacks, docstrings and bodies."""
    merged: dict[str, ModuleInfo] = {}
    for name in sorted(set(sources) | set(stubs)):
        src, stub = sources.get(name), stubs.get(name)
        if src is None or stub is None:
            merged[name] = src or stub  # type: ignore[assignment]
            continue
        info = ModuleInfo(name, doc=src.doc or stub.doc)
        info.symbols = dict(src.symbols)
        for key, sym in stub.symbols.items():
            old = info.symbols.get(key)
            if old is not None and sym.kind == VALUE and sym.target is None:
                continue  # `path = _path` in a stub says less than `import posixpath as path`
            if old is not None and sym.doc is None:
                sym.doc = old.doc
            info.symbols[key] = sym
        info.stars = list(dict.fromkeys(stub.stars + src.stars))
        # The stub declares the API: the source's `from _datetime import *` (a C module with
        # no stub) does not make `datetime` open-ended when `datetime.pyi` lists its names.
        info.declared_stars = list(stub.stars)
        info.all = stub.all or src.all
        info.open = stub.open or src.open
        info.classes = {**src.classes}
        for cls, members in stub.classes.items():
            info.classes[cls] = {**info.classes.get(cls, {}), **members}
        info.functions = src.functions
        info.bases = {**stub.bases, **src.bases}
        merged[name] = info
    return merged
