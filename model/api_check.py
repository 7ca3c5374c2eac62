"""Check a candidate against the real API before it is offered — statically, never running it.

`ast.parse`; every name resolves (builtins, the file's imports and bindings above the block, the
candidate's own imports and bindings, names the intent mentions (any word as a value; as a
function or module only when back-ticked), or a module the table knows — which then needs an
`import` line); attributes exist on modules per the API table; calls bind to the recorded
signature where one exists, with no string where it wants a size, a count or an open file.
Nothing a candidate names is ever imported: importing runs code (`import antigravity` opens a
browser).
"""

from __future__ import annotations

import ast
import builtins
import encodings
import encodings.aliases
import functools
import json
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from codeqa_model.api_names import intent_words
from codeqa_model.api_table import (
    CLASS,
    FUNCTION,
    MODULE,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VALUE,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    ApiTable,
    Entry,
    Signature,
)
from codeqa_model.asked_siblings import unsaid_digit_names
from codeqa_model.ast_walk import walk
from codeqa_model.command_words import RUNS_A_PROGRAM, command_text
from codeqa_model.context import SourceContext
from codeqa_model.date_formats import unasked_output_format
from codeqa_model.file_args import PATH_RE
from codeqa_model.from_imports import dotted_references, from_import_paths, import_line
from codeqa_model.intent_conflicts import conflict, ticked_names
from codeqa_model.name_types import name_types
from codeqa_model.pyast import bindings, dotted_parts, parse
from codeqa_model.removed_modules import removed_in
from codeqa_model.value_types import BUILTIN_MEMBERS, NUMBER_TYPES, ValueTypes, literal_type

__all__ = ["ApiChecker", "CheckResult"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the thing a word like "current" says to look up now, not a variable the user has
_PRESENT = re.compile(
    r"\b(?:current|present|today's|todays)\s+(?:local\s+|utc\s+|system\s+)?([A-Za-z_]\w*)",
    re.IGNORECASE,
)
# The type of the answer an intent asks for ("a random float", "... as a string", "into a list").
_ASKS_FOR_TYPE = re.compile(
    r"\b(?:(?:as|to|into|return|returns|get|gives?)\s+an?|(?:as|to|into)|random|an?\s+random)"
    r"\s+(?P<type>float|integer|int|string|str|list|dict|dictionary|set|tuple)\b(?!s?\s*`)"
    # "to float list", "to Float or Int": the type word is not the answer's type
    r"(?!\s+(?:or|and|lists?|arrays?|dicts?|sets?|tuples?|columns?|values|keys|elements|items)\b)",
    re.IGNORECASE,
)
# (asked, given) pairs that are no contradiction: a bool is an int.
_STANDS_IN_FOR = frozenset({("int", "bool")})
_MATCHERS = frozenset({"re.match", "re.search", "re.fullmatch"})
# What a type word before a back-ticked name makes it (`declared_types`).
_TYPE_WORDS = {
    "list": "list",
    "string": "str",
    "str": "str",
    "dict": "dict",
    "dictionary": "dict",
    "dictionaries": "dict",
    "set": "set",
    "tuple": "tuple",
    "bytes": "bytes",
    "integer": "int",
    "int": "int",
    "float": "float",
    "date": "date",
    "datetime": "datetime",
}
_DECLARED = re.compile(
    r"\b(?P<type>" + "|".join(_TYPE_WORDS) + r")(?P<plural>s|es)?(?:\s+of\s+[A-Za-z]+)?\s+"
    r"`(?P<name>[A-Za-z_]\w*)`",
    re.IGNORECASE,
)
# The names after a plural type word's first: "lists `a`, `b` and `c`".
_MORE_NAMES = re.compile(r"(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)`(?P<name>[A-Za-z_]\w*)`")
# Parameters that are a count or a size, which no string and no container fills
# (`os.getrandom(size)` does not answer "the size of file 'data.bin'";
# `random.sample(range(3), xs)` under "a sample of 3 items from list `xs`").
_A_COUNT = frozenset(
    {"size", "n", "k", "count", "length", "seconds", "secs", "ndigits", "maxsplit", "width"}
    | {"number", "i"}
)
# Parameters no string fills: a count or size, a descriptor, flags, or an open file
# (`json.load(fp)` under "parse json string `text`" wants `json.loads`).
_NOT_A_STRING = _A_COUNT | frozenset({"fd", "flags", "fp", "fileobj", "t", "time_tuple"})
_CONTAINERS = frozenset({"list", "dict", "set", "tuple"})
# Parameters that never take a bare file name: a command (`os.system('config.json')` under
# "write dict `config` to 'config.json'" would try to run the file), an encoding, a separator.
_NOT_A_FILE_NAME = frozenset(
    {"command", "cmd", "args", "encoding", "errors", "sep", "delimiter", "newline"}
)
# Parameters only a string fills: no number, list, dict, set or tuple (`re.findall('ab', 3)`
# under "every 3 letter string made of 'ab'", `struct.unpack('-', 3)`).
_ONLY_A_STRING = frozenset(
    {"string", "pattern", "pat", "fmt", "format", "url", "old", "new", "chars", "date_string"}
    | {"encoding", "errors", "sep", "delimiter", "newline"}
)
# Parameters no number fills, though some take a tuple or bytes (`s.startswith(('a', 'b'))`).
_NOT_A_NUMBER = _ONLY_A_STRING | frozenset(
    {"prefix", "suffix", "filename", "src", "dst", "seq", "population", "iterable", "s", "text"}
    | {"buffer"}
)
# Modules whose data parameters take bytes, never text (`hashlib.md5(s)` under "the md5 of
# string `s`" raises TypeError; `hashlib.md5(s.encode())` does not). Decoders take text too.
BYTES_MODULES = frozenset({"hashlib", "zlib", "base64", "binascii", "bz2", "lzma", "gzip"})
_BYTES_PARAMS = frozenset({"data", "string", "s", "b"})
# Methods of Python 2's dict and file that Python 3 dropped; Stack Overflow answers still call
# them (`d.iteritems()`), so the retrieval index's code counts them as seen.
_PYTHON2_METHODS = frozenset(
    {"iteritems", "iterkeys", "itervalues", "has_key", "viewitems", "viewkeys", "viewvalues"}
    | {"xreadlines"}
)
# Calls that end the program, and the intent words that ask for an exit or an error.
_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})
_ASKS_TO_STOP = re.compile(
    r"\b(exit|quit|raise|error|exception|abort|stop|terminate|kill|fail)", re.IGNORECASE
)
# What a `mode` string may hold (`open`, `gzip.open`, `tarfile.open`, ...): `open('file.txt',
# 'notes.md')` put the intent's path where the mode goes.
_MODE = re.compile(r"^[rwxabt+:|gz2]{1,6}$")  # no 'U': Python 3.11 refuses it
# Functions whose first argument is JSON text, and those that run it as a program (not a shell).
_JSON_TEXT = frozenset({"json.loads", "simplejson.loads", "ujson.loads"})
# The builtins' members, and which are instance methods (`dict.get`, not `dict.fromkeys` or
# `str.maketrans`), read off this interpreter's own objects (`filter.filter` is no attribute).
_BUILTIN_OBJECTS = {
    name: value
    for name, value in vars(builtins).items()
    if not name.startswith("_") and (isinstance(value, type) or callable(value))
}
_CLASS_MEMBERS = {name: frozenset(dir(value)) for name, value in _BUILTIN_OBJECTS.items()}
_INSTANCE_METHODS = {
    name: frozenset(n for n, v in vars(value).items() if type(v).__name__ == "method_descriptor")
    for name, value in _BUILTIN_OBJECTS.items()
    if isinstance(value, type)
}
# Text codecs by name and alias, from the `encodings` package's file list (nothing imported
# but the alias table); the bytes-to-bytes ones (`hex`, `base64`, `zlib`, ...) are no text codec.
_CODEC_ALIASES = dict(encodings.aliases.aliases)
_TEXT_CODECS = frozenset(
    m.name
    for m in pkgutil.iter_modules(encodings.__path__)
    if not m.name.endswith("_codec") and m.name not in ("aliases", "rot_13", "undefined")
) | {"utf8", "latin1", "mbcs", "oem", "unicode_escape", "raw_unicode_escape"}
_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__"}
# Without a table, the standard library's module names are still known (from the interpreter's
# own list, not by importing anything).
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_FALLBACK_ALIASES = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot"}


