"""Block contexts: exact for short files, windowed (imports kept) for long ones, parsed once."""

from __future__ import annotations

from codeqa_model.context import SourceContext

from codeqa_lsp.contexts import WINDOW, ContextReader, context_source, import_statements
from codeqa_lsp.intents import split_lines


def test_short_files_read_everything_above_the_block() -> None:
    lines = split_lines("import os\nx = 1\n# intent: list files\n")
    assert context_source(lines, 2) == "import os\nx = 1"
    got = ContextReader().above(lines, 2)
    assert got == SourceContext.from_source("import os\nx = 1")
    assert ("os", "os") in got.imports and "x" in got.names


def test_long_files_keep_every_import_and_the_last_window() -> None:
    head = "import os\nfrom json import (\n    loads,\n    dumps,\n)\nfar_away = 1\n"
    body = "".join(f"v{n} = {n}\n" for n in range(2 * WINDOW))
    inside = "def f():\n    import shutil\n    near = 2\n"
    lines = split_lines(head + body + inside + "# intent: copy a file\n")
    block = len(lines) - 2
    text = context_source(lines, block)
    assert len(text.split("\n")) < WINDOW + 10
    got = ContextReader().above(lines, block)
    assert {("os", "os"), ("loads", "json.loads"), ("dumps", "json.dumps")} <= got.imports
    assert ("shutil", "shutil") in got.imports and "near" in got.names
    assert "far_away" not in got.names  # bound above the window: not seen
    assert [at for at, _ in import_statements(lines, block)] == [0, 1, 2 * WINDOW + 7]


def test_the_window_starts_at_a_top_level_statement() -> None:
    body = "def f():\n" + "".join(f"    v{n} = {n}\n" for n in range(WINDOW + 50))
    lines = split_lines(body + "g = 1\n# intent: x\n")
    text = context_source(lines, len(lines) - 2)
    assert text == "g = 1"  # the window's start was inside f: the body is skipped whole


def test_each_text_is_parsed_once_and_blocks_deep_in_a_huge_file_read_a_window() -> None:
    filler = "".join(f"value_{n} = {n} * 2\n" for n in range(49_800))
    blocks = "".join(
        f"# intent: get the length of list `items`\nos.getpid()  # {n}\n\n" for n in range(50)
    )
    lines = split_lines("import os\n" + filler + blocks)
    at = [n for n, line in enumerate(lines) if line.startswith("# intent:")]
    # what is parsed per block is bounded by the window, not the file (50k lines took ~5 s)
    assert max(len(context_source(lines, n).split("\n")) for n in at) <= WINDOW + 1
    reader = ContextReader()
    first = reader.above_each(lines, at)
    assert reader.parsed == 50 and all(("os", "os") in c.imports for c in first)
    assert reader.above_each(lines, at) == first and reader.parsed == 50  # remembered


def test_remembered_answers_only_what_was_parsed_and_parses_nothing() -> None:
    lines = split_lines("import os\n# intent: a\nx = 1\n\nimport json\n# intent: b\ny = 2\n")
    reader = ContextReader()
    assert reader.remembered(lines, [1, 5]) == [None, None] and reader.parsed == 0
    first = reader.above(lines, 1)
    assert reader.remembered(lines, [1, 5]) == [first, None] and reader.parsed == 1
    edited = [*lines[:4], "import csv", *lines[5:]]  # the text above block 1 is unchanged
    assert reader.remembered(edited, [1, 5]) == [first, None]
