"""``python -m codeqa_lsp.demo [FILE] [--model M]``: what ``./dev demo`` runs.

Loads the shipped model once, then shows the two command-line jobs on the example file:
``check`` (every intent block scored, mismatches flagged with a suggestion) and ``suggest``
(code for the intents that have none yet, and for a few typed-in ones).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from codeqa_lsp.check import SourceError, check_source, read_source
from codeqa_lsp.intents import parse_intents
from codeqa_lsp.model_host import load_engine

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "demo.py"
TYPED_INTENTS = (
    "copy file `src` to `dst`",
    "reverse list `xs`",
    "check if string 'abc' contains only digits",
)


def _rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeqa_lsp.demo", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--model", help="bundle directory or name (default: the shipped one)")
    args = parser.parse_args(argv)
    path: Path = args.file
    try:
        text = read_source(path)
    except SourceError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2

    _rule(f"loading the model {args.model or '(shipped bundle)'}")
    start = time.perf_counter()
    try:
        engine = load_engine(args.model)
    except Exception as exc:
        print(f"demo: could not load the model: {exc}", file=sys.stderr)
        return 2
    print(f"loaded in {time.perf_counter() - start:.1f} s; threshold {engine.threshold:.2f}")

    _rule(f"codeqa-lsp check {path.name}")
    start = time.perf_counter()
    results = check_source(str(path), text, engine, engine.threshold)
    for result in results:
        mark = "MISMATCH" if result.mismatch else "ok      "
        print(f"{mark} line {result.line:>3}  score {result.score:.2f}  {result.intent}")
        if result.mismatch:
            print(f"         code:       {result.code.splitlines()[0]}")
            print(f"         suggestion: {result.suggestion.replace(chr(10), ' ⏎ ')}")
    print(f"({len(results)} blocks in {time.perf_counter() - start:.2f} s)")

    _rule("codeqa-lsp suggest, for intents without code and a few typed ones")
    open_intents = [b.intent for b in parse_intents(text) if not b.has_code]
    for intent in [*open_intents, *TYPED_INTENTS]:
        start = time.perf_counter()
        suggestions = engine.suggest(intent, 3)
        elapsed = time.perf_counter() - start
        print(f"# intent: {intent}   ({elapsed:.2f} s)")
        for rank, suggestion in enumerate(suggestions, 1):
            code = suggestion.code.replace("\n", "\n" + " " * 13)
            print(f"  {rank}. {suggestion.score:.2f}  {code}")
        if not suggestions:
            print("  (no suggestion)")

    _rule("in an editor")
    print("codeqa-lsp --stdio   # the server; settings and clients: docs/SETTINGS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