@dataclass(frozen=True)
class CheckResult:
    """`ok`, else `reason` (one line, for a person); `imports` the lines the code still needs."""

    ok: bool
    reason: str | None = None
    imports: tuple[str, ...] = ()


class ApiChecker:
    """Checks candidates against an `ApiTable` (or, without one, names only)."""

    def __init__(
        self,
        table: ApiTable | None = None,
        seen_methods: Iterable[str] = (),
        seen_code: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.table = table
        # the code the engine knows, read for the modules bare names come from (`from_imports`)
        # when a candidate first leaves one unbound
        self._seen_code = seen_code
        self.aliases = dict(table.aliases) if table and table.aliases else dict(_FALLBACK_ALIASES)
        # Method names known to exist somewhere: the table's members and those called in the
        # code the engine has seen (its retrieval index: Stack Overflow answers and the docs,
        # which name the C types' methods the table cannot list, like `writerow`, `fetchall`).
        # A method called on a value of unknown type must be one of them (`nums.dro(nums)`,
        # `full_name.cap()` are the beam composing names out of word pieces). None: no check.
        self.methods: frozenset[str] | None = None
        if table is not None and seen_methods:
            self.methods = table.member_names | frozenset(seen_methods)

    @functools.cached_property
    def from_names(self) -> dict[str, str]:
        """{bare name: "module.name"} the known code imports it as (`from_imports`)."""
        if self.table is None or self._seen_code is None:
            return {}
        return from_import_paths(dotted_references(self._seen_code()), self.table)

    @property
    def table_returns(self) -> Mapping[str, str]:
        """What the table's functions return (`ApiTable.returns`); empty without a table."""
        return self.table.returns if self.table is not None else {}

    def is_module(self, path: str) -> bool:
        """Whether the API table knows `path` as a module (False without a table)."""
        return self.table is not None and self.table.has_module(path)

    def check(
        self, code: str, context: SourceContext | None = None, intent: str = ""
    ) -> CheckResult:
        """Whether `code` can run in a file with `context` above it, and what it must import."""
        context = context or SourceContext.EMPTY
        try:
            tree = parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            return CheckResult(False, f"does not parse ({getattr(exc, 'msg', exc)})")
        # One walk, read by every pass below in the order `ast.walk` gives (a suggestion
        # checks up to 13 candidates; walking each tree five times was most of the cost).
        nodes = walk(tree)  # `ast.walk`'s order, as one list
        # `total += x` reads `total` before it binds it: the name must exist already
        read_first = {
            id(n.target)
            for n in nodes
            if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
        }
        own_modules, own_names = bindings(nodes, read_first)
        bound_modules = {name: module for name, module in context.imports if name != "*"}
        stars = context.star_modules()
        bound_modules.update(own_modules)
        ticked, loose = self._intent_names(intent)
        known = set(_BUILTINS) | context.names | set(bound_modules) | own_names | ticked
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        reached = {id(n.value): n.attr for n in nodes if isinstance(n, ast.Attribute)}
        needed: dict[str, str] = {}
        undefined: str | None = None  # the first name nothing binds; the rest still read
        for node in nodes:
            if not (
                isinstance(node, ast.Name)
                and (isinstance(node.ctx, ast.Load) or id(node) in read_first)
            ):
                continue
            name = node.id
            if name in known or name in needed or (name in loose and id(node) not in called):
                continue
            origin = self._star_origin(name, stars)
            if origin is not None:
                known.add(name)
                if origin:
                    bound_modules[name] = origin
                continue
            module = self._module_named(name)
            if module is None:
                path = self._imported_name(name, id(node) in called, reached.get(id(node)))
                if path is not None:  # `Counter(xs)`: `from collections import Counter`
                    bound_modules[name] = path
                    needed[name] = import_line(path)
                    continue
                undefined = undefined or name
                known.add(name)
                continue
            bound_modules[name] = module
            needed[name] = f"import {module}" if module == name else f"import {module} as {name}"
        used = [n for n in nodes if isinstance(n, ast.Attribute | ast.Call)]
        for module in [*needed.values(), *own_modules.values()]:
            path = module.split()[1] if module.startswith(("import ", "from ")) else module
            release = removed_in(path)
            if release is not None:
                imports = tuple(self._with_submodules(needed.values(), used))
                return CheckResult(False, f"{path} is gone from Python {release} on", imports)
        if undefined is not None:
            # the imports it needs all the same: a failing candidate may still be offered last
            imports = tuple(self._with_submodules(needed.values(), used))
            return CheckResult(False, f"name {undefined!r} is not defined", imports)
        # a back-ticked `list` or `dict` is the user's variable, shadowing the builtin
        shadowing = context.names | own_names | set(bound_modules) | (ticked & _BUILTINS)
        stated = {**name_types(intent), **dict(context.types), **declared_types(intent)}
        # `n = [int(i) for i in n.split()]` reads the user's `n` before binding its own
        rebound = own_names - _rebinds_itself(tree)
        declared = ValueTypes(
            {name: kind for name, kind in stated.items() if name not in rebound},
            frozenset(context.names | rebound),
            dict(bound_modules),
            self.table_returns,
        )
        reason = self._attributes_and_calls(used, bound_modules, shadowing, declared)
        if reason is not None and reason.startswith("module "):
            # `datetime.strptime(...)` with nothing bound means the class, not the module:
            # `from datetime import datetime` makes it work where `import datetime` would not.
            for name in [n for n in needed if needed[n] == f"import {n}"]:
                member = f"{name}.{name}"
                entry = self.table.entry(name, name) if self.table is not None else None
                # a module called (`pprint(d)`) means its namesake function too
                kinds = (CLASS, FUNCTION) if reason.endswith("is not callable") else (CLASS,)
                if entry is not None and entry.kind in kinds:
                    trial = {**bound_modules, name: member}
                    if self._attributes_and_calls(used, trial, shadowing, declared) is None:
                        bound_modules, reason = trial, None
                        needed[name] = f"from {name} import {name}"
                        break
        if reason is None:
            reason = (
                _iterates_a_number(nodes, declared)
                or _indexes_by_text(nodes, declared)
                or _searches_a_module(nodes, bound_modules)
                or _unpacks_a_string(nodes)
                or _exits_unasked(tree, intent)
                or conflict(nodes, intent, stated)
                or _wrong_result(tree, declared, intent)
                or _missing_group(nodes, bound_modules)
                or unasked_output_format(intent, nodes)
                or _uses_none_of(ticked, nodes)
                or self._another_sibling(used, bound_modules, intent, code)
            )
        imports = tuple(self._with_submodules(needed.values(), used))
        if reason is not None:
            return CheckResult(False, reason, imports)
        return CheckResult(True, None, imports)

    # ------------------------------------------------------------------ names

    def _intent_names(self, intent: str) -> tuple[set[str], set[str]]:
        """Names the intent mentions, which the code may use as bound: (back-ticked names, any
        use; other words, only as values). A word is no function ("sleep for 2 seconds" does
        not make `sleep(2)` run) and no module unless back-ticked ("the json string `s`" means
        the json module, which `json.loads(s)` must import). An intent that back-ticks its names
        says which words are names: then its other words are English ("sort date strings
        `dates`" does not bind `date`, nor "reverse list `xs`" `reverse`). Nor is a word the
        intent asks to find out now ("get the current year" has no `year` to read)."""
        ticked = set(ticked_names(intent))
        if ticked:
            return ticked, set()
        present = set(_PRESENT.findall(intent))
        loose = {
            w for w in _IDENT.findall(intent) if w not in present and self._module_named(w) is None
        }
        return ticked, loose

    def _with_submodules(self, lines: Iterable[str], used: list[ast.AST]) -> Iterable[str]:
        """Each `import pkg` line, or instead the submodules of `pkg` the code reaches through it
        (`import urllib.request` for `urllib.request.urlretrieve(...)`: `import urllib` alone
        does not load `urllib.request`)."""
        for line in lines:
            package = line.removeprefix("import ")
            if self.table is None or line.startswith("from ") or " as " in package:
                yield line
                continue
            reached = {
                path
                for node in used
                if isinstance(node, ast.Attribute)
                and (path := self._submodule_path(package, dotted_parts(node) or []))
            }
            deepest = sorted(p for p in reached if not any(q.startswith(p + ".") for q in reached))
            yield from (f"import {path}" for path in deepest) if deepest else (line,)

    def _submodule_path(self, package: str, chain: list[str]) -> str | None:
        """The deepest submodule (not a name the package binds, like `os.path`) that `chain`
        (`urllib.request.urlretrieve`) reaches from `package`; None when it reaches none."""
        assert self.table is not None
        if not chain or chain[0] != package:
            return None
        path = package
        for attr in chain[1:]:
            entry = self.table.entry(path, attr) if self.table.has_module(path) else None
            if entry is None or entry.kind != MODULE or entry.target != f"{path}.{attr}":
                break
            path = entry.target
        return path if path != package else None

    def _star_origin(self, name: str, stars: tuple[str, ...]) -> str | None:
        """For a name a `from m import *` may bind: its path ("m.name"), "" when it may come
        from a module the table cannot list, None when no star import binds it."""
        for module in stars:
            if self.table is None or not self.table.has_module(module):
                return ""
            if self.table.entry(module, name) is not None:
                return f"{module}.{name}"
            if self.table.is_open(module):
                return ""
        return None

    def _imported_name(self, name: str, called: bool, attribute: str | None) -> str | None:
        """The `module.name` an unbound name stands for (`Counter` → collections.Counter):
        a function only where the code calls it, a class where it calls it or reads an
        attribute the table lists for the class (`chain.from_iterable`, not `FTP.delete`: an
        instance's method called on the class), a value only when its name has an underscore
        (`ascii_uppercase`). A bare `path` or `digits` is a variable the snippet left out, not
        `sys.path`, and `link.click()` no attribute of `os.link`."""
        path = self.from_names.get(name)
        if path is None or self.table is None:
            return None
        module, _, _ = path.rpartition(".")
        entry = self.table.entry(module, name)
        if entry is None:
            return None
        if entry.kind == VALUE:
            return path if "_" in name else None
        if entry.kind == CLASS and attribute is not None:
            return path if self.table.entry(path, attribute) is not None else None
        return path if called else None

    def _module_named(self, name: str) -> str | None:
        """The module a bare name stands for when nothing binds it (`shutil`, `np`)."""
        if name in self.aliases:
            return self.aliases[name]
        if self.table is not None:
            return name if self.table.has_module(name) else None
        return name if name in _STDLIB else None

    # ------------------------------------------------------------------ attributes, calls

    def _attributes_and_calls(
        self,
        used: list[ast.AST],
        modules: dict[str, str],
        shadowing: set[str],
        declared: ValueTypes,
    ) -> str | None:
        """The first attribute or call (in `ast.walk` order; `used` holds only those nodes)
        that does not exist or bind, as a reason; None when all do."""
        try:
            return self._check_attributes_and_calls(used, modules, shadowing, declared)
        except RecursionError:
            return None

    def _check_attributes_and_calls(
        self,
        used: list[ast.AST],
        modules: dict[str, str],
        shadowing: set[str],
        declared: ValueTypes,
    ) -> str | None:
        if self.table is None:
            return None
        inner = {id(n.value) for n in used if isinstance(n, ast.Attribute)}
        for node in used:
            reason = _class_misuse(node, shadowing)
            if reason is not None:
                return reason
            if isinstance(node, ast.Attribute) and declared.of(node.value) is not None:
                reason = self._literal_attribute(node, declared)
                if reason is not None:
                    return reason
            if isinstance(node, ast.Attribute) and id(node) not in inner:
                chain = dotted_parts(node)
                if chain and chain[0] in modules:
                    reason = self._walk(modules[chain[0]], chain[1:])
                    if reason is not None:
                        return reason
            if isinstance(node, ast.Call):
                reason = self._check_call(node, modules, shadowing, declared)
                if reason is None:
                    reason = self._unheard_of_method(node, modules, shadowing)
                if reason is not None:
                    return reason
        return None

    def _another_sibling(
        self, used: list[ast.AST], modules: dict[str, str], intent: str, code: str
    ) -> str | None:
        """`hashlib.md5(...)` under "the sha256 of `s`": the intent names a function of the
        module the code calls (only names with a digit, which are no English word: `sha256`,
        `b64encode`, `crc32`), and the code calls another one of it and never names that one
        (`hashlib.new('sha256', ...)` does)."""
        if self.table is None:
            return None
        named = unsaid_digit_names(intent, code)
        if not named:
            return None
        calls: dict[str, set[str]] = {}
        for node in used:
            chain = dotted_parts(node.func) if isinstance(node, ast.Call) else None
            if chain and len(chain) == 2 and chain[0] in modules:
                calls.setdefault(modules[chain[0]], set()).add(chain[1])
        for module, functions in calls.items():
            asked = {w for w in named if self.table.entry(module, w) is not None}
            if asked and not asked & {f.lower() for f in functions}:
                return (
                    f"calls {module}.{sorted(functions)[0]}; "
                    f"the intent names {module}.{sorted(asked)[0]}"
                )
        return None

    def _unheard_of_method(
        self, call: ast.Call, modules: dict[str, str], shadowing: set[str]
    ) -> str | None:
        """`x.name(...)` where no known type has `name` (or only Python 2's dict and file did)
        and the file does not define it."""
        func = call.func
        if not isinstance(func, ast.Attribute):
            return None
        name = func.attr
        if name in _PYTHON2_METHODS and name not in shadowing:
            return f"{name}() is Python 2 only"
        if self.methods is None:
            return None
        if name.startswith("_") or name in self.methods or name in shadowing:
            return None
        chain = dotted_parts(func)
        if chain and chain[0] in modules:
            return None  # a module's attributes are the table walk's to judge
        return f"no known type has a method {name!r}"

    def _walk(self, module: str, attrs: list[str]) -> str | None:
        """Follow `module.a.b...` through the table; a reason when an attribute is missing."""
        assert self.table is not None
        space = self._namespace(module)
        shown = module
        for attr in attrs:
            if space is None or attr.startswith("_"):
                return None
            entry = self.table.entry(space, attr)
            if entry is None:
                if self.table.is_open(space):
                    return None
                return f"module {shown!r} has no attribute {attr!r}"
            shown = f"{shown}.{attr}"
            space = self._entry_namespace(space, attr, entry)
        return None

    def _namespace(self, path: str) -> str | None:
        """The table key for a dotted module/class path (`os.path` → `posixpath`), or None."""
        assert self.table is not None
        if self.table.has_module(path):
            return path
        parent, _, last = path.rpartition(".")
        if not parent:
            return None
        space = self._namespace(parent)
        if space is None:
            return None
        entry = self.table.entry(space, last)
        return None if entry is None else self._entry_namespace(space, last, entry)

    def _entry_namespace(self, space: str, name: str, entry: Entry) -> str | None:
        assert self.table is not None
        if entry.kind == MODULE and entry.target:
            return entry.target if self.table.has_module(entry.target) else None
        if entry.kind == CLASS:
            key = f"{space}.{name}"
            return key if self.table.has_module(key) else None
        return None

    def _resolve(self, path: str) -> Entry | None:
        """The entry a dotted path names (`shutil.copy2`), or None when unknown."""
        assert self.table is not None
        parent, _, last = path.rpartition(".")
        space = self._namespace(parent) if parent else "builtins"
        if space is None or not self.table.has_module(space):
            return None
        return self.table.entry(space, last)

    def _literal_attribute(self, node: ast.Attribute, declared: ValueTypes) -> str | None:
        """`'a'.contains(x)`, or `xs.items()` under "list `xs`": the value's type is known, and
        so are all its members."""
        assert self.table is not None
        type_name = declared.of(node.value)
        if type_name is None or node.attr.startswith("_"):
            return None
        if self.table.has_instance_type(type_name):
            known = self.table.instance_entry(type_name, node.attr) is not None
        elif type_name in BUILTIN_MEMBERS:
            known = node.attr in BUILTIN_MEMBERS[type_name]
        else:
            return None
        return None if known else f"{type_name!r} object has no attribute {node.attr!r}"

    def _check_call(
        self, call: ast.Call, modules: dict[str, str], shadowing: set[str], declared: ValueTypes
    ) -> str | None:
        assert self.table is not None
        if literal_type(call.func) is not None:
            return f"calls {ast.unparse(call.func)}, which is not callable"
        if isinstance(call.func, ast.Attribute):
            type_name = declared.of(call.func.value)
            if type_name is not None:
                entry = self.table.instance_entry(type_name, call.func.attr)
                path = f"{type_name}.{call.func.attr}"
                return None if entry is None else self._bind(call, entry, path, declared)
        chain = dotted_parts(call.func)
        if not chain:
            return None
        if (
            len(chain) == 1
            and modules.get(chain[0]) == chain[0]
            and self.table.has_module(chain[0])
        ):
            return f"module {chain[0]!r} is not callable"
        if chain[0] in modules:
            path = ".".join([modules[chain[0]], *chain[1:]])
        elif len(chain) == 1 and chain[0] in _BUILTINS and chain[0] not in shadowing:
            path = chain[0]  # a builtin the file does not shadow
        else:
            return None
        entry = self._resolve(path)
        if entry is None:
            return None
        return self._bind(call, entry, path, declared)

    def _bind(self, call: ast.Call, entry: Entry, path: str, declared: ValueTypes) -> str | None:
        """Why `call`'s arguments cannot bind to any of `entry`'s signatures (None if one fits):
        their shape, or a string where a signature wants a number or an open file."""
        assert self.table is not None
        if entry.kind not in (FUNCTION, CLASS):
            return None
        misfit = _value_misfit(call, path, declared) or _annotated_misfit(
            call, self.table.params.get(path, ()), declared
        )
        if misfit is not None:
            return f"{path}() {misfit}"
        signatures = _specific(self.table.signatures(entry))
        if not signatures:
            return None
        n_pos = sum(1 for a in call.args if not isinstance(a, ast.Starred))
        star = any(isinstance(a, ast.Starred) for a in call.args)
        keywords = [k.arg for k in call.keywords if k.arg is not None]
        dstar = any(k.arg is None for k in call.keywords)
        errors = [s.bind_error(n_pos, keywords, star=star, dstar=dstar) for s in signatures]
        if any(e is None for e in errors):
            misfits = [
                _string_misfit(call, s, declared) or _text_for_bytes(call, s, path, declared)
                for s, e in zip(signatures, errors, strict=True)
                if e is None
            ]
            return None if any(m is None for m in misfits) else f"{path}() {misfits[0]}"
        return f"{path}() {errors[0]}"


# The types a value's type is read as (`ValueTypes.of`) that the check judges against a
# parameter's stubbed type (`params`), and which of them each such parameter takes.
_JUDGED_TYPES = frozenset(
    {"str", "bytes", "int", "float", "bool", "list", "dict", "set", "tuple", "date", "datetime"}
    | {"NoneType"}
)
_TAKES = {
    "str": {"str"},
    "bytes": {"bytes"},
    "int": {"int", "bool"},
    "list": {"list", "tuple", "set"},
    "dict": {"dict"},
}


def _annotated_misfit(
    call: ast.Call, types: Sequence[str | None], declared: ValueTypes
) -> str | None:
    """`ssl.cert_time_to_seconds(dt)` under "the datetime `dt`": a positional argument whose
    type is known and which the parameter's stubbed type rules out."""
    for at, (arg, wanted) in enumerate(zip(call.args, types, strict=False)):
        if isinstance(arg, ast.Starred):
            return None
        kind = declared.of(arg) if wanted in _TAKES else None
        if kind in _JUDGED_TYPES and kind not in _TAKES[wanted or ""]:
            article = "an" if wanted == "int" else "a"
            return f"is given a {kind} as argument {at + 1}, which takes {article} {wanted}"
    return None


def _string_misfit(call: ast.Call, signature: Signature, declared: ValueTypes) -> str | None:
    """Which `_NOT_A_STRING` parameter of `signature` the call passes a string (a literal or a
    name the intent calls a string), which string-only parameter another type, which
    `_NOT_A_NUMBER` parameter a number, which command, encoding or separator a bare file name,
    or which `mode` a string that is no mode, if any."""
    for name, node in _passed(call, signature):
        kind = declared.of(node)
        if name in _NOT_A_STRING and kind == "str":
            return f"passes a string as {name!r}"
        if name in _A_COUNT and kind in _CONTAINERS:
            return f"passes a {kind} as {name!r}"
        kind = "number" if kind in NUMBER_TYPES else kind
        if kind not in (None, "str", "bytes") and name in _ONLY_A_STRING:
            return f"passes a {kind} as {name!r}"
        if kind == "number" and name in _NOT_A_NUMBER:
            return f"passes a number as {name!r}"
        if name in _NOT_A_FILE_NAME and _is_file_name(node):
            return f"passes a file name as {name!r}"
        if name == "mode" and _is_no_mode(node):
            return f"passes {ast.unparse(node)} as the mode"
        if name == "encoding" and _is_no_text_encoding(node):
            return f"passes {ast.unparse(node)} as the encoding, which is no text encoding"
    return None


def _searches_a_module(nodes: list[ast.AST], modules: dict[str, str]) -> str | None:
    """`any(sub in string for sub in x)`: a module looked into with `in` or looped over, as if
    it held items (the word `string` taken for the module of that name)."""
    for node in nodes:
        if isinstance(node, ast.Compare):
            places = [c for op, c in zip(node.ops, node.comparators, strict=True)
                      if isinstance(op, ast.In | ast.NotIn)]  # fmt: skip
        elif isinstance(node, ast.comprehension | ast.For):
            places = [node.iter]
        else:
            continue
        for place in places:
            if isinstance(place, ast.Name) and place.id in modules:
                return f"looks for items in module {modules[place.id]!r}"
    return None


def _iterates_a_number(nodes: list[ast.AST], declared: ValueTypes) -> str | None:
    """`for x in random.randint(0, 100)`: a loop or comprehension over a number or None."""
    for node in nodes:
        if isinstance(node, ast.comprehension | ast.For):
            kind = declared.of(node.iter)
            if kind in NUMBER_TYPES or kind == "NoneType":
                return f"iterates over {ast.unparse(node.iter)}, which is a {kind}"
    return None


_SEQUENCES = frozenset({"list", "tuple", "str", "bytes"})


def _indexes_by_text(nodes: list[ast.AST], declared: ValueTypes) -> str | None:
    """`items['x']` under "list `items`": a sequence indexed by a string (a TypeError), the
    beam's or a dict-keyed pair's way with a key the intent names."""
    for node in nodes:
        if not isinstance(node, ast.Subscript):
            continue
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            kind = declared.of(node.value)
            if kind in _SEQUENCES:
                return f"indexes {ast.unparse(node.value)}, a {kind}, with the string {key.value!r}"
    return None


def _class_misuse(node: ast.AST, shadowing: set[str]) -> str | None:
    """`str.append('done')` (str has no append), `dict.get('port', config)` (an instance method
    called on the class with a string where the dict goes)."""
    func = node.func if isinstance(node, ast.Call) else node
    if not isinstance(func, ast.Attribute) or func.attr.startswith("_"):
        return None
    owner = func.value
    if not isinstance(owner, ast.Name) or owner.id not in _CLASS_MEMBERS or owner.id in shadowing:
        return None
    if isinstance(node, ast.Attribute):
        if node.attr not in _CLASS_MEMBERS[owner.id]:
            return f"{owner.id!r} has no attribute {node.attr!r}"
        return None
    assert isinstance(node, ast.Call)
    first = literal_type(node.args[0]) if node.args else None
    if func.attr in _INSTANCE_METHODS.get(owner.id, ()) and first not in (None, owner.id):
        return f"{owner.id}.{func.attr}() is given a {first} where the {owner.id} goes"
    return None


def _uses_none_of(ticked: set[str], nodes: list[ast.AST]) -> str | None:
    """None of the intent's back-ticked names in the code: `datetime.datetime.now()` under "the
    day of the week of date `d`" answers for today, not for `d`. Read from the tree, not the
    text: the `d` of `'%Y-%m-%d'` is not the user's `d`."""
    if not ticked:
        return None
    used = set()
    for node in nodes:
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)  # `df['price']` under "column `price`"
        elif isinstance(node, ast.arg | ast.keyword):
            used.add(node.arg or "")
    if used & ticked:
        return None
    return f"uses none of {', '.join(f'`{n}`' for n in sorted(ticked))}"


