"""Slots: intent quoting conventions, code placeholders, and the exact restore round trip."""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path

import pytest
from codeqa_model.slots import (
    MAX_SLOTS,
    canonicalize_code,
    canonicalize_intent,
    canonicalize_pair,
    restore_code,
    spelled_numbers_as_digits,
    unquote_name_receivers,
)
from hypothesis import given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures" / "text"
ROWS = json.loads((FIXTURES / "conala_rows.json").read_text())


def _row(index: int) -> dict:
    return next(r for r in ROWS if r["index"] == index)


def test_intent_strings_and_names_become_numbered_placeholders() -> None:
    intent, slots = canonicalize_intent(
        "add dictionary `{'class': {'section': 5}}` to key 'Test' of dictionary `dic`"
    )
    assert intent == "add dictionary var_0 to key str_0 of dictionary var_1"
    assert [(s.placeholder, s.value, s.kind, s.quote) for s in slots] == [
        ("var_0", "{'class': {'section': 5}}", "var", "`"),
        ("str_0", "Test", "str", "'"),
        ("var_1", "dic", "var", "`"),
    ]


def test_repeated_value_reuses_placeholder_and_apostrophes_are_not_quotes() -> None:
    intent, slots = canonicalize_intent("check `d`'s key 'a' and today's 'a' in `d`")
    assert intent == "check var_0's key str_0 and today's str_0 in var_0"
    assert len(slots) == 2


def test_double_single_quotes_and_empty_string() -> None:
    intent, slots = canonicalize_intent(_row(54)["rewritten_intent"])
    assert intent == "execute os command str_0"
    assert slots["str_0"].value == "TASKKILL /F /IM firefox.exe"
    intent, slots = canonicalize_intent(_row(58)["rewritten_intent"])
    assert intent.startswith("replace parentheses and all data within it with empty string str_0")
    assert slots["str_0"].value == "" and slots["str_1"].value == "name"


def test_more_than_max_slots_leaves_text_as_written() -> None:
    names = [f"`v{i}`" for i in range(MAX_SLOTS + 2)]
    intent, slots = canonicalize_intent("use " + " ".join(names))
    assert len(slots) == MAX_SLOTS
    assert intent.endswith("var_9 `v10` `v11`")


def test_code_literals_and_names_are_replaced_at_token_boundaries() -> None:
    _, slots = canonicalize_intent("read the contents of the file 'file.txt' into `txt`")
    code = "txt = open('file.txt').read()\ntxt2 = txt.strip() + 'file.txt2'"
    canon = canonicalize_code(code, slots)
    assert canon == "var_0 = open(str_0).read()\ntxt2 = var_0.strip() + 'file.txt2'"
    assert restore_code(canon, slots) == code


def test_non_identifier_values_match_token_runs() -> None:
    row = _row(4)
    _, code, slots = canonicalize_pair(row["rewritten_intent"], row["snippet"])
    assert code == "zip(var_0, var_1)"
    assert restore_code(code, slots) == row["snippet"]


def test_code_quoting_differing_from_intent_needs_observe() -> None:
    _, slots = canonicalize_intent('add key "item3" and value "3" to dictionary `default_data `')
    code = "default_data['item3'] = 3"
    assert canonicalize_code(code, slots) == "var_0['item3'] = 3"  # intent quoted with "
    observed = slots.observe(code)
    assert canonicalize_code(code, observed) == "var_0[str_0] = 3"
    assert restore_code("var_0[str_0] = 3", observed) == code


def test_raw_and_triple_quoted_literals_round_trip() -> None:
    for index in (823, 11):
        row = _row(index)
        _, canon, slots = canonicalize_pair(row["rewritten_intent"], row["snippet"])
        assert "str_0" in canon
        assert restore_code(canon, slots) == row["snippet"]


