"""Candidates that do the opposite of the intent, or harm it never asked for, fail the check;
a block that does both sides, or an intent that names both, is left alone."""

from __future__ import annotations

import pytest
from codeqa_model.api_check import ApiChecker
from codeqa_model.api_table import ApiTable

TABLE = ApiTable(
    {
        "base64": {"b64encode": ["f", "s, altchars=..."], "b64decode": ["f", "s, altchars=..."]},
        "json": {
            "loads": ["f", "s, *, cls=..., **kwds"],
            "dumps": ["f", "obj, *, indent=..., **kw"],
            "load": ["f", "fp, *, cls=..., **kwds"],
            "dump": ["f", "obj, fp, **kw"],
        },
        "zlib": {"compress": ["f", "data, /, level=..."], "decompress": ["f", "data, /"]},
        "os": {"remove": ["f", "path"], "path": ["m", "posixpath"]},
        "posixpath": {"join": ["f", "a, /, *paths"]},
        "shutil": {"rmtree": ["f", "path, ignore_errors=..."]},
        "subprocess": {
            "run": ["f", "args, *, shell=..., capture_output=..."],
            "check_output": ["f", "args, *, shell=..."],
        },
        "builtins": {
            "open": ["f", "file, mode=..., buffering=..., encoding=..."],
            "int": ["c", "x, /, base=..."],
            "max": ["f", "*args, key=..."],
            "min": ["f", "*args, key=..."],
        },
    }
)
CHECKER = ApiChecker(TABLE)


@pytest.mark.parametrize(
    ("intent", "code", "why"),
    [
        ("encode string `s` as base64", "base64.b64decode(s.encode('ascii'))", "b64decode"),
        ("decode base64 string `s`", "base64.b64encode(s)", "b64encode"),
        ("compress bytes `data`", "zlib.decompress(data)", "decompress"),
        ("convert `s` to lowercase", "s.upper()", "upper"),
        ("get the largest number in `xs`", "min(xs)", "min"),
        ("parse json string `text`", "json.dumps(text)", "json.dumps"),
        ("write dict `d` to json file 'out.json'", "json.loads(d)", "json.loads"),
        ("read csv file 'data.csv'", "shutil.rmtree('data.csv')", "deletes"),
        ("read the lines of 'notes.txt'", "open('notes.txt', 'w').readlines()", "mode 'w'"),
        ("join path `base` and 'data.csv'", "os.path.join(base, *'data.csv')", "per letter"),
        ("read json file 'data.json'", "json.loads('data.json')", "not JSON"),
        ("run command 'ls -l' and capture its output", "subprocess.check_output('ls -l')", "shell"),
        ("convert integer `n` to a binary string", "int(n, 2)", "base"),
    ],
)
def test_a_contradicting_candidate_fails_and_says_why(intent: str, code: str, why: str) -> None:
    result = CHECKER.check(code, intent=intent)
    assert not result.ok
    assert why in (result.reason or "")


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("encode string `s` as base64", "base64.b64encode(s.encode('ascii'))"),
        ("decode then encode `s`", "base64.b64encode(base64.b64decode(s))"),
        ("convert `s` to lowercase", "s.lower()"),
        ("difference between the largest and smallest of `xs`", "max(xs) - min(xs)"),
        ("cap `x` at a maximum of 10", "min(x, 10)"),
        ("parse json string `text`", "json.loads(text)"),
        (
            "read json 'a.json' and write it pretty to 'b.json'",
            "json.dump(json.load(open('a.json')), open('b.json', 'w'))",
        ),
        ("write dict `d` to json file 'out.json'", "json.dump(d, open('out.json', 'w'))"),
        ("delete file 'tmp.txt'", "os.remove('tmp.txt')"),
        ("read the lines of 'notes.txt'", "open('notes.txt').readlines()"),
        ("copy the lines of 'a.txt' into 'b.txt'", "open('b.txt', 'w').writelines(open('a.txt'))"),
        ("parse json string '[1, 2]'", "json.loads('[1, 2]')"),
        ("run command 'ls -l'", "subprocess.run('ls -l', shell=True)"),
        ("run command 'ls'", "subprocess.run('ls')"),
        ("parse the binary string `s` to an integer", "int(s, 2)"),
    ],
)
def test_code_that_does_what_is_asked_passes(intent: str, code: str) -> None:
    result = CHECKER.check(code, intent=intent)
    assert result.ok, result.reason