def _missing_group(nodes: list[ast.AST], modules: dict[str, str]) -> str | None:
    """`re.match('\\d+', s).group(1)`: a group the literal pattern does not have (IndexError when
    it matches). The pattern is compiled, never matched: no input reaches it."""
    for node in nodes:
        call = node if isinstance(node, ast.Call) else None
        func = call.func if call is not None else None
        if not (isinstance(func, ast.Attribute) and func.attr == "group" and call and call.args):
            continue
        wanted = call.args[0]
        inner = func.value
        if not (isinstance(wanted, ast.Constant) and type(wanted.value) is int):
            continue
        if not (isinstance(inner, ast.Call) and inner.args):
            continue
        chain = dotted_parts(inner.func) or []
        path = ".".join([modules.get(chain[0], chain[0]), *chain[1:]]) if chain else ""
        pattern = inner.args[0]
        if path not in _MATCHERS or not isinstance(pattern, ast.Constant):
            continue
        if not isinstance(pattern.value, str):
            continue
        try:
            groups = re.compile(pattern.value).groups
        except (re.error, RecursionError, OverflowError):
            continue
        if wanted.value > groups:
            return f"asks for group {wanted.value} of a pattern with {groups} group(s)"
    return None


def _wrong_result(tree: ast.Module, declared: ValueTypes, intent: str) -> str | None:
    """A one-expression answer whose type is plainly not the one the intent asks for:
    `random.randint(5, 10)` for "a random float between 5 and 10", `s.split()` for "... as a
    string"."""
    wanted, value = asked_type(intent), one_answer(tree)
    if wanted is None or value is None:
        return None
    got = declared.of(value)
    if got is None or got == wanted or (wanted, got) in _STANDS_IN_FOR:
        return None
    return f"gives {_article(got)} {got}; the intent asks for {_article(wanted)} {wanted}"


