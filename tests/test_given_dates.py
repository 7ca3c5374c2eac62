"""model/given_dates.py: the date the intent gives is read instead of today's."""

from __future__ import annotations

import pytest
from codeqa_model.given_dates import use_given_date


@pytest.mark.parametrize(
    ("intent", "code", "expected"),
    [
        ("format the datetime `now` as 'YYYY-MM-DD HH:MM'",
         "datetime.datetime.now().strftime('%Y-%m-%d %H:%M')", "now.strftime('%Y-%m-%d %H:%M')"),
        ("get the day of the week of the date `d`", "datetime.date.today().weekday()",
         "d.weekday()"),
        ("get the day of the week of the date `d`", "datetime.now().date().weekday()",
         "d.weekday()"),
        ("get the hour of the datetime `t`", "datetime.now().date().hour", "t.date().hour"),
        ("get the year of datetime `dt`", "x = datetime.utcnow().year", "x = dt.year"),
        ("add 3 days to the date `d`", "date.today() + timedelta(days=3)",
         "d + timedelta(days=3)"),
        # the code reads the user's value, or today's on its own, or the intent names two or
        # none, or today's comes with an argument: as it was
        ("add 3 days to the date `d`", "datetime.combine(date.today(), d)",
         "datetime.combine(date.today(), d)"),
        ("get the date `d`", "datetime.date.today()", "datetime.date.today()"),
        ("days between the dates `a` and `b`", "(date.today() - a).days",
         "(date.today() - a).days"),
        ("get the year of `d`", "datetime.now().year", "datetime.now().year"),
        ("format the datetime `t` in UTC", "datetime.now(timezone.utc).isoformat()",
         "datetime.now(timezone.utc).isoformat()"),
        ("format the date `d`", "d.now().isoformat()", "d.now().isoformat()"),
    ],
)  # fmt: skip
def test_the_given_date_replaces_today_s(intent: str, code: str, expected: str) -> None:
    assert use_given_date(intent, code, ())[0] == expected


def test_the_intent_s_values_keep_their_spans() -> None:
    code = "datetime.now().strftime('%d/%m')"
    new, spans = use_given_date("format the datetime `t` as '%d/%m'", code, ((24, 31),))
    assert new == "t.strftime('%d/%m')" and [new[s:e] for s, e in spans] == ["'%d/%m'"]
