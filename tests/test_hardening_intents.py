"""Property tests for the intent grammar on hostile text: it never raises, positions stay valid.

Documents are built from fragments an editor really produces (intent comments, indented code,
tabs, CRLF and lone CR, unicode outside the BMP, very long lines, empty files), so most
examples contain real intent blocks rather than noise.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from codeqa_lsp.intents import block_starting_at, completion_site, parse_intents, split_lines
from codeqa_lsp.protocol import LspTextDocument, split_lines_keepends

_FRAGMENTS = st.sampled_from(
    [
        "# intent: sort list `a` by key 'b'",
        "#INTENT:   open file 'x.txt' ",
        "    # intent: nested 😀 intent",
        "\t# intent: tab indented",
        "# intent:",
        "x = 1  # intent: trailing, not an intent",
        "    y = sorted(a)",
        "\tz = 'é'",
        "        deeper()",
        "",
        "   ",
        "a" * 5000,
        "# intent: " + "long " * 800,
        "pass",
    ]
)
_BREAKS = st.sampled_from(["\n", "\r\n", "\r"])
DOCUMENTS = st.one_of(
    st.just(""),
    st.lists(st.tuples(_FRAGMENTS, _BREAKS), max_size=30).map(
        lambda parts: "".join(f + b for f, b in parts)
    ),
    st.text(max_size=300),
)


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS)
def test_blocks_are_ordered_and_inside_the_document(text: str) -> None:
    lines = split_lines(text)
    assert len(lines) == len(re.findall(r"\r\n|\r|\n", text)) + 1
    blocks = parse_intents(text)
    previous_end = 0
    for block in blocks:
        assert previous_end <= block.line < len(lines)
        start, end = block.code_lines
        assert block.line + 1 == start <= end <= len(lines)
        previous_end = end
        line = lines[block.line]
        a, b = block.intent_range
        assert 0 <= a <= b <= len(line)
        assert line[a:b] == block.intent and block.intent.strip() == block.intent
        assert block.has_code == bool(block.code)
        assert block_starting_at(lines, block.line) == block


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS, st.integers(-3, 60), st.integers(-3, 6000))
def test_completion_site_is_none_or_inside_its_line(text: str, line: int, char: int) -> None:
    lines = split_lines(text)
    site = completion_site(lines, line, char)
    if site is None:
        return
    assert 0 <= site.line < len(lines)
    assert 0 <= site.start <= site.end == len(lines[site.line])
    assert site.intent and "\n" not in site.intent and "\r" not in site.intent


@settings(max_examples=60, deadline=None)
@given(DOCUMENTS)
def test_lines_or_text_give_the_same_blocks(text: str) -> None:
    assert parse_intents(split_lines(text)) == parse_intents(text)


# ---------------------------------------------------------------- documents split like LSP

_ANY_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\u2028", "\u2029", "\x85", "\x1c"])
_RAW = st.lists(st.one_of(st.text(max_size=8), _ANY_BREAKS), max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(_RAW)
def test_document_lines_keep_ends_and_break_only_where_lsp_does(text: str) -> None:
    lines = split_lines_keepends(text)
    assert "".join(lines) == text
    expected = split_lines(text)
    if expected[-1] == "":  # a final break (or an empty text) starts no line of its own
        expected = expected[:-1]
    assert [re.sub(r"(\r\n|\r|\n)$", "", line) for line in lines] == expected
    for line in lines[:-1]:
        assert re.search(r"(\r\n|\r|\n)$", line)


def test_incremental_edit_after_a_form_feed_lands_on_the_lsp_line() -> None:
    doc = LspTextDocument("file:///ff.py", "a = 1\x0c# page\u2028x\nb = 2\n", version=1)
    assert doc.lines == ("a = 1\x0c# page\u2028x\n", "b = 2\n")  # str.splitlines gives 4
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(1, 0), end=types.Position(1, 1)), text="c"
        )
    )
    assert doc.source == "a = 1\x0c# page\u2028x\nc = 2\n"
