"""A command string run without a shell, given as its words: `subprocess.run('ls -l')` →
`subprocess.run('ls -l'.split())`.

Without `shell=True` the subprocess functions read a string as one program's name, so
`subprocess.check_output('ls -l')` looks for a program called "ls -l" (the API check says so
and sends it behind). The doc rows that know which function returns a command's output are
written that way once the intent's command is put in. A plain command (words, options, paths)
is split into its words; one the shell must read (a pipe, a redirection, a variable, quotes)
gets `shell=True`, as the Stack Overflow answers for it write.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import Edits, SourcePositions, dotted_parts, rewrite

Spans = tuple[tuple[int, int], ...]
RUNS_A_PROGRAM = frozenset(
    f"subprocess.{name}" for name in ("run", "call", "check_call", "check_output", "Popen")
)
_ASKS_FOR_A_SHELL = re.compile(r"\b(?:shell|bash|sh)\b", re.IGNORECASE)
_SHELL_ONLY = re.compile(r"""[|&;<>()$`\\"'*?\[\]#~=%{}!]""")


def run_command_words(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each subprocess call's literal command of several words given as a list
    (`.split()`) or, where only a shell reads it or the intent asks for one, with
    `shell=True`; `spans` moved with the text. Unchanged when no call runs such a string."""
    if "subprocess." not in code:
        return code, spans
    shell = _ASKS_FOR_A_SHELL.search(intent) is not None
    return rewrite(code, spans, lambda tree, where: _command_edits(tree, where, shell))


def command_text(call: ast.Call) -> str | None:
    """The command `call` passes first when it is a string literal of several words (`'ls -l'`,
    which a subprocess function without a shell takes for one program's name), else None."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value if len(first.value.split()) > 1 else None
    return None


def _command_edits(tree: ast.Module, where: SourcePositions, shell: bool) -> Edits:
    edits: Edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if ".".join(dotted_parts(node.func) or []) not in RUNS_A_PROGRAM:
            continue
        text = command_text(node)
        if text is None or any(k.arg == "shell" for k in node.keywords):
            continue
        _, end = where.extent(node.args[0])
        if shell or _SHELL_ONLY.search(text):
            _, call_end = where.extent(node)
            comma = where.code[: call_end - 1].rstrip().endswith(",")
            edits.append((call_end - 1, call_end - 1, " shell=True" if comma else ", shell=True"))
        else:
            edits.append((end, end, ".split()"))
    return edits
