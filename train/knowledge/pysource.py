"""One Python module (source `.py` or stub `.pyi`) read with `ast` — never imported.

Importing a module runs its code (`import antigravity` opens a browser), so everything here is
read from text: the names a module binds at top level (inside `if`/`try` too), their kind and
parameter lists, what it re-exports (`from x import y`, `from x import *`), its classes' members,
and for source files the (first docstring sentence, function body) pairs.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from codeqa_model.api_table import CLASS, FUNCTION, MODULE, VALUE, signature_text

MAX_BODY_LINES = 30
MAX_OVERLOADS = 8
_SENTENCE_END = re.compile(r"(?<=[a-z0-9\)\]`'\"])\.(\s|$)")


@dataclass
class Symbol:
    """A name a module binds: its kind, parameter lists, first doc sentence, or import target.

    `target` is (module, name) for `from module import name`, (module, None) for `import module`.
    """

    kind: str
    sigs: list[str] = field(default_factory=list)
    doc: str | None = None
    target: tuple[str, str | None] | None = None
    instance: bool = False
    returns: list[str | None] = field(default_factory=list)
    """The plain type each definition (each `@overload`) is annotated to return (`plain_return`)."""
    params: list[tuple[str | None, ...]] = field(default_factory=list)
    """Each definition's positional parameters' plain types (`plain_param`), in order."""

    @property
    def returned(self) -> str | None:
        """The one plain type every definition returns, or None (unannotated, or overloads
        that differ)."""
        kinds = set(self.returns)
        return self.returns[0] if len(kinds) == 1 and None not in kinds else None

    @property
    def param_types(self) -> tuple[str | None, ...] | None:
        """The plain type of each positional parameter that every definition (each overload)
        having it agrees on, None at the others; None when no parameter has one."""
        if not self.params:
            return None
        longest = max(len(p) for p in self.params)
        agreed = []
        for at in range(longest):
            kinds = {p[at] for p in self.params if len(p) > at}
            agreed.append(kinds.pop() if len(kinds) == 1 else None)
        return tuple(agreed) if any(agreed) else None


@dataclass(frozen=True)
class FunctionPair:
    """A function's first docstring sentence and its body (docstring removed, dedented)."""

    intent: str
    code: str
    module: str
    qualname: str
    signature: str


@dataclass
class ModuleInfo:
    """Everything read from one module file."""

    name: str
    symbols: dict[str, Symbol] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)
    declared_stars: list[str] | None = None
    all: list[str] | None = None
    open: bool = False
    """Attributes may exist that the file does not show (a module-level `__getattr__`)."""
    classes: dict[str, dict[str, Symbol]] = field(default_factory=dict)
    bases: dict[str, list[str]] = field(default_factory=dict)
    functions: list[FunctionPair] = field(default_factory=list)
    doc: str | None = None


def first_sentence(doc: str | None, max_chars: int = 300) -> str | None:
    """The docstring's first sentence (first paragraph, up to the first full stop), or None."""
    if not doc:
        return None
    paragraph = textwrap.dedent(doc).strip().split("\n\n")[0]
    text = " ".join(paragraph.split())
    match = _SENTENCE_END.search(text)
    if match:
        text = text[: match.start() + 1]
    if len(text.split()) < 3 or len(text) > max_chars or text.startswith((">>>", "..", ":")):
        return None
    return text


def module_name(root: Path, path: Path, prefix: str = "") -> str | None:
    """`root/os/path.pyi` → "os.path"; `root/json/__init__.py` → "json"; None if not a name."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if prefix:
        parts = [*prefix.split("."), *parts]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def read_module(
    path: Path, name: str, *, is_package: bool, bodies: bool = True, text: str | None = None
) -> ModuleInfo | None:
    """Parse `path` as module `name`; None when it does not parse (e.g. Python 2 files)."""
    try:
        source = path.read_text(encoding="utf-8") if text is None else text
        tree = ast.parse(source, filename=str(path))
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError, OSError):
        return None
    info = ModuleInfo(name)
    info.doc = first_sentence(ast.get_docstring(tree))
    package = name if is_package else name.rpartition(".")[0]
    lines = source.splitlines()
    _read_body(tree.body, info, package, lines if bodies else None)
    _bind_instance_methods(tree.body, info)
    return info


def _bind_instance_methods(body: list[ast.stmt], info: ModuleInfo) -> None:
    """`random = _inst.random` with `_inst: Random` (or `_inst = Random()`) in the same module:
    the module function is that instance's method, so it gets the method's parameter lists
    (`random.random()` takes none; `random.choice(seq)` one). Without this the table knew the
    random module's functions only as values, and any call to them bound."""
    instances: dict[str, str] = {}
    for node in body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if isinstance(node.annotation, ast.Name):
                instances[node.target.id] = node.annotation.id
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            value, target = node.value, node.targets[0]
            made = isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            if isinstance(target, ast.Name) and made and not value.args:
                instances[target.id] = value.func.id  # type: ignore[union-attr]
    for node in body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Attribute)):
            continue
        owner = instances.get(value.value.id) if isinstance(value.value, ast.Name) else None
        method = info.classes.get(owner or "", {}).get(value.attr)
        seen = info.symbols.get(target.id)
        if method is None or method.kind != FUNCTION or seen is None or seen.kind != VALUE:
            continue
        info.symbols[target.id] = Symbol(
            FUNCTION,
            list(method.sigs),
            method.doc,
            returns=list(method.returns),
            params=list(method.params),
        )


