"""The Python HTML documentation (Debian's `python3.11-doc`): API entry → signature and first
doc sentence, read from Sphinx's `<dt class="sig sig-object py" id="...">` entries."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from codeqa_model.api_table import CLASS, FUNCTION, VALUE, signature_text
from codeqa_train.knowledge.mine import call_intent, call_snippet, instance_name
from codeqa_train.knowledge.pysource import first_sentence
from codeqa_train.knowledge.records import DocEntry, GenPair
from codeqa_train.knowledge.sources import SourceInfo

SOURCE = "python3.11-doc"
PANDAS_SOURCE = "python-pandas-doc"
DEFAULT_PANDAS_DOCS = Path("/usr/share/doc/python-pandas-doc/html")
_KINDS = {"function": FUNCTION, "class": CLASS, "exception": CLASS, "data": VALUE}


class _EntryParser(HTMLParser):
    """Collects (id, dl kind, signature line text, first paragraph text) per API entry."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: list[tuple[str, str, str, str]] = []
        self._dl: list[str] = []
        self._id: str | None = None
        self._sig: list[str] | None = None
        self._para: list[str] | None = None
        self._await_para = False
        self._skip = 0
        self._pending: tuple[str, str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "dl":
            self._dl.append(cls.split()[1] if cls.startswith("py ") else "")
        elif tag == "dt" and "sig-object" in cls and a.get("id"):
            self._flush()
            self._id, self._sig = a["id"], []
        elif tag == "a" and "headerlink" in cls:
            self._skip += 1
        elif tag == "p" and self._await_para:
            self._para, self._await_para = [], False

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "dt" and self._sig is not None and self._id is not None:
            kind = self._dl[-1] if self._dl else ""
            self._pending = (self._id, kind, "".join(self._sig))
            self._id, self._sig = None, None
            self._await_para = True
        elif tag == "p" and self._para is not None:
            self._flush()
        elif tag == "dl" and self._dl:
            self._dl.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._sig is not None:
            self._sig.append(data)
        elif self._para is not None:
            self._para.append(data)

    def _flush(self) -> None:
        if self._pending is not None:
            ident, kind, sig = self._pending
            self.entries.append((ident, kind, sig, "".join(self._para or [])))
        self._pending, self._para, self._await_para = None, None, False

    def close(self) -> None:
        super().close()
        self._flush()


def parse_entries(html: str) -> list[tuple[str, str, str, str]]:
    """(id, kind, signature line, first paragraph) for every API entry in one page."""
    start = html.find('<dl class="')
    end = html.rfind("</dl>")
    if start < 0 or end < start:
        return []
    parser = _EntryParser()
    parser.feed(html[start : end + len("</dl>")])  # skip the navigation around the entries
    parser.close()
    return parser.entries


def raw_params(ident: str, line: str) -> str | None:
    """The text between the parentheses of a signature line, or None when it has none."""
    last = ident.rpartition(".")[2]
    start = line.find(last + "(")
    end = line.rfind(")")
    if start < 0 or end < start:
        return None
    return " ".join(line[start + len(last) + 1 : end].split())


def params_of(ident: str, line: str, *, required_only: bool = False) -> str | None:
    """The parameter list in a signature line, normalised (`=...` defaults); None if there is
    none or it is not Python syntax. With `required_only`, the old `[, x]` optional-argument
    notation is cut at its first bracket (enough to write a call with the required ones)."""
    text = raw_params(ident, line)
    if text is None:
        return None
    if required_only and "[" in text:
        text = text[: text.index("[")].rstrip(", ")
    try:
        node = ast.parse(f"def _f({text}): pass").body[0]
    except (SyntaxError, ValueError, RecursionError):
        return None
    assert isinstance(node, ast.FunctionDef)
    return signature_text(node.args)


def _module_of(ident: str, modules: set[str]) -> str:
    parts = ident.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in modules:
            return ".".join(parts[:cut])
    return ".".join(parts[:-1]) or "builtins"


def package_version(package: str) -> str:
    """The installed Debian package's version (the docs record no version of their own)."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def doc_pages(root: Path) -> list[Path]:
    """The API pages of a Sphinx HTML tree: Python's `library/`, pandas' `reference/api/`."""
    for sub in ("library", "reference/api"):
        if (root / sub).is_dir():
            return sorted((root / sub).glob("*.html"))
    return []


def read_html_docs(
    root: Path,
    modules: set[str],
    progress: bool,
    package: str = SOURCE,
    keep: Callable[[str], bool] | None = None,
) -> tuple[list[DocEntry], list[GenPair], list[tuple[str, str, list[str]]], SourceInfo]:
    """Doc entries, generator pairs and API-table rows from a Sphinx HTML tree; with `keep`,
    only entries whose dotted id it accepts."""
    pages = doc_pages(root)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(pages), desc=package, unit="page", file=sys.stderr, leave=False)
    docs: list[DocEntry] = []
    gen: list[GenPair] = []
    table: list[tuple[str, str, list[str]]] = []
    for page in pages:
        html = page.read_text(encoding="utf-8", errors="replace")
        for ident, kind, line, para in parse_entries(html):
            if keep is not None and not keep(ident):
                continue
            _add(ident, kind, line, para, modules, docs, gen, table, package)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    licence = "PSF-2.0" if package == SOURCE else "BSD-3-Clause"
    info = SourceInfo(package, package, package_version(package), licence, str(root))
    return docs, gen, table, info


def _add(
    ident: str,
    kind: str,
    line: str,
    para: str,
    modules: set[str],
    docs: list[DocEntry],
    gen: list[GenPair],
    table: list[tuple[str, str, list[str]]],
    package: str,
) -> None:
    if kind not in _KINDS and kind not in ("method", "attribute"):
        return  # e.g. 2to3 fixers and command-line options, not API
    params = params_of(ident, line)
    doc = first_sentence(" ".join(para.split()))
    words = line.split()
    if kind in _KINDS:
        module = _module_of(ident, modules)
        name = ident[len(module) + 1 :] if ident.startswith(module + ".") else ident
        if "." not in name:
            entry = [_KINDS[kind], *([params] if params is not None else [])]
            table.append((module, name, entry))
        callee = ident
    elif kind == "method":
        owner, _, name = ident.rpartition(".")
        static = bool(words) and words[0] in ("classmethod", "staticmethod")
        if static and params is not None:
            table.append((owner, name, [FUNCTION, params]))
        callee = ident if static else f"{instance_name(owner.rpartition('.')[2])}.{name}"
    else:
        callee = None
    if doc is None:
        return
    docs.append(DocEntry(ident, kind, params or raw_params(ident, line), doc, package))
    if callee is not None and kind != "data":
        required = params or params_of(ident, line, required_only=True)
        snippet = (
            call_snippet(callee, required) if required is not None or "(" not in line else None
        )
        if snippet:
            gen.append(GenPair(call_intent(doc, snippet), snippet, package))
