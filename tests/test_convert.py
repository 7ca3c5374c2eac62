"""Each conversion from codeqa_model answers to LSP types, on small real intent blocks."""

from __future__ import annotations

from codeqa_model.inference import Suggestion
from lsprotocol import types

from codeqa_lsp import convert, fixes
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


def test_diagnostic_message_carries_the_engines_reason() -> None:
    block, lines = _block()
    diag = convert.diagnostic(block, 0.1, 0.5, "", lines, UTF16, "calls os.getcwd")
    assert diag.message.endswith("below the threshold 0.50 (calls os.getcwd)")
    assert diag.data == {"score": 0.1, "suggestion": ""}


def test_code_actions_replace_and_insert() -> None:
    block, lines = _block()
    diag = convert.diagnostic(block, 0.1, 0.5, "", lines, UTF16)
    suggestion = Suggestion("for k in d:\n    pass", 0.9)
    replace, insert = convert.code_actions("file:///f.py", diag, block, lines, UTF16, suggestion)
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
    blank = Suggestion("  \n", 0.9)
    assert convert.code_actions("file:///f.py", diag, block, lines, UTF16, blank) == []


def test_replace_keeps_the_assignment_target_and_adds_imports() -> None:
    source = (
        '"""Doc."""\nimport json\n\n    # intent: parse `s` as a date\n    stamp = json.loads(s)\n'
    )
    (block,) = parse_intents(source)
    lines = split_lines(source)
    diag = convert.diagnostic(block, 0.1, 0.5, "", lines, UTF16)
    suggestion = Suggestion("datetime.strptime(s, fmt)", 0.9, imports=("import datetime",))
    replace, insert = convert.code_actions("file:///f.py", diag, block, lines, UTF16, suggestion)
    add, new = replace.edit.changes["file:///f.py"]
    assert add == types.TextEdit(
        range=types.Range(types.Position(2, 0), types.Position(2, 0)),
        new_text="import datetime\n",
    )
    assert new.new_text == "    stamp = datetime.strptime(s, fmt)"
    assert insert.edit.changes["file:///f.py"][0] == add


def test_import_edits_go_after_leading_imports_once_and_only_when_missing() -> None:
    lines = split_lines("import os\nfrom a import (\n    b,\n)\n\nx = 1\n")
    (edit,) = convert.import_edits(lines, ["import shutil", "import os", "import shutil"], UTF16)
    assert edit.range.start == edit.range.end == types.Position(4, 0)
    assert edit.new_text == "import shutil\n"
    assert convert.import_edits(lines, ["import os"], UTF16) == []
    (top,) = convert.import_edits(split_lines("x = 1"), ["import re"], UTF16)
    assert top.range.start == types.Position(0, 0) and top.new_text == "import re\n"


def test_with_target_applies_only_to_one_assignment_and_one_expression() -> None:
    assert fixes.with_target("stamp = json.loads(s)", "f(s)") == "stamp = f(s)"
    assert fixes.with_target("a = b = (\n  1)", "f()") == "a = b = f()"
    assert fixes.with_target("n: int = 1", "f()") == "n: int = f()"
    assert fixes.with_target("t += 1", "f()") == "t += f()"
    assert fixes.with_target("t = 1", "u = f()") == "u = f()"  # the suggestion names its own
    assert fixes.with_target("print(t)", "f()") == "f()"  # nothing to keep
    assert fixes.with_target("t = 1\nu = 2", "f()") == "f()"  # two statements
    assert fixes.with_target("n: int", "f()") == "f()"  # no value
    assert fixes.with_target("t = 1", "for x in y:\n    pass") == "for x in y:\n    pass"
    assert fixes.with_target("t = (", "f()") == "f()"  # old code that does not parse


def test_hover_on_a_code_line_spans_that_line() -> None:
    block, lines = _block()
    hover = convert.hover(block, 0.2, 0.5, "d.clear()", lines, UTF16, line=3)
    assert hover.range == types.Range(types.Position(3, 4), types.Position(3, 9))
    intent = convert.hover(block, 0.2, 0.5, "d.clear()", lines, UTF16, line=1)
    assert intent.range == types.Range(types.Position(1, 4), types.Position(1, 36))


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


def test_usable_skips_suggestions_that_failed_the_api_check() -> None:
    from codeqa_model.inference import Suggestion

    bad = Suggestion("os.getcwd('.')", 0.9, problem="too many positional arguments")
    good = Suggestion("os.getcwd()", 0.5)
    assert convert.usable([bad, good]) is good
    assert convert.usable([bad]) is None
    assert convert.usable([]) is None
    assert convert.usable(None) is None