def _resolve_relative(package: str, level: int, module: str | None) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


def _read_body(
    body: list[ast.stmt], info: ModuleInfo, package: str, lines: list[str] | None
) -> None:
    for node in body:
        if isinstance(node, ast.If | ast.Try | ast.With):
            # Module-level conditionals (platform checks, optional imports): read every branch.
            for branch in _branches(node):
                _read_body(branch, info, package, lines)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == "__getattr__":
                info.open = True
            _add_function(info.symbols, node, drop_first=False)
            if lines is not None:
                _add_pair(info, node, node.name, lines)
        elif isinstance(node, ast.ClassDef):
            _read_class(node, info, lines)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    # Platform branches bind one name to several modules (os.path); the first
                    # branch is the POSIX one in the standard library.
                    seen = info.symbols.get(alias.asname)
                    if seen is None or seen.kind != MODULE:
                        info.symbols[alias.asname] = Symbol(MODULE, target=(alias.name, None))
                else:
                    top = alias.name.split(".")[0]
                    info.symbols.setdefault(top, Symbol(MODULE, target=(top, None)))
        elif isinstance(node, ast.ImportFrom):
            source = _resolve_relative(package, node.level, node.module)
            if source is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    info.stars.append(source)
                else:
                    bound = alias.asname or alias.name
                    info.symbols[bound] = Symbol(VALUE, target=(source, alias.name))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in _target_names(target):
                    if name == "__all__":
                        names = _literal_names(node.value)
                        if names is not None and isinstance(node, ast.AugAssign):
                            info.all = [*(info.all or []), *names]
                        elif names is not None:
                            info.all = names
                    elif name not in info.symbols or info.symbols[name].kind != FUNCTION:
                        info.symbols[name] = Symbol(VALUE)


def _branches(node: ast.If | ast.Try | ast.With) -> list[list[ast.stmt]]:
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    if isinstance(node, ast.With):
        return [node.body]
    return [node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody]


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _target_names(elt)]
    return []


def _literal_names(value: ast.expr | None) -> list[str] | None:
    if isinstance(value, ast.List | ast.Tuple):
        names = [e.value for e in value.elts if isinstance(e, ast.Constant)]
        if all(isinstance(n, str) for n in names):
            return [str(n) for n in names]
    return None


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for dec in node.decorator_list:
        if isinstance(dec, ast.Name):
            names.add(dec.id)
        elif isinstance(dec, ast.Attribute):
            names.add(dec.attr)
    return names


def _add_function(
    symbols: dict[str, Symbol], node: ast.FunctionDef | ast.AsyncFunctionDef, *, drop_first: bool
) -> None:
    """Record a def; repeated defs (`@overload`) add parameter lists to one entry."""
    sig = signature_text(node.args, drop_first=drop_first)
    doc = first_sentence(ast.get_docstring(node))
    returned = plain_return(node.returns)
    params = positional_types(node.args, drop_first=drop_first)
    seen = symbols.get(node.name)
    if seen is not None and seen.kind == FUNCTION and seen.target is None:
        if seen.sigs and sig not in seen.sigs:
            seen.sigs.append(sig)
        if len(seen.sigs) > MAX_OVERLOADS:
            seen.sigs = []  # too many shapes to list: binding is not checked for it
        seen.doc = seen.doc or doc
        seen.returns.append(returned)
        seen.params.append(params)
        return
    symbols[node.name] = Symbol(FUNCTION, [sig], doc, returns=[returned], params=[params])


# Return annotations that name one builtin type whose members the checker knows. Not `tuple`:
# a function's tuple is a record of fixed fields (`calendar.monthrange`), not a collection.
_PLAIN_RETURNS = {
    "str": "str",
    "bytes": "bytes",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "list": "list",
    "List": "list",
    "dict": "dict",
    "Dict": "dict",
    "set": "set",
    "Set": "set",
    "None": "NoneType",
}


