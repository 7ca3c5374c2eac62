"""The builtin type of an expression, where it is plain from the code and the intent alone.

The API check asks this before judging an attribute or an argument: `'a'.contains(x)`,
`xs.items()` under "list `xs`", and also what builtins and string methods return:
`len(words).count()` is an int's `count` (there is none), `s.split(',').strip()` a list's.
Nothing is evaluated; the answers come from literals, the intent's stated names, a short list
of return types and, given the API table's, what its functions' stubs say they return.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from codeqa_model.pyast import dotted_parts, mode_argument

# What calling a builtin returns (when the file does not rebind its name).
_BUILTIN_RETURNS = {
    **dict.fromkeys(("len", "int", "ord", "hash", "id"), "int"),
    **dict.fromkeys(("str", "repr", "chr", "bin", "hex", "oct", "ascii", "format"), "str"),
    **dict.fromkeys(("sorted", "list"), "list"),
    "float": "float",
    "bool": "bool",
    "print": "NoneType",
    "dict": "dict",
    "set": "set",
    "tuple": "tuple",
    "bytes": "bytes",
}
# What a method of a value of known type returns.
_METHOD_RETURNS = {
    "str": {
        **dict.fromkeys(
            [
                "lower",
                "upper",
                "strip",
                "lstrip",
                "rstrip",
                "replace",
                "join",
                "title",
                "capitalize",
                "casefold",
                "center",
                "ljust",
                "rjust",
                "zfill",
                "format",
                "swapcase",
                "translate",
                "expandtabs",
                "removeprefix",
                "removesuffix",
            ],
            "str",
        ),
        **dict.fromkeys(("split", "rsplit", "splitlines"), "list"),
        **dict.fromkeys(("count", "find", "rfind", "index", "rindex"), "int"),
        **dict.fromkeys(("partition", "rpartition"), "tuple"),
        **dict.fromkeys(
            [
                "startswith",
                "endswith",
                "isdigit",
                "isalpha",
                "isalnum",
                "isspace",
                "islower",
                "isupper",
                "istitle",
                "isnumeric",
                "isdecimal",
                "isidentifier",
                "isascii",
            ],
            "bool",
        ),
        "encode": "bytes",
    },
    "bytes": {
        **dict.fromkeys(
            ("lower", "upper", "strip", "lstrip", "rstrip", "replace", "join", "title"), "bytes"
        ),
        **dict.fromkeys(("capitalize", "center", "ljust", "rjust", "zfill"), "bytes"),
        **dict.fromkeys(("removeprefix", "removesuffix", "translate", "expandtabs"), "bytes"),
        **dict.fromkeys(("split", "rsplit", "splitlines"), "list"),
        **dict.fromkeys(("count", "find", "rfind", "index", "rindex"), "int"),
        **dict.fromkeys(("startswith", "endswith", "isdigit", "isalpha", "isspace"), "bool"),
        **dict.fromkeys(("decode", "hex"), "str"),
    },
    # `open(...)`'s file, by mode: `open(p).read().decode(...)` is Python 2 (str has no decode).
    "textfile": {"read": "str", "readline": "str", "readlines": "list"},
    "binaryfile": {"read": "bytes", "readline": "bytes", "readlines": "list"},
    # views, not lists: `d.keys().sort()` is Python 2
    "dict": {"keys": "dict_keys", "values": "dict_values", "items": "dict_items", "copy": "dict"},
    "list": {
        **dict.fromkeys(("append", "extend", "insert", "remove", "sort", "reverse"), "NoneType"),
        **dict.fromkeys(("clear",), "NoneType"),
        "copy": "list",
        "count": "int",
        "index": "int",
    },
}
# What a few everyday module functions return (`re.findall(...).group(1)` is an AttributeError).
_MODULE_RETURNS = {
    **dict.fromkeys(("re.findall", "re.split", "os.listdir", "glob.glob"), "list"),
    **dict.fromkeys(("re.sub", "re.escape", "json.dumps", "os.getcwd"), "str"),
    **dict.fromkeys(
        ("os.path.join", "os.path.basename", "os.path.dirname", "os.path.abspath"), "str"
    ),
    **dict.fromkeys(("os.path.splitext", "os.path.split"), "tuple"),
    **dict.fromkeys(("os.path.exists", "os.path.isfile", "os.path.isdir"), "bool"),
    **dict.fromkeys(("os.path.getsize", "math.floor", "math.ceil", "random.randint"), "int"),
    **dict.fromkeys(("time.time", "math.sqrt", "random.random"), "float"),
    **dict.fromkeys(("time.sleep", "random.shuffle", "os.remove", "os.makedirs"), "NoneType"),
    "sys.exit": "NoneType",  # returns nothing at all: `sys.exit(0).distutils()` is the beam's
}
# Module values of one plain type (typeshed's annotations): `sys.path.insert(0, 0, 1)` is a
# list's insert with one argument too many, `sys.argv.split()` no list method.
_MODULE_VALUES = {
    **dict.fromkeys(("sys.argv", "sys.path"), "list"),
    "sys.modules": "dict",
    **dict.fromkeys(
        ("sys.platform", "sys.version", "sys.executable", "os.sep", "os.linesep"), "str"
    ),
    **dict.fromkeys(("os.name", "os.curdir", "os.pardir", "os.pathsep", "os.extsep"), "str"),
    **dict.fromkeys(
        (
            "string.ascii_letters",
            "string.ascii_lowercase",
            "string.ascii_uppercase",
            "string.digits",
            "string.hexdigits",
            "string.punctuation",
            "string.whitespace",
            "string.printable",
        ),
        "str",
    ),
    **dict.fromkeys(("math.pi", "math.e", "math.tau", "math.inf"), "float"),
    "sys.maxsize": "int",
}
# Members of the types the API table does not list (read from this interpreter's builtins).
BUILTIN_MEMBERS: dict[str, frozenset[str]] = {
    "int": frozenset(dir(int)),
    "float": frozenset(dir(float)),
    "bool": frozenset(dir(bool)),
    "NoneType": frozenset(dir(None)),
    "dict_keys": frozenset(dir({}.keys())),
    "dict_values": frozenset(dir({}.values())),
    "dict_items": frozenset(dir({}.items())),
    # "the date `d`", "the datetime `now`" (`api_check.declared_types`)
    "date": frozenset(dir(datetime.date)),
    "datetime": frozenset(dir(datetime.datetime)),
}
NUMBER_TYPES = frozenset({"int", "float", "bool"})
_SLICEABLE = frozenset({"list", "tuple", "str", "bytes"})


@dataclass(frozen=True)
class ValueTypes:
    """Names whose type the intent states (or their spelling implies), the builtins the file or
    the candidate rebinds (whose return types are then unknown), and the modules bound."""

    names: dict[str, str] = field(default_factory=dict)
    shadowed: frozenset[str] = frozenset()
    modules: dict[str, str] = field(default_factory=dict)  # bound name → module path
    returns: Mapping[str, str] = field(default_factory=dict)  # the API table's (`ApiTable`)

    def of(self, node: ast.expr) -> str | None:
        """`node`'s builtin type, or None when it is not plain."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Call):
            return self._returned(node)
        if isinstance(node, ast.Attribute):
            chain = dotted_parts(node)
            if chain and chain[0] in self.modules:
                return _MODULE_VALUES.get(".".join([self.modules[chain[0]], *chain[1:]]))
            return None
        if isinstance(node, ast.Subscript):
            return self._item(node)
        return literal_type(node)

    def _item(self, node: ast.Subscript) -> str | None:
        """A slice of a sequence is one of its kind (`xs[:5].get(k)` is a list's `get`); any
        part of a string is a string."""
        owner = self.of(node.value)
        if owner == "str" or (owner in _SLICEABLE and isinstance(node.slice, ast.Slice)):
            return owner
        return None

    def _returned(self, call: ast.Call) -> str | None:
        func = call.func
        if isinstance(func, ast.Name):
            if func.id in self.shadowed:
                return None
            return _file_kind(call) if func.id == "open" else _BUILTIN_RETURNS.get(func.id)
        if isinstance(func, ast.Attribute):
            chain = dotted_parts(func)
            if chain and chain[0] in self.modules:
                path = ".".join([self.modules[chain[0]], *chain[1:]])
                return _MODULE_RETURNS.get(path) or self.returns.get(path)
            owner = self.of(func.value)
            return _METHOD_RETURNS.get(owner, {}).get(func.attr) if owner else None
        return None


def _file_kind(call: ast.Call) -> str | None:
    """ "textfile" or "binaryfile" for `open(path[, mode])` with a literal mode (or none)."""
    mode = mode_argument(call)
    if mode is None:
        return "textfile"
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return "binaryfile" if "b" in mode.value else "textfile"
    return None


def literal_type(node: ast.expr) -> str | None:
    """The builtin type of a literal (`'a'` → "str", `[1]` → "list", `-2` → "int"), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
        if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
            return None
    if isinstance(node, ast.Constant):
        return {str: "str", bytes: "bytes", int: "int", float: "float", bool: "bool"}.get(
            type(node.value)
        )
    if isinstance(node, ast.JoinedStr):
        return "str"
    if isinstance(node, ast.List | ast.ListComp):
        return "list"
    if isinstance(node, ast.Dict | ast.DictComp):
        return "dict"
    if isinstance(node, ast.Set | ast.SetComp):
        return "set"
    if isinstance(node, ast.Tuple):
        return "tuple"
    return None
