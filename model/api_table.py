"""The API table: which names each module offers, of what kind, and how its callables are called.

Built at training time (`codeqa-train mine`) from static sources only — typeshed stubs, the
standard library's and pinned packages' source read with `ast`, the Python HTML docs — and
shipped in a bundle as `api_table.json`. The checker (`codeqa_model.api_check`) reads it to tell
whether `os.copy` exists or `os.getcwd("x")` binds, without importing anything.

JSON shape (compact on purpose; schema in docs/DESIGN.md):

    {"format": 1,
     "modules": {"os": {"getcwd": ["f", "()"], "path": ["m", "posixpath"], "sep": ["v"]}, ...},
     "open": ["numpy", ...],          # modules whose attributes are not fully known
     "aliases": {"np": "numpy", ...},  # the names people import modules as
     "instances": {"str": {"join": ["f", "iterable, /"], ...}, ...},  # literal types' members
     "returns": {"os.listdir": "list", ...},  # plain builtin types functions are stubbed to return
     "params": {"ssl.cert_time_to_seconds": ["str"], ...}}  # positional parameters' plain types

Entry kinds: "f" function, "c" class, "m" module (the target module's key follows), "v" value.
A function or class entry may carry parameter lists (several for overloads), each the text between
the parentheses of a `def`, e.g. "src, dst, *, follow_symlinks=..."; a class's is its
constructor's, without `self`. Class namespaces are keys too ("datetime.datetime"), marked open
because inherited members are not listed. `returns` (optional; absent in older tables) holds the
builtin type a function's stub annotates it to return, where it is one (`str`, `list`, `None`...),
by the function's path in `modules`. `params` (optional too) holds, by the same paths, the type
each positional parameter is stubbed with where it is one of str, bytes, int, list, dict (null
elsewhere), for functions whose overloads all agree.
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

FORMAT = 1
FUNCTION, CLASS, MODULE, VALUE = "f", "c", "m", "v"
KINDS = (FUNCTION, CLASS, MODULE, VALUE)

POSITIONAL_ONLY = "po"
POSITIONAL_OR_KEYWORD = "pk"
VAR_POSITIONAL = "vp"
KEYWORD_ONLY = "ko"
VAR_KEYWORD = "vk"


class ApiTableError(ValueError):
    """`api_table.json` does not have the documented shape."""


@dataclass(frozen=True)
class Param:
    """One parameter: its name, kind (`po`, `pk`, `vp`, `ko`, `vk`) and whether it has a default."""

    name: str
    kind: str
    has_default: bool = False


@dataclass(frozen=True)
class Signature:
    """A parameter list; `bind_error` says why a call's argument shape cannot bind to it."""

    params: tuple[Param, ...]

    def bind_error(
        self, n_positional: int, keywords: Sequence[str], *, star: bool = False, dstar: bool = False
    ) -> str | None:
        """None when a call with `n_positional` positional args and these keyword names binds.

        `star`/`dstar` say the call also passes `*args`/`**kwargs`, whose length is unknown, so
        only what is certainly wrong is reported (like `inspect.Signature.bind`, statically).
        """
        positional = [p for p in self.params if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
        has_var_pos = any(p.kind == VAR_POSITIONAL for p in self.params)
        has_var_kw = any(p.kind == VAR_KEYWORD for p in self.params)
        if n_positional > len(positional) and not has_var_pos:
            return f"takes at most {len(positional)} positional argument(s), got {n_positional}"
        filled = {p.name for p in positional[:n_positional]}
        by_name = {p.name: p for p in self.params if p.kind not in (VAR_POSITIONAL, VAR_KEYWORD)}
        for name in keywords:
            param = by_name.get(name)
            if param is None or param.kind == POSITIONAL_ONLY:
                if has_var_kw:
                    continue
                return f"got an unexpected keyword argument {name!r}"
            if name in filled:
                return f"got multiple values for argument {name!r}"
            filled.add(name)
        if star or dstar:
            return None
        missing = [
            p.name
            for p in self.params
            if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, KEYWORD_ONLY)
            and not p.has_default
            and p.name not in filled
        ]
        if missing:
            return f"missing required argument(s) {', '.join(repr(m) for m in missing)}"
        return None


def signature_text(args: ast.arguments, *, drop_first: bool = False) -> str:
    """A `def`'s parameter list as compact text (defaults written as `...`)."""
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    items = [
        (arg, i >= first_default, i < len(args.posonlyargs)) for i, arg in enumerate(positional)
    ]
    if drop_first:
        items = items[1:]
    parts: list[str] = []
    for i, (arg, default, posonly) in enumerate(items):
        parts.append(arg.arg + ("=..." if default else ""))
        if posonly and (i + 1 == len(items) or not items[i + 1][2]):
            parts.append("/")
    if args.vararg is not None:
        parts.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        parts.append(arg.arg + ("=..." if kw_default is not None else ""))
    if args.kwarg is not None:
        parts.append("**" + args.kwarg.arg)
    return ", ".join(parts)


