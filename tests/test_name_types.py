"""Types guessed from how a back-ticked name is spelled."""

from __future__ import annotations

from codeqa_model.name_types import name_types


def test_plain_spellings_imply_a_type() -> None:
    assert name_types("remove the trailing '/' from `url`") == {"url": "str"}
    assert name_types("split `csv_line` on commas") == {"csv_line": "str"}
    assert name_types("the initials of `fullName`") == {"fullName": "str"}
    assert name_types("sum `nums` and join `xs`") == {"nums": "list", "xs": "list"}


def test_other_names_and_other_stated_types_imply_nothing() -> None:
    assert name_types("sort `d` by value") == {}
    assert name_types("convert pandas series `s` to a list") == {}
    assert name_types("read file `path`") == {}
    assert name_types("split `lines` on newlines and filter `query`") == {}
    # Once some other type is stated, a second mention does not bring the guess back.
    assert name_types("series `s`: drop the nulls of `s`") == {}
