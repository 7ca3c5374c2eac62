"""Modules read with `ast` → the API table the checker ships with, and the public path a user
calls each definition by (`pandas.read_csv`, not `pandas.io.parsers.readers.read_csv`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codeqa_model.api_table import CLASS, FORMAT, FUNCTION, MODULE, VALUE
from codeqa_train.knowledge.pysource import ModuleInfo, Symbol

COMMON_ALIASES = {
    "np": "numpy",
    "pd": "pandas",
    "plt": "matplotlib.pyplot",
    "mpl": "matplotlib",
    "ET": "xml.etree.ElementTree",
    "tk": "tkinter",
}
"""The names people import modules as (`import numpy as np`): a candidate using `np` with no
import gets `import numpy as np` added."""

PREFERRED_PATHS = {"posixpath": "os.path"}
"""Modules users reach through another name (on Linux `os.path` *is* `posixpath`)."""

_MAX_DEPTH = 12


def is_public(module: str) -> bool:
    return all(part and not part.startswith("_") for part in module.split("."))


@dataclass(frozen=True)
class Resolved:
    """Where a name is finally defined, and what it is."""

    module: str
    name: str
    symbol: Symbol


class Resolver:
    """Follows `from x import y` and `from x import *` chains across the read modules."""

    def __init__(self, infos: dict[str, ModuleInfo]) -> None:
        self.infos = infos
        self._star_cache: dict[str, frozenset[str]] = {}
        self._add_submodules()

    def _add_submodules(self) -> None:
        for name in list(self.infos):
            parent, _, last = name.rpartition(".")
            if parent in self.infos and not last.startswith("_"):
                self.infos[parent].symbols.setdefault(last, Symbol(MODULE, target=(name, None)))

    def star_names(self, module: str, depth: int = 0) -> frozenset[str]:
        """The names `from module import *` binds (its `__all__`, else its public names)."""
        if module in self._star_cache:
            return self._star_cache[module]
        info = self.infos.get(module)
        if info is None or depth > _MAX_DEPTH:
            return frozenset()
        self._star_cache[module] = frozenset()  # cycle guard
        if info.all is not None:
            names = frozenset(info.all)
        else:
            own = {n for n in info.symbols if not n.startswith("_")}
            for star in info.stars:
                own |= self.star_names(star, depth + 1)
            names = frozenset(own)
        self._star_cache[module] = names
        return names

    def names(self, module: str) -> set[str]:
        """Every attribute name of `module` the sources show."""
        info = self.infos[module]
        names = set(info.symbols)
        for star in info.stars:
            names |= self.star_names(star)
        return names

    def is_open(self, module: str) -> bool:
        """Attributes may exist that the sources do not show (module `__getattr__`, or a
        star import from a module that was not read, such as a C extension without a stub)."""
        info = self.infos[module]
        stars = info.stars if info.declared_stars is None else info.declared_stars
        return info.open or any(star not in self.infos for star in stars)

    def resolve(self, module: str, name: str, depth: int = 0) -> Resolved | None:
        info = self.infos.get(module)
        if info is None or depth > _MAX_DEPTH:
            return None
        sym = info.symbols.get(name)
        if sym is None:
            for star in info.stars:
                if name in self.star_names(star):
                    found = self.resolve(star, name, depth + 1)
                    if found is not None:
                        return found
            return None
        if sym.target is None:
            return Resolved(module, name, sym)
        target_module, target_name = sym.target
        if target_name is None:
            return Resolved(module, name, Symbol(MODULE, target=(target_module, None)))
        found = self.resolve(target_module, target_name, depth + 1)
        if found is not None:
            return found
        submodule = f"{target_module}.{target_name}"
        if submodule in self.infos:
            return Resolved(module, name, Symbol(MODULE, target=(submodule, None)))
        return Resolved(module, name, Symbol(VALUE))


def class_chain(resolver: Resolver, module: str, name: str, depth: int) -> list[dict]:
    """The member tables of a class and of its bases (as far as the sources show them)."""
    info = resolver.infos.get(module)
    if info is None or name not in info.classes or depth > 8:
        return []
    chain = [info.classes[name]]
    for base in info.bases.get(name, []):
        head, _, rest = base.partition(".")
        found = resolver.resolve(module, head)
        if found is None:
            continue
        if rest and found.symbol.kind == MODULE and found.symbol.target:
            found = resolver.resolve(found.symbol.target[0], rest)
        if found is not None and found.symbol.kind == CLASS:
            chain += class_chain(resolver, found.module, found.name, depth + 1)
    return chain


LITERAL_TYPES = ("str", "bytes", "list", "dict", "set", "tuple")
"""Builtin types a literal in code has (`'a'.join`, `[1].append`): their instance members are
listed in full, so a method a literal lacks is an error the checker can name."""


def _instances(resolver: Resolver) -> dict[str, dict[str, list[str]]]:
    """Instance members (with `self` dropped from signatures) of the literal types."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in LITERAL_TYPES:
        members: dict[str, list[str]] = {}
        for table in reversed(class_chain(resolver, "builtins", name, 0)):
            for member, sym in table.items():
                if member.startswith("_"):
                    continue
                if sym.kind == FUNCTION:
                    members[member] = [FUNCTION, *sym.sigs]
                else:
                    members[member] = [VALUE]
        if members:
            out[name] = members
    return out