@lru_cache(maxsize=4096)
def parse_signature(text: str) -> Signature | None:
    """Parse a parameter list ("a, b=..., *args, key=..., **kw"); None if it is not one."""
    try:
        tree = ast.parse(f"def _f({text}): pass")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    args = node.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        kind = POSITIONAL_ONLY if i < len(args.posonlyargs) else POSITIONAL_OR_KEYWORD
        params.append(Param(arg.arg, kind, i >= first_default))
    if args.vararg is not None:
        params.append(Param(args.vararg.arg, VAR_POSITIONAL, True))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(Param(arg.arg, KEYWORD_ONLY, default is not None))
    if args.kwarg is not None:
        params.append(Param(args.kwarg.arg, VAR_KEYWORD, True))
    return Signature(tuple(params))


@dataclass(frozen=True)
class Entry:
    """One name in a module: kind, parameter lists (functions/classes), target (modules)."""

    kind: str
    signatures: tuple[str, ...] = ()
    target: str | None = None


class ApiTable:
    """Read-only view of an API table; lookups never import anything."""

    def __init__(
        self,
        modules: Mapping[str, Mapping[str, Sequence[Any]]],
        open_modules: Iterable[str] = (),
        aliases: Mapping[str, str] | None = None,
        instances: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
        returns: Mapping[str, str] | None = None,
        params: Mapping[str, Sequence[str | None]] | None = None,
    ) -> None:
        self._modules = {str(m): dict(names) for m, names in modules.items()}
        self._open = frozenset(open_modules)
        self.aliases: dict[str, str] = dict(aliases or {})
        self._instances = {str(t): dict(names) for t, names in (instances or {}).items()}
        self.returns: dict[str, str] = dict(returns or {})
        """A function's path (`os.listdir`) → the builtin type it returns ("list")."""
        self.params: dict[str, tuple[str | None, ...]] = {
            str(k): tuple(v) for k, v in (params or {}).items()
        }
        """A function's path → the plain type of each positional parameter, None where it is
        not one (`ssl.cert_time_to_seconds` → ("str",))."""

    @classmethod
    def from_json(cls, data: Any) -> ApiTable:
        """From the parsed JSON; raises `ApiTableError` on a wrong shape."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ApiTableError(f"expected an object with format {FORMAT}")
        modules = data.get("modules")
        if not isinstance(modules, dict) or not all(isinstance(v, dict) for v in modules.values()):
            raise ApiTableError("'modules' must map module names to objects")
        open_modules = data.get("open", [])
        aliases = data.get("aliases", {})
        instances = data.get("instances", {})
        if not isinstance(open_modules, list) or not isinstance(aliases, dict):
            raise ApiTableError("'open' must be a list and 'aliases' an object")
        if not isinstance(instances, dict) or not all(
            isinstance(v, dict) for v in instances.values()
        ):
            raise ApiTableError("'instances' must map type names to objects")
        returns = data.get("returns", {})
        if not isinstance(returns, dict) or not all(isinstance(v, str) for v in returns.values()):
            raise ApiTableError("'returns' must map function paths to type names")
        params = data.get("params", {})
        if not isinstance(params, dict) or not all(
            isinstance(v, list) and all(t is None or isinstance(t, str) for t in v)
            for v in params.values()
        ):
            raise ApiTableError("'params' must map function paths to lists of type names")
        return cls(modules, open_modules, aliases, instances, returns, params)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ApiTable:
        try:
            return cls.from_json(json.loads(blob.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiTableError(f"not JSON: {exc}") from None

    def has_module(self, module: str) -> bool:
        return module in self._modules

    def is_open(self, module: str) -> bool:
        """Whether `module` may have attributes the table does not list."""
        return module in self._open

    def modules(self) -> Iterable[str]:
        return self._modules.keys()

    def names(self, module: str) -> Iterable[str]:
        return self._modules.get(module, {}).keys()

    @functools.cached_property
    def member_names(self) -> frozenset[str]:
        """Every name any listed module, class or builtin type has."""
        spaces = [*self._modules.values(), *self._instances.values()]
        return frozenset(name for space in spaces for name in space)

    def has_instance_type(self, type_name: str) -> bool:
        """Whether the instance members of builtin type `type_name` are listed (in full)."""
        return type_name in self._instances

    def instance_entry(self, type_name: str, name: str) -> Entry | None:
        """Member `name` of an instance of builtin `type_name` (`self` dropped), or None."""
        return self._parse(self._instances.get(type_name, {}).get(name), type_name, name)

    def entry(self, module: str, name: str) -> Entry | None:
        """The entry for `module.name`, or None when the table does not list it."""
        return self._parse(self._modules.get(module, {}).get(name), module, name)

    @staticmethod
    def _parse(raw: Any, module: str, name: str) -> Entry | None:
        if not isinstance(raw, list | tuple) or not raw or raw[0] not in KINDS:
            return None
        kind = raw[0]
        if kind == MODULE:
            target = raw[1] if len(raw) > 1 and isinstance(raw[1], str) else f"{module}.{name}"
            return Entry(kind, (), target)
        sigs = tuple(s for s in raw[1:] if isinstance(s, str))
        return Entry(kind, sigs)

    def signatures(self, entry: Entry) -> list[Signature]:
        """The parsed parameter lists of `entry` (unparseable ones skipped)."""
        parsed = (parse_signature(s) for s in entry.signatures)
        return [s for s in parsed if s is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "modules": self._modules,
            "open": sorted(self._open),
            "aliases": self.aliases,
            "instances": self._instances,
            "returns": self.returns,
            "params": {k: list(v) for k, v in self.params.items()},
        }