def asked_type(intent: str) -> str | None:
    """The builtin type the intent asks the answer to be ("as a string": `str`), or None."""
    match = _ASKS_FOR_TYPE.search(intent)
    return None if match is None else _TYPE_WORDS.get(match.group("type").lower())


def one_answer(tree: ast.Module) -> ast.expr | None:
    """The value a one-statement answer gives: an expression alone or assigned to one name
    (`unique = list(set(xs))` under "convert `xs` to a set" answers as much as its value does);
    None for anything else."""
    if len(tree.body) != 1:
        return None
    statement = tree.body[0]
    one_target = isinstance(statement, ast.Assign) and len(statement.targets) == 1
    if isinstance(statement, ast.Expr) or one_target:
        return statement.value  # type: ignore[attr-defined]
    return None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _unpacks_a_string(nodes: list[ast.AST]) -> str | None:
    """`os.path.join(base, *'data.csv')`: a string literal spread into one argument a letter."""
    for node in nodes:
        value = node.value if isinstance(node, ast.Starred) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return f"spreads {ast.unparse(node.value)} into one argument per letter"
    return None


# Values no file name is (an int is a file descriptor, which `open` takes)
_CONTENT_TYPES = frozenset(("bytes", "bytearray", "list", "dict", "set", "tuple"))


