"""The ``codeqa-lsp`` command line: run the server, or ``suggest`` / ``check`` from a shell.

Exit status: 0 ok, 1 when ``check`` finds a mismatch, 2 on usage errors and on files or
models that could not be read. Logs never go to stdout (stdout is the protocol, or the
command's output). The model's modules (numpy, the bundle's arrays) are imported only when a
command needs them, so ``--help`` and ``--version`` are instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from codeqa_lsp import __version__

if TYPE_CHECKING:
    from codeqa_model.inference import EngineLike, Suggestion

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codeqa-lsp",
        description="Offline language server: plain-English `# intent:` comments to Python code, "
        "and a check that code matches its intent.",
    )
    parser.add_argument("--version", action="version", version=f"codeqa-lsp {__version__}")
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="serve LSP on stdin/stdout")
    transport.add_argument("--tcp", action="store_true", help="serve LSP on a TCP socket")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default %(default)s)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default %(default)s)")
    parser.add_argument(
        "--clientProcessId", dest="client_process_id", type=int, help=argparse.SUPPRESS
    )
    _add_model_options(parser)
    parser.add_argument("--log-file", type=Path, help="write logs here instead of stderr")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="codeqa's log level (default %(default)s; pygls stays at WARNING)",
    )

    commands = parser.add_subparsers(dest="command", metavar="{suggest,check}")
    suggest = commands.add_parser("suggest", help="print code suggestions for intents")
    suggest.add_argument("intent", nargs="?", help="the intent, in plain English")
    suggest.add_argument("--file", type=Path, help="one intent per line ('-' for stdin)")
    suggest.add_argument("-k", type=int, default=5, help="suggestions per intent (1-20)")
    suggest.add_argument("--format", choices=["text", "json"], default="text")
    _add_model_options(suggest)

    check = commands.add_parser("check", help="score every intent block; exit 1 on a mismatch")
    check.add_argument("paths", nargs="+", help="Python files or directories")
    check.add_argument("--threshold", type=float, help="default: the model's calibrated one")
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_model_options(check)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default=argparse.SUPPRESS,
        help="bundle directory or user bundle name (default: the shipped bundle)",
    )


def _configure_logging(log_file: Path | None, level: str) -> None:
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file is not None
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pygls").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    # Candidates are parsed to be checked, never run; a SyntaxWarning about one ("invalid escape
    # sequence") is noise on the editor's stderr, not a fault of the user's file.
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    parser = build_parser()
    args = parser.parse_args(argv)
    model: str | None = getattr(args, "model", None)
    try:
        _configure_logging(args.log_file, args.log_level)
    except OSError as exc:
        parser.error(f"--log-file {args.log_file}: {exc.strerror or exc}")
    if args.command == "suggest":
        return _suggest(parser, args, model)
    if args.command == "check":
        return _check(parser, args, model)
    if not (args.stdio or args.tcp):
        parser.error("choose a transport (--stdio or --tcp) or a command (suggest, check)")
    return _serve(args, model)


def _serve(args: argparse.Namespace, model: str | None) -> int:
    from codeqa_lsp.server import create_server

    server = create_server(model_path=model)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return EXIT_OK


def _load(model: str | None) -> EngineLike | None:
    from codeqa_lsp.model_host import load_engine

    try:
        return load_engine(model)
    except Exception as exc:
        print(f"codeqa-lsp: could not load the model: {exc}", file=sys.stderr)
        return None


def _read_intents(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    if args.file is not None and args.intent is not None:
        parser.error("give an intent or --file, not both")
    if args.file is None:
        if not args.intent or not args.intent.strip():
            parser.error("give an intent (in quotes) or --file F")
        return [args.intent.strip()]
    try:
        raw = sys.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"--file {args.file}: {getattr(exc, 'strerror', None) or exc}")
    intents = [line.strip() for line in raw.splitlines() if line.strip()]
    if not intents:
        parser.error(f"--file {args.file}: no intents in it (one per line)")
    return intents


def _suggest(parser: argparse.ArgumentParser, args: argparse.Namespace, model: str | None) -> int:
    if not 1 <= args.k <= 20:
        parser.error(f"-k must be from 1 to 20, got {args.k}")
    intents = _read_intents(parser, args)
    engine = _load(model)
    if engine is None:
        return EXIT_USAGE
    batch = getattr(engine, "suggest_many", None)
    answers = (
        batch(intents, args.k) if batch else [engine.suggest(intent, args.k) for intent in intents]
    )
    out = sys.stdout
    if args.format == "json":
        records = [
            {"intent": intent, "suggestions": [{"code": s.code, "score": s.score} for s in found]}
            for intent, found in zip(intents, answers, strict=True)
        ]
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    for intent, found in zip(intents, answers, strict=True):
        _print_suggestions(out, intent, found)
    return EXIT_OK


def _print_suggestions(out: TextIO, intent: str, found: Sequence[Suggestion]) -> None:
    out.write(f"# intent: {intent}\n")
    if not found:
        out.write("  (no suggestion)\n")
    for rank, suggestion in enumerate(found, 1):
        body = suggestion.code.replace("\n", "\n" + " " * 11)
        out.write(f"  {rank:>2}. {suggestion.score:.2f}  {body}\n")


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace, model: str | None) -> int:
    from codeqa_lsp.check import check_sources, expand_paths, has_scored_blocks, read_sources

    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        parser.error(f"--threshold must be from 0 to 1, got {args.threshold}")
    sources, errors = read_sources(expand_paths(args.paths))
    for error in errors:
        print(f"codeqa-lsp: {error}", file=sys.stderr)
    results = []
    threshold = args.threshold if args.threshold is not None else 0.0
    # Files without intent blocks (most files in a pre-commit run) never load the model.
    if has_scored_blocks(sources):
        engine = _load(model)
        if engine is None:
            return EXIT_USAGE
        threshold = args.threshold if args.threshold is not None else engine.threshold
        results = check_sources(sources, engine, threshold)
    if args.format == "json":
        json.dump([r.as_json() for r in results], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for result in results:
            if result.mismatch:
                print(result.as_text(threshold))
        mismatches = sum(r.mismatch for r in results)
        print(
            f"{len(results)} intent block(s) checked in {len(sources)} file(s), "
            f"{mismatches} mismatch(es)",
            file=sys.stderr,
        )
    if errors:
        return EXIT_USAGE
    return EXIT_MISMATCH if any(r.mismatch for r in results) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
