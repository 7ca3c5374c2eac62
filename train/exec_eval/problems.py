"""The executable problems: one JSON object per line, hand-written for this project.

Fields of a problem (all required unless marked):

- `id`: unique across both files, `<category>-<nnn>` (test) or `v-<category>-<nnn>` (validation).
- `category`: files, strings, regex, dates, collections, json_csv, math, itertools, hashing,
  random, sorting, containers.
- `intent`: written as a user writes an `# intent:` comment: strings quoted (`'data.csv'`),
  names in backticks (`` `path` ``).
- `inputs`: names the snippet may use; the setup binds them, and only they reach the snippet.
- `imports` (default []): import lines the user's file already has above the block. Anything else
  the snippet needs it must import itself (or carry as a suggestion's `imports`).
- `setup`: Python run first in the problem's temporary working directory, in a namespace of its
  own (creates files, binds the inputs).
- `check`: Python with asserts, run after the snippet. It sees the setup's names, the inputs'
  current values, `result` (see `child.py`), `stdout`, `env` and `result_or(name)` (= `result`
  unless that is None, then the input `name`: accepts both `sorted(xs)` and `xs.sort()`).
- `apis`: what a right answer calls, for the API-hit metric (see `apis.py` for the spelling).
- `reference`: a snippet that passes (tests run every reference against its harness).
- `more` (default []): further cases, each `{"setup": ..., "check": ...}`, run the same way from a
  fresh start; a snippet passes only when it passes them all. A yes/no problem needs one with the
  other answer: with a single input, `s.isdigit()` "checks" whether `s` is valid JSON whenever
  that input happens to be all digits or not, and an answer that ignores its input passes half of
  them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
TEST_FILE = HERE / "problems-test.jsonl"
VALID_FILE = HERE / "problems-valid.jsonl"
SPLITS = {"test": TEST_FILE, "valid": VALID_FILE}
CATEGORIES = (
    "files",
    "strings",
    "regex",
    "dates",
    "collections",
    "json_csv",
    "math",
    "itertools",
    "hashing",
    "random",
    "sorting",
    "containers",
)
_ID = re.compile(r"^(v-)?[a-z_]+-\d{3}$")
_REQUIRED = {"id": str, "category": str, "intent": str, "setup": str, "check": str}


class ProblemError(ValueError):
    """A problem file that does not follow the format above."""


@dataclass(frozen=True)
class Problem:
    """One executable problem (see the module docstring for the fields)."""

    id: str
    category: str
    intent: str
    setup: str
    check: str
    reference: str
    inputs: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    apis: tuple[str, ...] = field(default_factory=tuple)
    more: tuple[tuple[str, str], ...] = ()  # further (setup, check) cases

    def cases(self) -> tuple[tuple[str, str], ...]:
        """Every (setup, check) the snippet must pass, the main one first."""
        return ((self.setup, self.check), *self.more)

    def file_above(self) -> str:
        """The user's file above the block, as the editor would see it: imports, then the
        inputs bound (their values do not matter to a static reader)."""
        lines = [*self.imports, *(f"{name} = ..." for name in self.inputs)]
        return "\n".join(lines) + ("\n" if lines else "")


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProblemError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def parse_problem(record: dict, where: str) -> Problem:
    """A `Problem` from one decoded JSON object; raises `ProblemError` naming `where`."""
    for key, kind in _REQUIRED.items():
        if not isinstance(record.get(key), kind):
            raise ProblemError(f"{where}: `{key}` missing or not a {kind.__name__}")
    if not isinstance(record.get("reference"), str) or not record["reference"].strip():
        raise ProblemError(f"{where}: `reference` missing or empty")
    if not _ID.match(record["id"]):
        raise ProblemError(f"{where}: id {record['id']!r} is not <category>-<nnn>")
    if record["category"] not in CATEGORIES:
        raise ProblemError(f"{where}: unknown category {record['category']!r}")
    apis = _strings(record.get("apis", []), where, "apis")
    if not apis:
        raise ProblemError(f"{where}: `apis` must name at least one API")
    more = record.get("more", [])
    if not isinstance(more, list) or not all(
        isinstance(case, dict)
        and set(case) == {"setup", "check"}
        and all(isinstance(v, str) for v in case.values())
        for case in more
    ):
        raise ProblemError(f"{where}: `more` must be a list of {{setup, check}} strings")
    return Problem(
        id=record["id"],
        category=record["category"],
        intent=record["intent"],
        setup=record["setup"],
        check=record["check"],
        reference=record["reference"],
        inputs=_strings(record.get("inputs", []), where, "inputs"),
        imports=_strings(record.get("imports", []), where, "imports"),
        apis=apis,
        more=tuple((case["setup"], case["check"]) for case in more),
    )


def load_problems(path: Path) -> list[Problem]:
    """Every problem in a JSONL file, in file order; ids must be unique."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ProblemError(f"{where}: not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise ProblemError(f"{where}: not a JSON object")
        problem = parse_problem(record, where)
        if problem.id in seen:
            raise ProblemError(f"{where}: duplicate id {problem.id}")
        seen.add(problem.id)
        problems.append(problem)
    return problems


def load_split(split: str) -> list[Problem]:
    """The shipped `test` or `valid` problems. Only `codeqa-train evaluate` reads `test`."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return load_problems(SPLITS[split])
