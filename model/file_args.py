"""Open the path where a call wants a file object: `json.load('cfg.json')` → `json.load(open(
'cfg.json'))`, `'out.txt'.write(text)` → `open('out.txt', 'w').write(text)`, and read it where
its text is meant: `'notes.txt'.splitlines()` → `open('notes.txt').read().splitlines()`.

Users name files by path ("read json file 'cfg.json'"), and a doc entry's `json.load(fp)` or a
beam's `pickle.dump(d, 'out.pkl')` puts the path where an open file belongs: it binds, passes
the API check, and fails when run (`'str' object has no attribute 'read'`). The API table knows
the parameter's name, so the fix is static: a path-like string literal (or a back-ticked name
spelled as a path: `json.load(path)` under "read json file `path`") passed positionally for a
file-object parameter gets `open(...)` around it, in write mode for dump/write calls and
binary mode for the modules that read and write bytes. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

from codeqa_model.api_table import CLASS, FUNCTION, ApiTable
from codeqa_model.pyast import SourcePositions, dotted_parts, import_aliases, parse_quietly

# Parameters that are a file object whatever the callee (`json.load(fp)`, `yaml.load(stream)`).
_FILE_PARAMS = frozenset({"fp", "fileobj", "stream", "fsrc", "fdst"})
# Names that are a file object only for the reader/writer family (`ZipFile(file)` takes a path).
_FILE_PARAMS_OF_READERS = frozenset({"file", "f", "iterable", "csvfile"})
_READERS = frozenset({"load", "dump", "reader", "writer", "DictReader", "DictWriter"})
_BINARY_MODULES = frozenset({"pickle", "marshal", "tomllib", "plistlib"})
# File-object methods a path literal may receive, and the mode that makes them work.
_FILE_METHODS = {
    "read": "",
    "readline": "",
    "readlines": "",
    "write": ", 'w'",
    "writelines": ", 'w'",
}
# String methods only a file's text, never its name, is given (`.read()` goes in between).
_TEXT_METHODS = frozenset({"splitlines"})
# A file name with an extension, in folders or not ('data.csv', 'out/logs/a.txt'; not '.bashrc').
PATH_RE = re.compile(r"^(?:[\w.~-]*/)*[\w~-][\w.-]*\.[A-Za-z]\w{0,5}$")

# The last part of a name that holds a file's path ("read json file `cfg_path`").
_PATH_WORDS = frozenset({"path", "filename", "fname", "filepath", "pathname"})
_TICKED_NAME = re.compile(r"`([A-Za-z_]\w*)`")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

Spans = tuple[tuple[int, int], ...]


def open_file_arguments(
    code: str,
    spans: Spans,
    table: ApiTable | None,
    aliases: Mapping[str, str],
    paths: frozenset[str] = frozenset(),
) -> tuple[str, Spans]:
    """`code` with every path literal, or name in `paths` (`path_names`), in a file-object
    position opened, and `spans` (the intent values' character ranges) moved with the text;
    unchanged when nothing applies."""
    has_path = "'" in code or '"' in code or any(p in code for p in paths)
    if table is None or "(" not in code or not has_path:
        return code, spans  # no call, or nothing to open
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    own = import_aliases(tree)
    inserts: list[tuple[int, str]] = []
    where = SourcePositions(code)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        receiver = _path_receiver(node, paths)
        if receiver is not None:
            literal, mode = receiver
            start, end = where.extent(literal)
            inserts += [(start, "open("), (end, mode + ")")]
            continue
        text = _path_as_text(node, paths)
        if text is not None:
            start, end = where.extent(text)
            inserts += [(start, "open("), (end, ").read()")]
            continue
        target = _callee(node, table, {**aliases, **own})
        if target is None:
            continue
        module, name, params = target
        for arg, param in zip(node.args, params, strict=False):
            if not _wants_file(param, name) or not _is_path(arg, paths):
                continue
            start, end = where.extent(arg)
            inserts += [(start, "open("), (end, _mode(module, name, param) + ")")]
    if not inserts:
        return code, spans
    return _apply(code, inserts), tuple(
        (_shift(s, inserts, True), _shift(e, inserts, False)) for s, e in spans
    )


def _callee(
    call: ast.Call, table: ApiTable, aliases: Mapping[str, str]
) -> tuple[str, str, list[str]] | None:
    """(module, name, positional parameter names) of a module-level call the table knows."""
    chain = dotted_parts(call.func)
    if not chain or len(chain) < 2:
        return None
    module = ".".join([aliases.get(chain[0], chain[0]), *chain[1:-1]])
    entry = table.entry(module, chain[-1])
    if entry is None or entry.kind not in (FUNCTION, CLASS):
        return None
    signatures = table.signatures(entry)
    if not signatures:
        return None
    positional = [p.name for p in signatures[0].params if p.kind in ("po", "pk")]
    return module, chain[-1], positional


def path_names(intent: str) -> frozenset[str]:
    """The intent's back-ticked names spelled as a path to a file (`path`, `filename`,
    `cfg_path`, `inputFile`... not `f` or `fp`, which are open files)."""
    return frozenset(
        name
        for name in _TICKED_NAME.findall(intent)
        if _CAMEL.sub("_", name).lower().split("_")[-1] in _PATH_WORDS
    )


def _path_receiver(call: ast.Call, paths: frozenset[str]) -> tuple[ast.expr, str] | None:
    """The path literal a file method is called on (`'out.txt'.write(text)`: a retrieved
    `f.write(s)` with the intent's path put in for `f`), with the mode to open it in."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _FILE_METHODS:
        return None
    if not _is_path(func.value, paths):
        return None
    return func.value, _FILE_METHODS[func.attr]


def _path_as_text(call: ast.Call, paths: frozenset[str]) -> ast.expr | None:
    """The path whose lines are split as if it were the file's text (`'notes.txt'.splitlines()`:
    a retrieved `s.splitlines()` with the intent's file put in for the string): no file name
    has lines, so the file's text is meant."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _TEXT_METHODS:
        return None
    return func.value if _is_path(func.value, paths) else None


def _wants_file(param: str, name: str) -> bool:
    return param in _FILE_PARAMS or (param in _FILE_PARAMS_OF_READERS and name in _READERS)


def _is_path(node: ast.expr, paths: frozenset[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in paths
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and PATH_RE.match(node.value) is not None
    )


def _mode(module: str, name: str, param: str) -> str:
    write = "dump" in name or "write" in name.lower() or param == "fdst"
    binary = module.split(".")[0] in _BINARY_MODULES
    mode = ("w" if write else "r" if binary else "") + ("b" if binary else "")
    return f", '{mode}'" if mode else ""


def _apply(code: str, inserts: Sequence[tuple[int, str]]) -> str:
    out: list[str] = []
    last = 0
    for pos, text in sorted(inserts, key=lambda i: i[0]):
        out += [code[last:pos], text]
        last = pos
    out.append(code[last:])
    return "".join(out)


def _shift(offset: int, inserts: Sequence[tuple[int, str]], is_start: bool) -> int:
    """Where `offset` lands after the inserts: a span's start moves past text inserted at it
    (it stays on the value), its end does not (it stays before the closing text)."""
    return offset + sum(
        len(text) for pos, text in inserts if pos < offset or (is_start and pos == offset)
    )