def _value_misfit(call: ast.Call, path: str, declared: ValueTypes) -> str | None:
    """A literal or a typed value the function refuses whatever the signature says:
    `json.loads('data.json')` (a file name, not JSON text), `subprocess.run('ls -l')` (looks
    for a program called "ls -l"), `int(n, 2)` under "integer `n`" (a base needs text)."""
    first = call.args[0] if call.args else None
    text = first.value if isinstance(first, ast.Constant) else None
    if path in _JSON_TEXT and isinstance(text, str):
        try:
            json.loads(text)
        except ValueError:
            return f"gets {text!r}, which is not JSON text"
    command = command_text(call) if path in RUNS_A_PROGRAM else None
    if command is not None:
        shell = any(
            k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value
            for k in call.keywords
        )
        if not shell:
            return f"runs {command!r} as one program's name (a list of words or shell=True runs it)"
    if path in ("isinstance", "issubclass") and len(call.args) == 2:
        kind = call.args[1]
        if isinstance(kind, ast.Constant) or literal_type(kind) not in (None, "tuple"):
            return f"is given {ast.unparse(kind)}, which is no type"
    if path == "int" and len(call.args) > 1 and declared.of(call.args[0]) in NUMBER_TYPES:
        return "is given a base with a number, which only works on text"
    # "the md5 of bytes `data`": `open(data, 'rb')` takes the content for a file name
    kind = declared.of(first) if path in ("open", "io.open") and first is not None else None
    if kind in _CONTENT_TYPES:
        shown = f"`{first.id}`" if isinstance(first, ast.Name) else "a value"
        return f"opens {shown}, a {kind}, as if it were a file name"
    return None


