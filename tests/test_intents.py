"""The intent grammar, case by case: tabs, CRLF, nesting, end of file, consecutive intents."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codeqa_lsp.intents import (
    block_starting_at,
    completion_site,
    indent_width,
    parse_intent_line,
    parse_intents,
    split_lines,
)


def _one(text: str):
    blocks = parse_intents(text)
    assert len(blocks) == 1, blocks
    return blocks[0]


# ---------------------------------------------------------------- single lines


def test_intent_line_keyword_is_case_insensitive_and_spacing_tolerant() -> None:
    for line in ("# intent: copy file", "#intent:copy file", "#   INTENT :  copy file  "):
        head = parse_intent_line(line)
        assert head is not None, line
        assert head.intent == "copy file"
        assert line[head.intent_range[0] : head.intent_range[1]] == "copy file"


def test_trailing_comment_after_code_is_not_an_intent() -> None:
    assert parse_intent_line("x = 1  # intent: set x") is None
    assert parse_intents("x = 1  # intent: set x\ny = 2\n") == []


def test_other_comments_and_near_misses_are_not_intents() -> None:
    for line in ("# intention: no", "# intents: no", "# note intent: no", "intent: no", ""):
        assert parse_intent_line(line) is None, line


def test_intent_range_and_comment_range_on_an_indented_line() -> None:
    block = _one("    # intent: sort `xs`   \n    xs.sort()\n")
    assert block.indent == "    "
    assert block.intent_range == (14, 23)
    assert block.comment_range == (4, 23)


# ---------------------------------------------------------------- blocks


def test_block_runs_to_a_blank_line() -> None:
    text = "# intent: a and b\na = 1\nb = 2\n\nc = 3\n"
    block = _one(text)
    assert block.line == 0
    assert block.code_lines == (1, 3)
    assert block.code == "a = 1\nb = 2"
    assert block.has_code


def test_whitespace_only_line_counts_as_blank() -> None:
    block = _one("# intent: a\na = 1\n   \t\nb = 2\n")
    assert block.code == "a = 1"


def test_block_includes_deeper_lines_and_dedents_them() -> None:
    text = "def f(xs):\n    # intent: print each x\n    for x in xs:\n        print(x)\n"
    block = _one(text)
    assert block.line == 1
    assert block.code_lines == (2, 4)
    assert block.code == "for x in xs:\n    print(x)"


def test_block_ends_at_a_dedent() -> None:
    text = "if ok:\n    # intent: say yes\n    print('yes')\nprint('done')\n"
    block = _one(text)
    assert block.code == "print('yes')"
    assert block.code_lines == (2, 3)


def test_consecutive_intents_each_end_the_previous_block() -> None:
    text = "# intent: first\n# intent: second\nx = 2\n# intent: third\ny = 3\n"
    blocks = parse_intents(text)
    assert [(b.intent, b.code) for b in blocks] == [
        ("first", ""),
        ("second", "x = 2"),
        ("third", "y = 3"),
    ]
    assert not blocks[0].has_code


def test_nested_intent_splits_the_outer_block() -> None:
    text = (
        "# intent: loop over `xs`\n"
        "for x in xs:\n"
        "    # intent: print `x`\n"
        "    print(x)\n"
        "done = True\n"
    )
    outer, inner = parse_intents(text)
    assert outer.code == "for x in xs:"
    assert inner.indent == "    "
    assert inner.code == "print(x)"
    # the dedent back to column 0 ends the inner block
    assert inner.code_lines == (3, 4)


def test_intent_at_end_of_file_with_and_without_newline() -> None:
    for text in ("x = 1\n# intent: last one", "x = 1\n# intent: last one\n"):
        block = _one(text)
        assert block.line == 1
        assert block.code == ""
        assert not block.has_code


def test_code_at_end_of_file_without_newline() -> None:
    assert _one("# intent: set y\ny = 2").code == "y = 2"


def test_crlf_and_lone_cr_line_breaks() -> None:
    text = "# intent: a\r\na = 1\r\n\r\n# intent: b\rb = 2\r"
    blocks = parse_intents(text)
    assert [(b.line, b.code) for b in blocks] == [(0, "a = 1"), (3, "b = 2")]
    assert all("\r" not in b.code and "\r" not in b.intent for b in blocks)


def test_form_feed_is_not_a_line_break() -> None:
    # str.splitlines would split here; LSP does not, so neither does the grammar.
    assert split_lines("a\x0cb\nc") == ["a\x0cb", "c"]


def test_tabs_compare_by_visual_width() -> None:
    assert indent_width("\t") == 8
    assert indent_width("  \t") == 8
    assert indent_width("\t  ") == 10
    text = "\t# intent: print it\n        print(1)\n\tprint(2)\n    print(3)\n"
    block = _one(text)
    # 8 spaces == one tab: same level; 4 spaces is a dedent
    assert block.code_lines == (1, 3)
    assert block.code == "print(1)\nprint(2)"


def test_empty_intent_text_ends_the_block_above_but_yields_none() -> None:
    text = "# intent: a\na = 1\n# intent:\nb = 2\n"
    blocks = parse_intents(text)
    assert [(b.intent, b.code) for b in blocks] == [("a", "a = 1")]


def test_non_ascii_intent_and_code_are_kept() -> None:
    block = _one("# intent: grüße `名前` ausgeben 😀\nprint(名前)\n")
    assert block.intent == "grüße `名前` ausgeben 😀"
    assert block.code == "print(名前)"


def test_block_starting_at_reads_one_block() -> None:
    lines = split_lines("x = 0\n# intent: set x\nx = 1\n\n# intent: set y\ny = 2\n")
    block = block_starting_at(lines, 4)
    assert block is not None and block.intent == "set y" and block.code == "y = 2"
    assert block_starting_at(lines, 0) is None
    assert block_starting_at(lines, 99) is None
    assert block_starting_at(lines, -1) is None


def test_fifty_thousand_lines_parse() -> None:
    chunk = "# intent: add one to `x`\nx = x + 1\ny = x * 2\n\nz = 0  # not an intent\n"
    text = chunk * 10_000  # 50,000 lines
    blocks = parse_intents(text)
    assert len(blocks) == 10_000
    assert blocks[-1].line == 49_995
    assert blocks[-1].code == "x = x + 1\ny = x * 2" and blocks[-1].code_lines == (49_996, 49_998)


@given(st.lists(st.sampled_from(["# intent: do it", "  # INTENT: x", "x = 1", "  y", "", "\t"])))
def test_blocks_are_ordered_and_inside_the_file(lines: list[str]) -> None:
    blocks = parse_intents("\n".join(lines))
    assert [b.line for b in blocks] == sorted({b.line for b in blocks})
    for block in blocks:
        first, stop = block.code_lines
        assert first == block.line + 1 and first <= stop <= max(len(lines), 1)
        assert parse_intent_line(lines[block.line]) is not None


# ---------------------------------------------------------------- completion sites


def test_site_at_end_of_intent_line() -> None:
    lines = split_lines("    # intent: sort `xs`  \n    xs.sort()\n")
    site = completion_site(lines, 0, 23)
    assert site is not None
    assert (site.intent, site.indent, site.new_line_first) == ("sort `xs`", "    ", True)
    assert (site.line, site.start, site.end) == (0, 23, 25)
    # trailing whitespace after the text is still "the end of the line"
    assert completion_site(lines, 0, 25) is not None
    # inside the intent text is not a site
    assert completion_site(lines, 0, 10) is None


def test_site_on_empty_line_below_intent_at_column_zero() -> None:
    lines = split_lines("    # intent: sort `xs`\n\n")
    site = completion_site(lines, 1, 0)
    assert site is not None
    assert (site.indent, site.typed_indent, site.start, site.end) == ("    ", "", 0, 0)
    assert not site.new_line_first


def test_site_on_auto_indented_line_keeps_typed_whitespace() -> None:
    lines = split_lines("    # intent: sort `xs`\n    \n")
    at_indent = completion_site(lines, 1, 4)
    assert at_indent is not None
    assert (at_indent.start, at_indent.end, at_indent.typed_indent) == (4, 4, "    ")
    at_zero = completion_site(lines, 1, 0)
    assert at_zero is not None and (at_zero.start, at_zero.end) == (0, 4)
    assert completion_site(lines, 1, 2) is None  # neither 0, the indent nor the end


def test_site_with_deeper_whitespace_uses_it_as_indentation() -> None:
    lines = split_lines("# intent: go\n\t\n")
    site = completion_site(lines, 1, 1)
    assert site is not None and site.indent == "\t" and site.typed_indent == "\t"


def test_no_site_elsewhere() -> None:
    lines = split_lines("x = 1\n# intent: go\nx = 2\n\n# intent:\n\n")
    assert completion_site(lines, 0, 5) is None  # ordinary code
    assert completion_site(lines, 2, 0) is None  # code below an intent, not empty
    assert completion_site(lines, 3, 0) is None  # empty, but not directly below an intent
    assert completion_site(lines, 5, 0) is None  # below an empty intent
    assert completion_site(lines, 4, 9) is None  # end of an empty intent
    assert completion_site(lines, 0, 0) is None


def test_out_of_range_positions_are_not_sites() -> None:
    lines = split_lines("# intent: go\n")
    for line, character in ((-1, 0), (2, 0), (99, 0), (0, -1), (0, 500)):
        assert completion_site(lines, line, character) is None
