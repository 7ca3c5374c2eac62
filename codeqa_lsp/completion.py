"""Suggestions → completion items whose acceptance leaves code that parses, in every client.

The edit shape, and why (checked against VS Code, Neovim 0.11's `vim.lsp.completion` and
plain omnifunc, see tests/test_completion.py and tests/test_nvim.py):

- The ``textEdit`` replaces the **whole site line from column 0** with fully indented text:
  at the end of an intent line, the line itself (kept verbatim up to the cursor), a line
  break and the code; on the empty line under an intent, the code. Every client that
  re-indents an insertion adds "the leading whitespace of the line before the insertion
  point" to continuation lines (VS Code's adjustIndentation, `vim.snippet.expand`'s base
  indent, nvim-cmp's snippet engines); before column 0 that is nothing, so pre-indented
  text stays exactly as sent. ``insertTextMode`` is ``asIs`` as well, for clients that honour it.
- ``filterText`` is what plain omnifunc inserts (Neovim uses it as the word whenever the
  label does not start with the text before the cursor): the intent line unchanged at the
  end of an intent line (a word cannot hold a line break, and text pasted into the comment
  is worse than nothing), and on the empty line the code written as one line at the intent's
  indentation when Python allows that with the same AST, else the typed indentation (nothing
  changes). It also equals the text the edit replaces up to the cursor, so VS Code's fuzzy
  filter and Neovim's prefix filter keep every item.
- ``label`` is the code's one-line form (or its first line); with nothing typed before the
  cursor it carries the intent's indentation, because plain omnifunc then inserts the label.
- ``insertText`` is what a client that ignores ``textEdit`` may insert at the cursor: the
  line break and the code at the end of an intent line; on the empty line the one-line form
  (imports included), or nothing for code that needs several lines. Neovim also reads it:
  when it is shorter than the label, its first keyword becomes the word, so "nothing" makes
  plain omnifunc insert nothing rather than a block header without its body.
- Import statements a suggestion needs go to ``additionalTextEdits`` after the file's leading
  imports; when that point is the site line itself they lead the main edit instead, since
  additional edits may not touch the main one.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from codeqa_lsp import convert
from codeqa_lsp.intents import CompletionSite, parse_intent_line

if TYPE_CHECKING:  # the type only: importing the engine module would load the model's code
    from codeqa_model.inference import Suggestion

__all__ = [
    "completion_items",
    "import_edits",
    "import_line",
    "indent_code",
    "missing_imports",
    "one_line",
    "snippet_text",
]


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def snippet_text(code: str, slot_spans: Sequence[tuple[int, int]]) -> str:
    """``code`` as an LSP snippet: a numbered tab stop on each slot value, then ``$0``.

    Spans that overlap, run backwards or fall outside ``code`` are skipped rather than
    trusted; everything else is escaped so ``$`` and ``}`` in code stay literal.
    """
    parts: list[str] = []
    cursor = 0
    stop = 0
    for start, end in sorted(slot_spans):
        if start < cursor or end <= start or end > len(code):
            continue
        stop += 1
        parts.append(_escape_snippet(code[cursor:start]))
        parts.append(f"${{{stop}:{_escape_snippet(code[start:end])}}}")
        cursor = end
    parts.append(_escape_snippet(code[cursor:]))
    parts.append("$0")
    return "".join(parts)


def indent_code(code: str, indent: str) -> str:
    """Prefix every line after the first with ``indent`` (the first goes at the cursor)."""
    return code.replace("\n", "\n" + indent)


def one_line(code: str) -> str | None:
    """``code`` written on one line with the same AST, or None when Python cannot do that.

    A single line is returned as it is; several lines that do not parse give None. Tries
    simple statements joined by ``; `` and a compound header with a simple body (``for x in
    xs: print(x)``); a candidate counts only if it parses to the same tree.
    """
    if "\n" not in code:
        return code
    try:
        tree = ast.dump(ast.parse(code))
    except SyntaxError:
        return None
    lines = [line for line in code.split("\n") if line.strip()]
    candidates = ["; ".join(line.strip() for line in lines)]
    if len(lines) > 1 and lines[0].rstrip().endswith(":"):
        body = "; ".join(line.strip() for line in lines[1:])
        candidates.insert(0, f"{lines[0].rstrip()} {body}")
    for candidate in candidates:
        try:
            if ast.dump(ast.parse(candidate)) == tree:
                return candidate
        except SyntaxError:
            continue
    return None


# ---------------------------------------------------------------- imports


def import_line(lines: Sequence[str], before: int) -> int:
    """Where new imports go: after the leading imports of the file, above line ``before``.

    Skips a shebang, comments, blank lines, a module docstring and ``from __future__``
    imports; stops at the first other statement, an intent comment, or ``before``. Line
    based (no parse), so it works while the file is being edited.
    """
    end = min(before, len(lines))
    index = 0
    after = 0
    started = False  # a docstring counts only before the first statement
    while index < end:
        raw = lines[index]
        text = raw.strip()
        if parse_intent_line(raw) is not None:
            break
        if not text or text.startswith("#"):
            index += 1
            continue
        quote = text[:3]
        if not started and quote in ('"""', "'''"):
            index = _skip_past(lines, index, end, quote, text.count(quote) >= 2)
        elif not raw[:1].isspace() and text.startswith(("import ", "from ")):
            index = _skip_past(lines, index, end, ")", "(" not in text or ")" in text)
        else:
            break
        started = True
        after = index
    return after