def _exits_unasked(tree: ast.Module, intent: str) -> str | None:
    """A top-level `raise` or `sys.exit(...)` under an intent that asks for no exit or error:
    the beam's way of writing nothing (`raise ValueError(pairs)`, `sys.exit(0)`)."""
    if _ASKS_TO_STOP.search(intent):
        return None
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        name = ".".join(dotted_parts(call.func) or []) if isinstance(call, ast.Call) else ""
        if isinstance(statement, ast.Raise) or name in _EXITS:
            return "stops the program, which the intent does not ask for"
    return None


def _specific(signatures: Sequence[Signature]) -> Sequence[Signature]:
    """The signatures without a catch-all `(*args, **kwargs)` when others say more: `dict`'s
    `__new__` takes anything, its `__init__` overloads do not (`dict(a, b)` raises)."""
    catch_all = [
        s for s in signatures if {p.kind for p in s.params} == {VAR_POSITIONAL, VAR_KEYWORD}
    ]
    return [s for s in signatures if s not in catch_all] or signatures


def _text_for_bytes(
    call: ast.Call, signature: Signature, path: str, declared: ValueTypes
) -> str | None:
    """Which bytes parameter of a `BYTES_MODULES` encoder or hash the call passes text."""
    if not takes_bytes(path):
        return None
    for name, node in _passed(call, signature):
        if name in _BYTES_PARAMS and declared.of(node) == "str":
            return f"passes text as {name!r}, which takes bytes"
    return None


