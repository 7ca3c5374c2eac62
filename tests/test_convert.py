"""Each conversion from codeqa_model answers to LSP types, on small real intent blocks."""

from __future__ import annotations

from lsprotocol import types

from codeqa_lsp import convert
from codeqa_lsp.intents import parse_intents, split_lines

UTF16 = types.PositionEncodingKind.Utf16
UTF8 = types.PositionEncodingKind.Utf8
UTF32 = types.PositionEncodingKind.Utf32


# ---------------------------------------------------------------- columns


def test_columns_in_each_encoding() -> None:
    line = "x = '😀é' # end"
    # code points: x,space,=,space,',😀,é,'  -> the quote after é is index 7
    assert convert.client_column(line, 7, UTF32) == 7
    assert convert.client_column(line, 7, UTF16) == 8  # 😀 is two UTF-16 units
    assert convert.client_column(line, 7, UTF8) == 11  # 😀 four bytes, é two
    for enc in (UTF8, UTF16, UTF32):
        assert convert.server_column(line, convert.client_column(line, 7, enc), enc) == 7


def test_server_column_clamps_out_of_range() -> None:
    assert convert.server_column("abc", 99, UTF16) == 3
    assert convert.server_column("abc", -4, UTF16) == 0
    assert convert.server_column("é😀", 99, UTF16) == 2


# ---------------------------------------------------------------- diagnostics / actions / hover


SOURCE = "def f(d):\n    # intent: sort dict `d` by value\n    x = 1\n    y = 2\n\n    return d\n"


def _block():
    (block,) = parse_intents(SOURCE)
    return block, split_lines(SOURCE)


def test_diagnostic_on_intent_comment() -> None:
    block, lines = _block()
    diag = convert.diagnostic(block, 0.123, 0.5, "sorted(d, key=d.get)", lines, UTF16)
    assert diag.range == types.Range(types.Position(1, 4), types.Position(1, 36))
    assert diag.severity == types.DiagnosticSeverity.Warning
    assert diag.source == "codeqa"
    assert "0.12" in diag.message and "0.50" in diag.message
    assert diag.data == {"score": 0.123, "suggestion": "sorted(d, key=d.get)"}


def test_code_actions_replace_and_insert() -> None:
    block, lines = _block()
    diag = convert.diagnostic(block, 0.1, 0.5, "for k in d:\n    pass", lines, UTF16)
    replace, insert = convert.code_actions("file:///f.py", diag, block, lines, UTF16)
    assert replace.title == "Replace with suggested code"
    assert replace.kind == types.CodeActionKind.QuickFix and replace.is_preferred
    assert replace.diagnostics == [diag]
    assert replace.edit is not None and replace.edit.changes is not None
    (edit,) = replace.edit.changes["file:///f.py"]
    assert edit.range == types.Range(types.Position(2, 0), types.Position(3, 9))
    assert edit.new_text == "    for k in d:\n        pass"
    assert insert.title == "Insert suggestion below intent"
    assert insert.edit is not None and insert.edit.changes is not None
    (edit,) = insert.edit.changes["file:///f.py"]
    assert edit.range == types.Range(types.Position(2, 0), types.Position(2, 0))
    assert edit.new_text == "    for k in d:\n        pass\n"


def test_no_code_actions_for_foreign_or_empty_diagnostics() -> None:
    block, lines = _block()
    foreign = types.Diagnostic(
        range=types.Range(types.Position(1, 0), types.Position(1, 1)),
        message="x",
        source="pyflakes",
        data={"suggestion": "y"},
    )
    assert convert.code_actions("file:///f.py", foreign, block, lines, UTF16) == []
    empty = convert.diagnostic(block, 0.1, 0.5, "", lines, UTF16)
    assert convert.code_actions("file:///f.py", empty, block, lines, UTF16) == []


def test_code_actions_from_a_suggestion_generated_on_demand() -> None:
    block, lines = _block()
    published = convert.diagnostic(block, 0.1, 0.5, "", lines, UTF16)
    assert convert.needs_suggestion(published)
    replace, insert = convert.code_actions(
        "file:///f.py", published, block, lines, UTF16, suggestion="d.clear()"
    )
    assert replace.diagnostics == [published]  # the client's diagnostic, unchanged
    (edit,) = replace.edit.changes["file:///f.py"]
    assert edit.new_text == "    d.clear()"
    (edit,) = insert.edit.changes["file:///f.py"]
    assert edit.new_text == "    d.clear()\n"
    foreign = types.Diagnostic(
        range=published.range, message="x", source="pyflakes", data={"suggestion": ""}
    )
    assert not convert.needs_suggestion(foreign) and not convert.is_ours(foreign)
    assert convert.code_actions("file:///f.py", foreign, block, lines, UTF16, "d.clear()") == []
    filled = convert.diagnostic(block, 0.1, 0.5, "d.pop(k)", lines, UTF16)
    assert convert.is_ours(filled) and not convert.needs_suggestion(filled)


def test_hover_states_score_and_suggestion() -> None:
    block, lines = _block()
    hover = convert.hover(block, 0.8, 0.5, "sorted(d, key=d.get)", lines, UTF16)
    assert isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "0.80" in text and "matches" in text and "sorted(d, key=d.get)" in text
    assert hover.range == types.Range(types.Position(1, 4), types.Position(1, 36))
    low = convert.hover(block, 0.2, 0.5, None, lines, UTF16)
    assert isinstance(low.contents, types.MarkupContent)
    assert "may not match" in low.contents.value
    none = convert.hover(block, None, 0.5, "x", lines, UTF16)
    assert isinstance(none.contents, types.MarkupContent)
    assert "no code" in none.contents.value