def _skip_past(lines: Sequence[str], index: int, end: int, closer: str, closed: bool) -> int:
    """The line after the one that closes a construct opened on ``index``."""
    index += 1
    while not closed and index < end:
        closed = closer in lines[index]
        index += 1
    return index


def missing_imports(imports: Sequence[str], lines: Sequence[str]) -> list[str]:
    """The statements of ``imports`` not already on a line of the file, in order, once each."""
    present = {line.strip() for line in lines}
    wanted = (statement.strip() for statement in imports)
    return [s for s in dict.fromkeys(wanted) if s and s not in present]


def import_edits(
    statements: Sequence[str], lines: Sequence[str], site_line: int, encoding: str
) -> tuple[str, list[types.TextEdit]]:
    """Import ``statements`` as (text, edits): edits for additionalTextEdits, or text.

    The edits are `convert.import_edits`' (after the file's leading imports). When that place
    is the site line itself, which the main edit replaces from column 0, the statements come
    back as text (one per line) to lead the main edit instead.
    """
    if not statements:
        return "", []
    if import_line(lines, site_line) >= site_line:
        return "".join(f"{statement}\n" for statement in statements), []
    return "", convert.import_edits(lines, statements, encoding, site_line)


# ---------------------------------------------------------------- items


def _documentation(imports: Sequence[str], code: str) -> types.MarkupContent:
    shown = "\n".join(imports) + "\n\n" + code if imports else code
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=convert._markdown_code(shown))


def _insert_text(
    site: CompletionSite, typed: str, word: str, rest: str, escape: Callable[[str], str]
) -> str:
    if site.new_line_first:
        return rest
    return escape(word[len(typed) :])


def completion_items(
    suggestions: Sequence[Suggestion],
    site: CompletionSite,
    lines: Sequence[str],
    encoding: str,
    snippets: bool,
) -> list[types.CompletionItem]:
    """Suggestions (best first) → completion items ranked by ``sortText`` (module docstring)."""
    line_text = lines[site.line]
    typed = line_text[: site.start]  # kept verbatim: the comment, or the typed indentation
    edit_range = convert._range(lines, (site.line, 0), (site.line, len(line_text)), encoding)
    escape = _escape_snippet if snippets else str
    lead = "\n" + site.indent if site.new_line_first else site.indent[len(site.typed_indent) :]
    items: list[types.CompletionItem] = []
    for rank, suggestion in enumerate(suggestions):
        code = suggestion.code
        body = snippet_text(code, suggestion.slot_spans) if snippets else code
        rest = lead + indent_code(body, site.indent)
        needed = missing_imports(getattr(suggestion, "imports", ()), lines)
        imports_text, extra = import_edits(needed, lines, site.line, encoding)
        flat = one_line(code)
        if flat is not None and needed:  # still one line: `import re; re.findall(...)`
            flat = "; ".join([*needed, flat])
        # plain omnifunc's word: never into the comment, never a lone block header
        word = typed if site.new_line_first or flat is None else site.indent + flat
        shown = one_line(code) or code.split("\n", 1)[0] or code.strip()
        label = word if (not typed and word and not site.new_line_first) else shown
        items.append(
            types.CompletionItem(
                label=label or "(empty)",
                kind=types.CompletionItemKind.Snippet,
                detail=f"match {suggestion.score:.2f}",
                documentation=_documentation(needed, code),
                sort_text=f"{rank:04d}",
                filter_text=word,
                insert_text_format=(
                    types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText
                ),
                insert_text_mode=types.InsertTextMode.AsIs,
                insert_text=_insert_text(site, typed, word, rest, escape),
                text_edit=types.TextEdit(
                    range=edit_range, new_text=escape(imports_text + typed) + rest
                ),
                additional_text_edits=extra or None,
                data={"score": suggestion.score, "intent": site.intent[:200]},
            )
        )
    return items