def takes_bytes(path: str) -> bool:
    """Whether `path` (`hashlib.md5`, `base64.b64encode`) is an encoder, hash or checksum of a
    `BYTES_MODULES` module, whose data parameter takes bytes only (decoders take text too)."""
    module, _, function = path.rpartition(".")
    return (
        module in BYTES_MODULES
        and "decode" not in function
        and not function.startswith(("a2b", "unhex"))
    )


def _passed(call: ast.Call, signature: Signature) -> list[tuple[str, ast.expr]]:
    """(parameter name, argument) for each argument the call passes up to a `*args`."""
    positional = [p for p in signature.params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
    passed: list[tuple[str, ast.expr]] = []
    for param, arg in zip(positional, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        passed.append((param.name, arg))
    return passed + [(k.arg, k.value) for k in call.keywords if k.arg is not None]


def _is_no_mode(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and not _MODE.match(node.value)
    )


def _is_no_text_encoding(node: ast.expr) -> bool:
    """A literal that names no text codec: `s.encode('error')`, or Python 2's `s.encode('hex')`
    (a bytes-to-bytes codec, which `str.encode` refuses)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    name = re.sub(r"[-\s]+", "_", node.value.strip().lower())
    name = _CODEC_ALIASES.get(name, name)
    return name not in _TEXT_CODECS


def _is_file_name(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and PATH_RE.match(node.value) is not None
    )


def declared_types(intent: str) -> dict[str, str]:
    """Back-ticked names the intent gives a builtin type: "list `xs`", "list of strings `xs`",
    "string `s`", "dict `d`" → {"xs": "list", "s": "str", "d": "dict"}. A name given two
    types is left out."""
    found: dict[str, str] = {}
    clashes: set[str] = set()
    for match in _DECLARED.finditer(intent):
        kind = _TYPE_WORDS[match.group("type").lower()]
        names = [match.group("name")]
        if match.group("plural") or match.group("type").lower() == "dictionaries":
            at = match.end()
            while (more := _MORE_NAMES.match(intent, at)) is not None:  # "dicts `a` and `b`"
                names.append(more.group("name"))
                at = more.end()
        for name in names:
            if found.setdefault(name, kind) != kind:
                clashes.add(name)
    return {name: kind for name, kind in found.items() if name not in clashes}


def stated_types(intent: str) -> dict[str, str]:
    """Every back-ticked name's type the intent gives: stated ("list `xs`", `declared_types`)
    over implied by its spelling (`url`, `nums`: `name_types`)."""
    return {**name_types(intent), **declared_types(intent)}


def declared_only(intent: str) -> frozenset[str]:
    """Builtin types the intent names only as what a given value is, never elsewhere: list under
    "shuffle the list `cards`", but not under "convert string `s` to a list"."""
    declared = {_TYPE_WORDS[m.group("type").lower()] for m in _DECLARED.finditer(intent)}
    if not declared:
        return frozenset()
    said = set()
    for word in intent_words(_DECLARED.sub(" ", intent)):
        kind = _TYPE_WORDS.get(word) or _TYPE_WORDS.get(word.removesuffix("s"))
        if kind is not None:
            said.add(kind)
    return frozenset(declared - said)


def _rebinds_itself(tree: ast.Module) -> set[str]:
    """The name of a one-statement candidate `x = f(x)`: its right side reads the value the
    user's `x` already has, so what the intent says `x` is still holds there."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        return set()
    (stmt,) = tree.body
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        return set()
    name = stmt.targets[0].id
    reads = False
    for node in ast.walk(stmt.value):
        if isinstance(node, ast.Name) and node.id == name:
            if isinstance(node.ctx, ast.Store):  # `[x for x in xs]` binds its own x
                return set()
            reads = True
        elif isinstance(node, ast.Lambda) and name in {a.arg for a in node.args.args}:
            return set()
    return {name} if reads else set()