def plain_return(annotation: ast.expr | None) -> str | None:
    """The builtin type a return annotation names (`-> list[str]`: "list", `-> None`:
    "NoneType"), or None for anything else (a union, a type variable, a class)."""
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return "NoneType"
    if isinstance(annotation, ast.Subscript):  # `list[str]` is a list
        annotation = annotation.value
    if isinstance(annotation, ast.Attribute) and isinstance(annotation.value, ast.Name):
        annotation = ast.Name(annotation.attr) if annotation.value.id == "typing" else annotation
    return _PLAIN_RETURNS.get(annotation.id) if isinstance(annotation, ast.Name) else None


# Parameter annotations that name one type a value of another builtin type cannot stand in for
# (`ssl.cert_time_to_seconds(cert_time: str)`). Not `float` (an int is one) nor `bool`.
_PLAIN_PARAMS = {"str": "str", "bytes": "bytes", "int": "int", "list": "list", "dict": "dict"}


def plain_param(annotation: ast.expr | None) -> str | None:
    """The type a parameter annotation names (`: str`, `: list[int]`), or None for anything
    else (a union, an alias like `StrPath`, a protocol)."""
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return _PLAIN_PARAMS.get(annotation.id) if isinstance(annotation, ast.Name) else None


def positional_types(args: ast.arguments, *, drop_first: bool) -> tuple[str | None, ...]:
    """`plain_param` of each parameter a positional argument fills, in order."""
    params = [*args.posonlyargs, *args.args][1 if drop_first else 0 :]
    return tuple(plain_param(a.annotation) for a in params)


def _read_class(node: ast.ClassDef, info: ModuleInfo, lines: list[str] | None) -> None:
    members: dict[str, Symbol] = {}
    init_sigs: list[str] = []
    for item in _flatten(node.body):
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = _decorator_names(item)
            static = "staticmethod" in decorators
            if item.name in ("__init__", "__new__") and not static:
                sig = signature_text(item.args, drop_first=True)
                if sig not in init_sigs:
                    init_sigs.append(sig)
            if "property" in decorators or "cached_property" in decorators:
                members[item.name] = Symbol(VALUE, doc=first_sentence(ast.get_docstring(item)))
            elif static or "classmethod" in decorators:
                _add_function(members, item, drop_first=not static)
            else:
                # Instance methods: marked, since a call through the class passes `self`
                # explicitly and through an instance does not; the table leaves them out.
                sig = signature_text(item.args, drop_first=True)
                returned = plain_return(item.returns)
                params = positional_types(item.args, drop_first=True)
                seen = members.get(item.name)
                if seen is None:
                    doc = first_sentence(ast.get_docstring(item))
                    members[item.name] = Symbol(
                        FUNCTION, [sig], doc, instance=True, returns=[returned], params=[params]
                    )
                elif seen.instance:
                    seen.returns.append(returned)
                    seen.params.append(params)
                    if seen.sigs and sig not in seen.sigs:
                        # `@overload`s: every parameter list (`rand()` and `rand(*args)`)
                        seen.sigs = [*seen.sigs, sig] if len(seen.sigs) < MAX_OVERLOADS else []
            if lines is not None:
                _add_pair(info, item, f"{node.name}.{item.name}", lines)
        elif isinstance(item, ast.Assign | ast.AnnAssign):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            for target in targets:
                for name in _target_names(target):
                    members.setdefault(name, Symbol(VALUE))
        elif isinstance(item, ast.ClassDef):
            members[item.name] = Symbol(CLASS)
    bases = [b.value if isinstance(b, ast.Subscript) else b for b in node.bases]  # Sequence[str]
    info.bases[node.name] = [
        ast.unparse(b) for b in bases if isinstance(b, ast.Name | ast.Attribute)
    ]
    doc = first_sentence(ast.get_docstring(node))
    info.symbols[node.name] = Symbol(
        CLASS, init_sigs if len(init_sigs) <= MAX_OVERLOADS else [], doc
    )
    info.classes[node.name] = members


def _flatten(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If | ast.Try):
            for branch in _branches(node):
                out.extend(_flatten(branch))
        else:
            out.append(node)
    return out


def _add_pair(
    info: ModuleInfo, node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, lines: list[str]
) -> None:
    """(first docstring sentence, body without the docstring), when both are worth keeping."""
    intent = first_sentence(ast.get_docstring(node))
    if intent is None or not node.body:
        return
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if not body or _trivial(body):
        return
    start = body[0].lineno - 1
    end = node.end_lineno or body[-1].end_lineno or start + 1
    if end - start > MAX_BODY_LINES:
        return
    code = textwrap.dedent("\n".join(lines[start:end])).strip("\n")
    if not code.strip():
        return
    sig = signature_text(node.args)
    info.functions.append(FunctionPair(intent, code, info.name, qualname, sig))


def _trivial(body: list[ast.stmt]) -> bool:
    """`pass`, `...`, or only raising (abstract methods, stubs)."""
    for stmt in body:
        if isinstance(stmt, ast.Pass | ast.Raise):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True
