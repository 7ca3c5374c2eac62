"""Read modules → API doc entries, generator pairs (doc sentence → call) and matcher pairs
(docstring sentence → body), each under the public path a user calls (`os.path.join`)."""

from __future__ import annotations

import re

from codeqa_model.api_table import (
    CLASS,
    FUNCTION,
    KEYWORD_ONLY,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VAR_POSITIONAL,
    parse_signature,
)
from codeqa_train.knowledge.pysource import ModuleInfo
from codeqa_train.knowledge.records import DocEntry, FuncPair, GenPair
from codeqa_train.knowledge.table import Resolver, class_chain

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
RECEIVERS = {"DataFrame": "df", "Series": "series", "ndarray": "arr"}
"""Receivers people write for the most common classes (`df.to_csv(path)`)."""


def instance_name(class_name: str) -> str:
    """`ABCMeta` → `abc_meta` (the receiver the apidocs pairs write for a method)."""
    return RECEIVERS.get(class_name) or _CAMEL.sub("_", class_name).lower()


def known_paths(infos: dict[str, ModuleInfo], paths: dict[tuple[str, str], str]) -> set[str]:
    """Every public path the read sources define: functions, classes and class members,
    inherited ones included (`pandas.DataFrame.to_csv` is defined on `NDFrame`)."""
    resolver = Resolver(infos)
    known = set(paths.values())
    for (module, name), path in paths.items():
        for members in class_chain(resolver, module, name, 0):
            known.update(f"{path}.{m}" for m in members if not m.startswith("_"))
    return known


def call_snippet(callee: str, signature: str | None) -> str | None:
    """`os.path.join` + "a, *p" → `os.path.join(a, *p)`: required parameters only."""
    if signature is None:
        return f"{callee}()"
    sig = parse_signature(signature)
    if sig is None:
        return None
    args = []
    for p in sig.params:
        if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD) and not p.has_default:
            args.append(p.name)
        elif p.kind == VAR_POSITIONAL:
            args.append(f"*{p.name}")
        elif p.kind == KEYWORD_ONLY and not p.has_default:
            args.append(f"{p.name}={p.name}")
    return f"{callee}({', '.join(args)})"


def call_intent(doc: str, snippet: str) -> str:
    """The doc sentence, plus "With arguments `x`, `y`." for arguments it does not name."""
    inner = snippet[snippet.find("(") + 1 : -1]
    names = [a.strip().lstrip("*").split("=")[0] for a in inner.split(",") if a.strip()]
    missing = [n for n in names if f"`{n}`" not in doc]
    if not missing:
        return doc
    return f"{doc} With arguments {', '.join(f'`{n}`' for n in missing)}."


def mine_modules(
    infos: dict[str, ModuleInfo],
    paths: dict[tuple[str, str], str],
    package_of: dict[str, str],
) -> tuple[list[DocEntry], list[GenPair], list[FuncPair]]:
    """Doc entries and generator pairs for every documented public function, class and method;
    matcher pairs for every function body read from source. `package_of` maps a top-level
    module to its source label ("stdlib", "pypi:pandas")."""
    docs: list[DocEntry] = []
    gen: list[GenPair] = []
    for (module, name), path in sorted(paths.items()):
        info = infos.get(module)
        source = package_of.get(module.split(".")[0])
        if info is None or source is None:
            continue
        sym = info.symbols.get(name)
        if sym is None or sym.kind not in (FUNCTION, CLASS):
            continue
        sig = sym.sigs[0] if sym.sigs else None
        if sym.doc:
            docs.append(DocEntry(path, sym.kind, sig, sym.doc, source))
            snippet = call_snippet(path, sig)
            if snippet:
                gen.append(GenPair(call_intent(sym.doc, snippet), snippet, source))
        if sym.kind == CLASS:
            receiver = instance_name(name)
            for member, msym in sorted(info.classes.get(name, {}).items()):
                if member.startswith("_") or msym.kind != FUNCTION or not msym.doc:
                    continue
                msig = msym.sigs[0] if msym.sigs else None
                docs.append(DocEntry(f"{path}.{member}", "method", msig, msym.doc, source))
                callee = f"{receiver}.{member}" if msym.instance else f"{path}.{member}"
                snippet = call_snippet(callee, msig)
                if snippet:
                    gen.append(GenPair(call_intent(msym.doc, snippet), snippet, source))
    funcs: list[FuncPair] = []
    public = {key: value for key, value in paths.items()}
    for module, info in sorted(infos.items()):
        source = package_of.get(module.split(".")[0])
        if source is None:
            continue
        package = source.removeprefix("pypi:")
        for fn in info.functions:
            head = fn.qualname.split(".")[0]
            base = public.get((module, head))
            path = base + fn.qualname[len(head) :] if base else None
            funcs.append(
                FuncPair(fn.intent, fn.code, package, module, fn.qualname, path, fn.signature)
            )
    return docs, gen, funcs
