"""The share of an intent's quoted values and bare numbers a candidate leaves out."""

from __future__ import annotations

from codeqa_model.values_left_out import bare_numbers, values_left_out


def test_bare_numbers_skip_quotes_ticks_and_words() -> None:
    assert bare_numbers("wrap `text` into lines of at most 20 characters") == [20.0]
    assert bare_numbers("md5 of utf-8 string 'a1' in `x2` 3.5 times") == [3.5]
    assert bare_numbers("sort `xs`") == []


def test_numbers_count_beside_quoted_values() -> None:
    intent = "wrap `text` into lines of at most 20 characters"
    assert values_left_out(intent, "textwrap.wrap(text, 20)") == 0.0
    assert values_left_out(intent, "textwrap.wrap(text, width=20.0)") == 0.0
    assert values_left_out(intent, "textwrap.wrap(text)") == 0.5
    assert values_left_out("sleep for 2 seconds", "time.sleep(5)") == 1.0
    assert values_left_out("copy 'a.txt' to 'b.txt'", "shutil.copy('a.txt', x)") == 0.5
    assert values_left_out("get the current year", "datetime.date.today().year") == 0.0
