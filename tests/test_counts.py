"""model/counts.py: the `len` of a listing where the intent asks how many, nothing else."""

from __future__ import annotations

import pytest
from codeqa_model.counts import count_when_asked


@pytest.mark.parametrize(
    ("intent", "code", "counted"),
    [
        ("count the number of files in directory 'data'", "os.listdir('data')",
         "len(os.listdir('data'))"),
        ("get the number of lines in string `text`", "text.splitlines()",
         "len(text.splitlines())"),
        ("how many keys does dict `d` have", "list(d.items())", "len(list(d.items()))"),
        ("count the lines in file 'data.txt'", "open('data.txt').readlines()",
         "len(open('data.txt').readlines())"),
        ("find the number of matches of 'a+' in `s`", "re.findall('a+', s)",
         "len(re.findall('a+', s))"),
        ("how many words are in `s`", "s.split()", "len(s.split())"),  # `s` spells a string
    ],
)  # fmt: skip
def test_a_listing_becomes_its_length_where_the_intent_asks_how_many(
    intent: str, code: str, counted: str
) -> None:
    assert count_when_asked(intent, code, ())[0] == counted


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("count occurrences of 'a' in string `s`", "s.count('a')"),  # a number already
        ("count the number of files in directory 'data'", "len(os.listdir('data'))"),
        ("get the number of cpu cores", "os.cpu_count()"),
        ("convert the number of seconds `n` to a list", "[n]"),  # no count asked
        ("count occurrences of each word in list `words`", "list(words)"),  # a tally
        ("get the files in directory 'data'", "os.listdir('data')"),
        ("count the words in `s`", "words = s.split()"),  # a statement, not a value
        ("how many parts does `v` have", "v.split()"),  # `v` of unknown type
    ],
)
def test_left_alone(intent: str, code: str) -> None:
    assert count_when_asked(intent, code, ((0, 1),)) == (code, ((0, 1),))


def test_spans_move_with_the_text() -> None:
    code, spans = count_when_asked(
        "how many files are in 'data'", "os.listdir('data')", ((11, 17),)
    )
    assert code == "len(os.listdir('data'))" and code[spans[0][0] : spans[0][1]] == "'data'"


def test_a_function_the_table_says_returns_a_list_is_counted_too() -> None:
    intent = "how many of the names `names` match '*.txt'"
    code = "fnmatch.filter(names, '*.txt')"
    assert count_when_asked(intent, code, ())[0] == code
    returns = {"fnmatch.filter": "list"}
    assert count_when_asked(intent, code, (), returns)[0] == f"len({code})"
