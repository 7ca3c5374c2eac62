"""strptime formats read off the date an intent shows, and fitted into candidates."""

from __future__ import annotations

import ast
from datetime import datetime

import pytest
from codeqa_model.date_formats import (
    fit_date_formats,
    infer_format,
    intent_format,
    pattern_format,
    unasked_output_format,
)


@pytest.mark.parametrize(
    ("example", "fmt"),
    [
        ("2024-01-15", "%Y-%m-%d"),
        ("14:05", "%H:%M"),
        ("31/12/2020", "%d/%m/%Y"),
        ("12/31/2020", "%m/%d/%Y"),
        ("01/02/2020", "%m/%d/%Y"),
        ("15.01.2024", "%d.%m.%Y"),
        ("15 Jan 2024", "%d %b %Y"),
        ("January 15, 2024", "%B %d, %Y"),
        ("Mon, 15 Jan 2024", "%a, %d %b %Y"),
        ("2024-01-15T10:30:00", "%Y-%m-%dT%H:%M:%S"),
        ("2024-01-15 10:30:00.123", "%Y-%m-%d %H:%M:%S.%f"),
        ("3:30 PM", "%I:%M %p"),
    ],
)
def test_formats_read_the_example_back(example: str, fmt: str) -> None:
    assert infer_format(example) == fmt
    datetime.strptime(example, fmt)


@pytest.mark.parametrize("text", ["data.csv", "1.5", "2020", "hello", "12/01/20", "50%", "v1.2.3"])
def test_what_is_not_a_date_gets_no_format(text: str) -> None:
    assert infer_format(text) is None


def test_the_intent_must_show_exactly_one_format() -> None:
    assert intent_format("parse '2024-01-15' into a date") == "%Y-%m-%d"
    assert intent_format("days between '2024-01-15' and '2024-02-01'") == "%Y-%m-%d"
    assert intent_format("parse '2024-01-15' or '15 Jan 2024'") is None
    assert intent_format("read 'data.csv'") is None


def test_a_format_that_cannot_read_the_example_is_replaced_and_spans_move() -> None:
    intent = "convert string '2024-01-15' to a datetime object"
    code = "d = datetime.strptime('%H:%M', s) or datetime.strptime(s, '%H:%M') + x"
    spans = ((code.index("x"), code.index("x") + 1),)
    fixed, moved = fit_date_formats(intent, code, spans)
    assert fixed == "d = datetime.strptime('%H:%M', s) or datetime.strptime(s, '%Y-%m-%d') + x"
    assert fixed[moved[0][0] : moved[0][1]] == "x"


def test_a_format_that_reads_the_example_is_kept() -> None:
    intent = "parse '5/1/2020' into a date"
    code = "datetime.strptime('5/1/2020', '%d/%m/%Y')"  # the European reading also reads it
    assert fit_date_formats(intent, code, ()) == (code, ())
    assert fit_date_formats("sort `xs`", "sorted(xs)", ()) == ("sorted(xs)", ())


def test_strftime_writes_the_example_shape_not_the_example() -> None:
    intent = "get the current date as a string like '2024-01-31'"
    code = "datetime.datetime.now().strftime('2024-01-31')"
    assert fit_date_formats(intent, code, ())[0] == ("datetime.datetime.now().strftime('%Y-%m-%d')")
    kept = "d.strftime('%Y-%m-%d')"
    assert fit_date_formats(intent, kept, ()) == (kept, ())
    slot = code.index("'2024")  # the example is the intent's value: a slot span covers it
    fixed, spans = fit_date_formats(intent, code, ((slot, slot + 12),))
    assert (fixed, spans) == ("datetime.datetime.now().strftime('%Y-%m-%d')", ())
    wrong = "time.strftime('%H:%M', t)"
    assert fit_date_formats(intent, wrong, ())[0] == "time.strftime('%Y-%m-%d', t)"


@pytest.mark.parametrize(
    ("pattern", "fmt"),
    [
        ("YYYY-MM-DD", "%Y-%m-%d"),
        ("DD/MM/YYYY HH:MM", "%d/%m/%Y %H:%M"),
        ("HH:mm:ss", "%H:%M:%S"),
        ("hello", None),
        ("YYYY", None),
        ("2024-01-31", None),
    ],
)
def test_a_written_out_pattern_means_its_format(pattern: str, fmt: str | None) -> None:
    assert pattern_format(pattern) == fmt


def test_a_pattern_in_the_intent_replaces_a_format_with_no_directive() -> None:
    code = "dt.strftime('YYYY-MM-DD')"
    assert fit_date_formats("format datetime `dt` as 'YYYY-MM-DD'", code, ((12, 24),)) == (
        "dt.strftime('%Y-%m-%d')",
        (),
    )


def test_an_apostrophe_does_not_open_a_quote() -> None:
    code = "datetime.now().strftime('YYYY-MM-DD')"
    assert fit_date_formats("get today's date as 'YYYY-MM-DD'", code, ()) == (
        "datetime.now().strftime('%Y-%m-%d')",
        (),
    )


@pytest.mark.parametrize(
    ("intent", "code", "flagged"),
    [
        ("parse the string `s` as a date with the format '%d/%m/%Y'",
         "datetime.strptime(s, '%d/%m/%Y').strftime('%m/%d/%y')", True),
        ("parse the string `s` as a date with the format '%d/%m/%Y'",
         "datetime.strptime(s, '%d/%m/%Y')", False),
        ("format the date `d` as 'YYYY-MM-DD'", "d.strftime('%d.%m.%Y')", True),
        ("format the date `d` as 'YYYY-MM-DD'", "d.strftime('%Y-%m-%d')", False),
        # a format that reads one of the examples is one of them
        ("convert '2024-01-15' to '15/01/2024'",
         "datetime.strptime('2024-01-15', '%Y-%m-%d').strftime('%d/%m/%Y')", False),
        ("convert '2024-01-15' to '15/01/2024'",
         "datetime.strptime('2024-01-15', '%Y-%m-%d').strftime('%m/%d/%Y')", True),
        # no format given: any will do; no directive: not a date format
        ("get today's date as a string", "date.today().strftime('%d/%m/%Y')", False),
        ("format the date `d` as 'YYYY-MM-DD'", "d.strftime('today')", False),
    ],
)  # fmt: skip
def test_a_date_written_in_a_format_the_intent_never_gives_fails(
    intent: str, code: str, flagged: bool
) -> None:
    reason = unasked_output_format(intent, list(ast.walk(ast.parse(code))))
    assert (reason is not None) == flagged
    if flagged:
        assert reason is not None and "a format the intent never gives" in reason