def _entry(resolved: Resolved) -> list[str]:
    sym = resolved.symbol
    if sym.kind == MODULE:
        target = sym.target[0] if sym.target else f"{resolved.module}.{resolved.name}"
        return [MODULE, target]
    if sym.kind in (FUNCTION, CLASS):
        return [sym.kind, *sym.sigs]
    return [VALUE]


def build_table(infos: dict[str, ModuleInfo], extra: Iterable[tuple[str, str, list[str]]] = ()):
    """The API table JSON (see `codeqa_model.api_table`) and each definition's public path.

    `extra` adds (module, name, entry) rows from other sources (the HTML docs) where the sources
    lack them. Returns (table, paths) where `paths[(module, name)]` is the shortest public dotted
    path that reaches that definition.
    """
    resolver = Resolver(infos)
    modules: dict[str, dict[str, list[str]]] = {}
    open_modules: set[str] = set()
    returns: dict[str, str] = {}
    params: dict[str, list[str | None]] = {}
    paths: dict[tuple[str, str], str] = {}
    for module in sorted(infos, key=lambda m: (m.count("."), len(m), m)):
        if not is_public(module):
            continue
        table: dict[str, list[str]] = {}
        for name in sorted(resolver.names(module)):
            if name.startswith("_"):
                continue
            resolved = resolver.resolve(module, name)
            if resolved is None:
                continue
            table[name] = _entry(resolved)
            if resolved.symbol.kind == FUNCTION and resolved.symbol.returned is not None:
                returns[f"{module}.{name}"] = resolved.symbol.returned
            if resolved.symbol.kind == FUNCTION and resolved.symbol.param_types is not None:
                params[f"{module}.{name}"] = list(resolved.symbol.param_types)
            if resolved.symbol.kind in (FUNCTION, CLASS):
                key = (resolved.module, resolved.name)
                path = f"{PREFERRED_PATHS.get(module, module)}.{name}"
                # `__all__` speaks for the names a module binds itself, not its star imports
                # (pandas.api.types lists 6 names and re-exports 50 with `import *`)
                info = infos[module]
                exported = info.all if name in info.symbols else None
                if _may_reexport(resolved.module, module, name, exported) and (
                    key not in paths
                    or _path_rank(path, resolved.module) < _path_rank(paths[key], resolved.module)
                ):
                    paths[key] = path
                if resolved.symbol.kind == CLASS:
                    _add_class(modules, params, f"{module}.{name}", resolver, resolved)
                    open_modules.add(f"{module}.{name}")
        modules[module] = table
        if resolver.is_open(module):
            open_modules.add(module)
    for module, name, entry in extra:
        if module in modules:
            # the docs win over a plain value: `random = _inst.random` reads as a value in the
            # source, and the docs say `random.random()` is a function taking no argument
            if modules[module].get(name, entry) == [VALUE] and entry[0] == FUNCTION:
                modules[module][name] = entry
            modules[module].setdefault(name, entry)
        else:
            modules[module] = {name: entry}
            open_modules.add(module)  # known only from the docs: do not claim it is complete
    aliases = {a: m for a, m in COMMON_ALIASES.items() if m in modules}
    table_json = {
        "format": FORMAT,
        "modules": modules,
        "open": sorted(open_modules),
        "aliases": aliases,
        "instances": _instances(resolver),
        "returns": returns,
        "params": params,
    }
    return table_json, paths


def _add_class(
    modules: dict[str, dict[str, list[str]]],
    params: dict[str, list[str | None]],
    key: str,
    resolver: Resolver,
    resolved: Resolved,
) -> None:
    """Static and class methods with signatures (the members a call through the class binds),
    and their parameters' plain types."""
    members = resolver.infos[resolved.module].classes.get(resolved.name, {})
    kept = {
        name: sym
        for name, sym in sorted(members.items())
        if sym.kind == FUNCTION and sym.sigs and not sym.instance and not name.startswith("_")
    }
    if kept:
        modules[key] = {name: [FUNCTION, *sym.sigs] for name, sym in kept.items()}
    for name, sym in kept.items():
        if sym.param_types is not None:
            params[f"{key}.{name}"] = list(sym.param_types)


def _path_rank(path: str, origin: str) -> tuple[int, bool, int, str]:
    """Fewest dots first; then a path through the defining module or a package above it
    (`pandas.core.generic.NDFrame`, not `pandas.core.flags.NDFrame`); then the shortest."""
    module = path.rpartition(".")[0]
    related = origin == module or origin.startswith(module + ".")
    return (path.count("."), not related, len(path), path)


def _may_reexport(origin: str, module: str, name: str, exported: list[str] | None) -> bool:
    """A definition is called through another module of its own package (pandas.read_csv), or
    through any public module when it is defined in a private one (collections.abc.Mapping).
    Not through a module whose `__all__` leaves it out, nor, when it lives in a private module
    of a public package, through any module but that package or the private module's public
    namesake (numpy.lib.stride_tricks for `_stride_tricks_impl`): importlib.resources.readers
    imports `_itertools.unique_everseen` for its own use, and it is not an API to suggest."""
    if origin == module:
        return True
    if exported is not None and name not in exported:
        return False
    top = origin.split(".")[0]
    if top.startswith("_") or origin in PREFERRED_PATHS:
        return True
    if top != module.split(".")[0]:
        return False
    package, _, leaf = origin.rpartition(".")
    namesake = module.rpartition(".")[2] in leaf
    return not leaf.startswith("_") or module == package or exported is not None or namesake