def test_restore_on_model_output_uses_intent_quote_and_leaves_unknown_slots() -> None:
    _, slots = canonicalize_intent("replace white spaces in dataframe `df` with '_'")
    generated = "var_0.replace(' ', str_0, regex=True) + var_3 + my_var_0"
    assert restore_code(generated, slots) == "df.replace(' ', '_', regex=True) + var_3 + my_var_0"
    _, slots = canonicalize_intent('strip the string "didn\'t"')
    assert restore_code("str_0.strip()", slots) == '"didn\'t".strip()'


def test_every_fixture_row_round_trips() -> None:
    used = 0
    for row in ROWS:
        _, canon, slots = canonicalize_pair(row["rewritten_intent"], row["snippet"])
        assert restore_code(canon, slots) == row["snippet"], row["index"]
        used += sum(bool(re.search(rf"\b{s.placeholder}\b", canon)) for s in slots)
    assert used >= 30  # the fixture was cut for rows whose values occur in the code


_names = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and not re.fullmatch(r"(str|var)_\d", n)
)
_strings = st.text(
    st.characters(codec="ascii", exclude_characters="'\"`\\\n\r"), min_size=0, max_size=12
)
_TEMPLATES = [
    "{v0} = {f}({v1}, '{s0}')",
    "print({v0}.split('{s0}')[{v1}])",
    "if {v0} in '{s0}':\n    {v1} = {v0} + '{s1}'",
    "{f}({v0}=[{v1}, '{s0}'], key=lambda x: x.{v1})",
]


@settings(max_examples=150, deadline=None)
@given(
    template=st.sampled_from(_TEMPLATES),
    names=st.lists(_names, min_size=3, max_size=3, unique=True),
    strings=st.lists(_strings, min_size=2, max_size=2, unique=True),
)
def test_round_trip_property(template: str, names: list[str], strings: list[str]) -> None:
    v0, v1, f = names
    code = template.format(v0=v0, v1=v1, f=f, s0=strings[0], s1=strings[1])
    intent = f"use `{v0}` and `{v1}` with '{strings[0]}' or \"{strings[1]}\""
    canon_intent, slots = canonicalize_intent(intent)
    assert canon_intent == "use var_0 and var_1 with str_0 or str_1"
    assert slots["var_0"].value == v0 and slots["str_1"].value == strings[1]
    for use in (slots, slots.observe(code)):
        canon = canonicalize_code(code, use)
        assert restore_code(canon, use) == code
    assert not re.search(rf"(?<![\w.]){re.escape(v0)}(?!\w)", canonicalize_pair(intent, code)[1])


def test_a_backticked_name_receiving_a_method_call_is_not_quoted() -> None:
    _, slots = canonicalize_intent("check if string `filename` ends with '.py'")
    code = '"""var_0""".endswith(str_0) or \'var_0\'.lower() or d[\'var_0\']'
    assert unquote_name_receivers(code, slots.get) == (
        "var_0.endswith(str_0) or var_0.lower() or d['var_0']"
    )
    assert restore_code(unquote_name_receivers(code, slots.get), slots).startswith(
        "filename.endswith('.py')"
    )


def test_a_backticked_value_that_is_no_name_stays_quoted() -> None:
    _, slots = canonicalize_intent("check if `a b` ends with 'x' and `name` too")
    assert unquote_name_receivers("'var_0'.endswith(str_0)", slots.get) == (
        "'var_0'.endswith(str_0)"
    )
    # a quoted string slot is a literal already
    assert unquote_name_receivers("'str_0'.upper()", slots.get) == "'str_0'.upper()"


@pytest.mark.parametrize(
    ("intent", "written"),
    [
        ("round `x` to two decimal places", "round `x` to 2 decimal places"),
        ("sleep for half a second", "sleep for 0.5 second"),
        ("Twenty random numbers", "20 random numbers"),
        # quoted values are the user's text; "one" is as often a pronoun; a number needs a word
        ("replace 'two words' with `three` in `s`", "replace 'two words' with `three` in `s`"),
        ("get the one with the largest value", "get the one with the largest value"),
        ("split `s` in two", "split `s` in two"),
    ],
)
def test_spelled_numbers_are_written_in_digits(intent: str, written: str) -> None:
    assert spelled_numbers_as_digits(intent) == written
