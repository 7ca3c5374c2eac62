"""train/knowledge/operations.py: the docs' operation tables and id-less entries as pairs."""

from __future__ import annotations

from pathlib import Path

from codeqa_train.knowledge.operations import operation_pair, operation_rows, read_operations

HTML = Path(__file__).parent / "fixtures" / "knowledge" / "html"


def _pairs() -> list[tuple[str, str]]:
    return [(p.intent, p.snippet) for p in read_operations(HTML)]


def test_rows_come_from_operation_tables_describe_entries_and_id_less_entries() -> None:
    rows = operation_rows((HTML / "library" / "stdtypes.html").read_text(encoding="utf-8"))
    assert ("x ** y", "x to the power y") in rows
    assert any(op == "d | other" for op, _ in rows)
    assert all(op != "<" for op, _ in rows)  # the comparison table's header says "Meaning"
    tutorial = (HTML / "tutorial" / "datastructures.html").read_text(encoding="utf-8")
    assert [op for op, _ in operation_rows(tutorial)] == ["list.pop([i])"]


def test_pairs_tick_the_values_and_cut_asides() -> None:
    pairs = _pairs()
    assert ("`x` to the power `y`", "x ** y") in pairs
    assert ("retrieves the item at `i` and also removes it from `s`", "s.pop(i)") in pairs
    assert ("retrieves the item at i and also removes it from `s`", "s.pop()") in pairs
    assert ("removes all items from `s`", "s.clear()") in pairs  # "(same as del s[:])" cut
    assert ("extends `s` with the contents of `t`", "s += t") in pairs
    assert ("Remove the item at the given position in the list, and return it.", "list.pop()") in (
        pairs
    )
    assert {s for _, s in pairs} >= {"d | other", "s[i:j] = t", "divmod(x, y)"}
    assert {p.source for p in read_operations(HTML)} == {"python3.11-doc"}


def test_what_is_no_code_or_says_nothing_of_its_own_is_dropped() -> None:
    snippets = {s for _, s in _pairs()}
    assert not snippets & {"x", "y", "x or y", "not x"}  # `or`'s table: "if x is false, ..."
    assert operation_pair("set <= other", "Test whether every element is in other.") == []
    assert operation_pair("T[X, Y, ...]", "Creates a GenericAlias.") == []
    assert operation_pair("del s[i:j]", "same as s[i:j] = []") == []
    assert read_operations(HTML / "missing") == []
