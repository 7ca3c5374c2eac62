"""Completion items (codeqa_lsp.completion): accepted the way each client accepts them.

Every site (end of an intent line, the empty line under it, with and without typed
indentation) at module level, in a function and in a method; one-line, multi-line and
import-needing suggestions. Each item is applied three ways:

- VS Code: the textEdit, with adjustIndentation (continuation lines get the leading
  whitespace of the line before the edit's start added), both ignoring and honouring
  ``insertTextMode: asIs``; snippets rendered to their default text; additionalTextEdits.
- plain omnifunc (Neovim without ``vim.lsp.completion``): the complete-item word Neovim
  0.11 derives (runtime/lua/vim/lsp/completion.lua, get_completion_word) replaces the text
  from the edit's start column to the cursor.

The result must parse, the code must sit at the intent's indentation right under it, and
the intent comment must stay as it was. Neovim's snippet route runs for real in test_nvim.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import pytest
from lsprotocol import types

from codeqa_lsp import completion
from codeqa_lsp.intents import completion_site, split_lines

UTF16 = types.PositionEncodingKind.Utf16


@dataclass(frozen=True)
class Sugg:
    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()
    imports: tuple[str, ...] = ()


ONE = Sugg("nums = re.findall(r'\\d+', s)", 0.9, ((27, 28),), ("import re",))
MULTI = Sugg("for x in xs:\n    print(x)", 0.8, ((9, 11),))
NESTED = Sugg("with open(p) as fh:\n    for line in fh:\n        print(line)", 0.7, ((10, 11),))
DOLLAR = Sugg("price = '$' + str(v)  # }", 0.6)
ALL = [ONE, MULTI, NESTED, DOLLAR]

INTENT = "# intent: find numbers in `s` and print `xs`"
# (name, source with {INTENT} at the intent's place, the intent's indentation)
FILES = {
    "module": ("import os\n\ns = 'a1'\nxs = [1]\n{I}\n{E}\nprint(s)\n", ""),
    "function": ('"""Doc."""\n\n\ndef f(s, xs, p):\n    {I}\n{E}\n    return s\n', "    "),
    "method": (
        "class C:\n    def m(self, s, xs, p):\n        {I}\n{E}\n        return 1\n",
        "        ",
    ),
}


def _source(name: str, empty: str) -> tuple[str, str]:
    template, indent = FILES[name]
    return template.replace("{I}", INTENT).replace("{E}", empty), indent


def _render_snippet(text: str) -> str:
    """A snippet's text as VS Code / vim.snippet leave it: placeholders at their defaults."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\$}":
            out.append(text[i + 1])
            i += 2
            continue
        match = re.match(r"\$\{\d+:|\$\d+|\}", text[i:])
        if match and (match.group().startswith("$") or ch == "}"):
            i += len(match.group())
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _leading_ws(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def _apply(lines: list[str], edit: types.TextEdit, text: str) -> list[str]:
    start, end = edit.range.start, edit.range.end
    before = "\n".join([*lines[: start.line], lines[start.line][: start.character]])
    after = "\n".join([lines[end.line][end.character :], *lines[end.line + 1 :]])
    return split_lines(before + text + after)


def accept_vscode(lines: list[str], item: types.CompletionItem, honour_as_is: bool) -> list[str]:
    edit = item.text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range.start.line == edit.range.end.line  # VS Code's rule for completion edits
    text = edit.new_text
    if item.insert_text_format == types.InsertTextFormat.Snippet:
        text = _render_snippet(text)
    if not (honour_as_is and item.insert_text_mode == types.InsertTextMode.AsIs):
        ws = _leading_ws(lines[edit.range.start.line][: edit.range.start.character])
        text = text.replace("\n", "\n" + ws)
    extra = sorted(
        item.additional_text_edits or [],
        key=lambda e: (e.range.start.line, e.range.start.character),
        reverse=True,
    )
    for other in extra:
        assert other.range.end.line < edit.range.start.line  # never touches the main edit
    result = _apply(lines, edit, text)
    for other in extra:
        result = _apply(result, other, other.new_text)
    return result


def omnifunc_word(item: types.CompletionItem, prefix: str) -> str:
    """Neovim 0.11's complete-item word for an LSP item (get_completion_word)."""
    if item.insert_text_format == types.InsertTextFormat.Snippet:
        # Lua: `item.insertText or item.textEdit.newText`; "" is true in Lua
        raw = item.insert_text if item.insert_text is not None else item.text_edit.new_text
        text = _render_snippet(raw)
        word = re.match(r"\w*", text).group() if len(text) < len(item.label) else item.label
        if item.filter_text is not None and not (prefix == "" or word.startswith(prefix)):
            return item.filter_text
        return word
    if item.text_edit is not None:
        return re.match(r"\S*", item.text_edit.new_text).group()
    return item.insert_text or item.label


def accept_omnifunc(lines: list[str], item: types.CompletionItem, line: int, col: int) -> list[str]:
    edit = item.text_edit
    assert isinstance(edit, types.TextEdit)
    start = edit.range.start.character
    prefix = lines[line][start:col]
    word = omnifunc_word(item, prefix)
    assert "\n" not in word
    out = list(lines)
    out[line] = lines[line][:start] + word + lines[line][col:]
    return out


# ---------------------------------------------------------------- sites


def _cases():
    for name in FILES:
        indent = FILES[name][1]
        yield name, "intent-end", ""  # cursor at the end of the intent line
        yield name, "intent-end-trailing", ""  # ... with blanks after the comment
        yield name, "empty-col0", ""  # empty line, cursor at column 0
        if indent:
            yield name, "empty-indented", indent  # autoindent put the cursor at the indent
            yield name, "empty-col0-blank", indent  # cursor at column 0, the indent after it


def _site(name: str, where: str, typed: str):
    source, indent = _source(name, typed)
    lines = split_lines(source)
    intent_line = next(i for i, text in enumerate(lines) if INTENT in text)
    if where.startswith("intent-end"):
        line, col = intent_line, len(lines[intent_line])
        if where == "intent-end-trailing":
            lines[intent_line] += "  "
    else:
        line, col = intent_line + 1, 0 if where == "empty-col0-blank" else len(typed)
    site = completion_site(lines, line, col)
    assert site is not None
    return lines, intent_line, line, col, site, indent


def _check_result(result: list[str], lines: list[str], intent_line: int, indent: str, sugg: Sugg):
    text = "\n".join(result)
    ast.parse(text)  # raises on any SyntaxError / IndentationError
    shift = len([i for i in completion.missing_imports(sugg.imports, lines)])
    at = intent_line + shift
    assert result[at] == lines[intent_line].rstrip()  # the comment (blanks after it may go)
    code_lines = sugg.code.split("\n")
    assert result[at + 1 : at + 1 + len(code_lines)] == [indent + c for c in code_lines]
    for statement in completion.missing_imports(sugg.imports, lines):
        assert statement in result[:at]


@pytest.mark.parametrize("snippets", [True, False], ids=["snippet", "plain"])
@pytest.mark.parametrize("honour_as_is", [False, True], ids=["adjust", "asIs"])
@pytest.mark.parametrize(("name", "where", "typed"), list(_cases()))
def test_vscode_acceptance(name: str, where: str, typed: str, honour_as_is: bool, snippets: bool):
    lines, intent_line, _line, _col, site, indent = _site(name, where, typed)
    items = completion.completion_items(ALL, site, lines, UTF16, snippets=snippets)
    assert [i.sort_text for i in items] == ["0000", "0001", "0002", "0003"]
    for sugg, item in zip(ALL, items, strict=True):
        assert item.insert_text_mode == types.InsertTextMode.AsIs
        result = accept_vscode(lines, item, honour_as_is)
        if where == "empty-indented" or where == "empty-col0":
            # the empty line became the code: nothing else moved
            pass
        _check_result(result, lines, intent_line, indent, sugg)


@pytest.mark.parametrize(("name", "where", "typed"), list(_cases()))
def test_plain_omnifunc_never_breaks_the_file(name: str, where: str, typed: str):
    lines, intent_line, line, col, site, indent = _site(name, where, typed)
    items = completion.completion_items(ALL, site, lines, UTF16, snippets=True)
    for sugg, item in zip(ALL, items, strict=True):
        result = accept_omnifunc(lines, item, line, col)
        ast.parse("\n".join(result))
        assert result[intent_line] == lines[intent_line]  # nothing pasted into the comment
        flat = completion.one_line(sugg.code)
        if where.startswith("intent-end") or flat is None:
            assert result == lines  # a word cannot hold a line break: nothing changes
        else:
            needed = completion.missing_imports(sugg.imports, lines)
            assert result[line] == indent + "; ".join([*needed, flat]) + lines[line][col:]


def test_items_carry_label_detail_documentation_and_data() -> None:
    lines, _i, _line, _col, site, _indent = _site("function", "empty-indented", "    ")
    one, multi, nested, _dollar = completion.completion_items(ALL, site, lines, UTF16, True)
    assert one.label == "nums = re.findall(r'\\d+', s)"
    assert one.filter_text == "    import re; nums = re.findall(r'\\d+', s)"
    assert multi.label == "for x in xs: print(x)"
    assert nested.label == "with open(p) as fh:"  # cannot be one line
    assert one.detail == "match 0.90" and one.kind == types.CompletionItemKind.Snippet
    assert isinstance(one.documentation, types.MarkupContent)
    assert one.documentation.value == "```python\nimport re\n\nnums = re.findall(r'\\d+', s)\n```"
    assert one.data == {"score": 0.9, "intent": "find numbers in `s` and print `xs`"}
    edit = multi.text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range == types.Range(types.Position(5, 0), types.Position(5, 4))
    assert edit.new_text == "    for x in ${1:xs}:\n        print(x)$0"
    assert multi.insert_text == "for x in xs: print(x)"  # one line, from the cursor
    assert nested.insert_text == ""  # needs several lines: nothing without the textEdit
    assert multi.filter_text == "    for x in xs: print(x)"


def test_label_carries_the_indent_when_nothing_is_typed() -> None:
    lines, _i, _line, _col, site, _indent = _site("function", "empty-col0", "")
    items = completion.completion_items(ALL, site, lines, UTF16, snippets=True)
    assert items[1].label == "    for x in xs: print(x)"  # plain omnifunc inserts the label here
    assert items[2].label == "with open(p) as fh:"


def test_intent_line_edit_keeps_the_comment_and_breaks_the_line() -> None:
    lines = split_lines("  # intent: grüße 😀 `xs`  ")
    site = completion_site(lines, 0, 24)
    assert site is not None
    (item,) = completion.completion_items([Sugg("print(*xs)", 0.4)], site, lines, UTF16, False)
    edit = item.text_edit
    assert isinstance(edit, types.TextEdit)
    end = len(lines[0]) + 1  # the emoji is two UTF-16 units
    assert edit.range == types.Range(types.Position(0, 0), types.Position(0, end))
    assert edit.new_text == "  # intent: grüße 😀 `xs`\n  print(*xs)"
    assert item.filter_text == "  # intent: grüße 😀 `xs`"
    assert item.insert_text == "\n  print(*xs)"


def test_imports_at_the_site_line_lead_the_main_edit() -> None:
    lines = split_lines("# intent: find numbers in `s`")
    site = completion_site(lines, 0, len(lines[0]))
    assert site is not None
    (item,) = completion.completion_items([ONE], site, lines, UTF16, snippets=False)
    assert item.additional_text_edits is None
    result = accept_vscode(lines, item, honour_as_is=False)
    assert result == ["import re", lines[0], ONE.code]


def test_documentation_fence_survives_backticks_in_code() -> None:
    lines = split_lines("# intent: quote\n")
    site = completion_site(lines, 0, 15)
    assert site is not None
    (item,) = completion.completion_items([Sugg("s = '```'", 0.5)], site, lines, UTF16, False)
    assert isinstance(item.documentation, types.MarkupContent)
    assert item.documentation.value == "````python\ns = '```'\n````"


# ---------------------------------------------------------------- pieces


def test_snippet_tab_stops_on_slots_and_escapes() -> None:
    code = "shutil.copy('a$b', dst)  # }"
    spans = ((12, 17), (19, 22))
    assert completion.snippet_text(code, spans) == "shutil.copy(${1:'a\\$b'}, ${2:dst})  # \\}$0"


def test_snippet_skips_bad_spans() -> None:
    assert completion.snippet_text("f(x)", ((2, 3), (2, 4), (3, 2), (2, 99))) == "f(${1:x})$0"
    assert completion.snippet_text("a\\b", ()) == "a\\\\b$0"


def test_indent_code_indents_continuation_lines_only() -> None:
    assert completion.indent_code("a\nb\n  c", "\t") == "a\n\tb\n\t  c"


@pytest.mark.parametrize(
    ("code", "flat"),
    [
        ("x = 1", "x = 1"),
        ("a = 1\nb = 2", "a = 1; b = 2"),
        ("for x in xs:\n    print(x)", "for x in xs: print(x)"),
        ("if a:\n    b()\n    c()", "if a: b(); c()"),
        ("if a:\n    b()\nelse:\n    c()", None),
        ("with f:\n    for x in y:\n        g(x)", None),
        ("x = 1  # one\ny = 2", None),  # the comment would swallow the second statement
        ("s = '''a\nb'''", None),
        ("for x in", "for x in"),  # already one line: as it is, whether it parses or not
        ("for x in\n    y", None),
    ],
)
def test_one_line_only_when_the_tree_is_the_same(code: str, flat: str | None) -> None:
    assert completion.one_line(code) == flat


@pytest.mark.parametrize(
    ("source", "before", "at"),
    [
        ("x = 1\n# intent: a", 1, 0),
        ("import os\nimport sys\n\nx = 1", 4, 2),
        (
            '#!/usr/bin/env python\n"""Doc\nstring."""\nfrom __future__ import annotations\n\nx',
            6,
            4,
        ),
        ("from a import (\n    b,\n    c,\n)\nimport d\ny = 2", 6, 5),
        ("import os\n# intent: a\nimport sys", 3, 1),  # stops at the intent
        ("import os\nimport sys", 1, 1),  # never below `before`
        ("def f():\n    import os", 2, 0),
    ],
)
def test_import_line(source: str, before: int, at: int) -> None:
    assert completion.import_line(split_lines(source), before) == at


def test_missing_imports_skips_present_and_repeated() -> None:
    lines = split_lines("import os\nimport re\n")
    assert completion.missing_imports(
        ["import re", "import shutil", "import shutil", " "], lines
    ) == ["import shutil"]


# ---------------------------------------------------------------- the real server, in process


class _LoopEngine:
    """Answers every intent with a loop that needs an import (and scores everything 1.0)."""

    threshold = 0.5

    def __init__(self) -> None:
        self.info: dict = {}

    def suggest(self, intent, k=5, context=None):
        return [Sugg("for x in xs:\n    shutil.copy(x, dst)", 0.9, ((9, 11),), ("import shutil",))]

    def cached_suggestions(self, intent, k=5, context=None):
        return None

    def score(self, pairs):
        return [1.0 for _ in pairs]

    def cached_scores(self, pairs):
        return [None for _ in pairs]


@pytest.mark.parametrize("where", ["intent-end", "empty-indented"])
async def test_server_items_accepted_the_vscode_way(where: str) -> None:
    """completion request to the real server (VS Code's capabilities) → item applied as VS Code
    applies it (adjustIndentation, snippet rendered, additionalTextEdits) → exact text."""
    from wire import Sink, feed, until

    from codeqa_lsp.server import create_server

    server = create_server(loader=lambda path: _LoopEngine())
    sink = Sink()
    server.protocol.set_writer(sink, include_headers=False)
    caps = {
        "textDocument": {
            "completion": {
                "completionItem": {
                    "snippetSupport": True,
                    "insertTextModeSupport": {"valueSet": [1, 2]},
                }
            }
        }
    }
    feed(server, {"id": 1, "method": "initialize", "params": {"capabilities": caps}})
    feed(server, {"method": "initialized", "params": {}})
    await until(
        lambda: any(m["params"]["state"] == "ready" for m in sink.named("codeqa/modelStatus"))
    )
    lines, intent_line, line, col, _site_obj, _indent = _site("method", where, FILES["method"][1])
    if where == "intent-end":
        lines = [t for i, t in enumerate(lines) if i != intent_line + 1]
    doc = {"uri": "file:///w/m.py", "languageId": "python", "version": 1, "text": "\n".join(lines)}
    feed(server, {"method": "textDocument/didOpen", "params": {"textDocument": doc}})
    position = {"line": line, "character": col}
    params = {"textDocument": {"uri": doc["uri"]}, "position": position}
    feed(server, {"id": 2, "method": "textDocument/completion", "params": params})
    await until(lambda: sink.answer(2) is not None)
    raw = sink.answer(2)["result"]["items"][0]
    item = server.protocol._converter.structure(raw, types.CompletionItem)
    result = accept_vscode(lines, item, honour_as_is=False)
    assert result == [
        "import shutil",
        "class C:",
        "    def m(self, s, xs, p):",
        "        " + INTENT,
        "        for x in xs:",
        "            shutil.copy(x, dst)",
        "        return 1",
        "",
    ]
    ast.parse("\n".join(result))
    server.host.shutdown()
