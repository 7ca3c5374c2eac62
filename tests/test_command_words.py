"""model/command_words.py: a command string run without a shell is given as its words."""

from __future__ import annotations

import pytest
from codeqa_model.command_words import run_command_words


def _put(intent: str, code: str) -> str:
    return run_command_words(intent, code, ())[0]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("subprocess.check_output('ls -l')", "subprocess.check_output('ls -l'.split())"),
        ("out = subprocess.run('git status', check=True)",
         "out = subprocess.run('git status'.split(), check=True)"),
        # only a shell reads a pipe, a redirection, quotes, a variable
        ("subprocess.run('ls -l | wc -l')", "subprocess.run('ls -l | wc -l', shell=True)"),
        ("subprocess.call('echo $HOME',)", "subprocess.call('echo $HOME', shell=True)"),
        # one word, a list, a variable, an explicit shell, or no subprocess: as it was
        ("subprocess.call('ls')", "subprocess.call('ls')"),
        ("subprocess.run(['ls', '-l'])", "subprocess.run(['ls', '-l'])"),
        ("subprocess.run(cmd)", "subprocess.run(cmd)"),
        ("subprocess.run('ls -l', shell=False)", "subprocess.run('ls -l', shell=False)"),
        ("os.system('ls -l')", "os.system('ls -l')"),
    ],
)  # fmt: skip
def test_a_command_string_is_split_or_run_by_a_shell(code: str, expected: str) -> None:
    assert _put("run the command", code) == expected


def test_an_intent_that_asks_for_a_shell_gets_one() -> None:
    code = "subprocess.check_output('ls -l')"
    assert _put("run shell command 'ls -l'", code) == "subprocess.check_output('ls -l', shell=True)"


def test_the_intent_s_value_keeps_its_span() -> None:
    code = "subprocess.check_output('ls -l')"
    new, spans = run_command_words("run 'ls -l' and get its output", code, ((24, 31),))
    assert [new[s:e] for s, e in spans] == ["'ls -l'"]
