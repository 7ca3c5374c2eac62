"""`codeqa-lsp check`'s core: files → one `CheckResult` per intent block with code.

Kept apart from the argument parsing so the demo and the tests call the same code. Reads
files strictly as UTF-8: a file that is not gets a `SourceError` naming it, and the
caller carries on with the others (pre-commit passes many files at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeqa_lsp.contexts import ContextReader
from codeqa_lsp.convert import usable
from codeqa_lsp.intents import parse_intents, split_lines
from codeqa_lsp.model_host import explanation

if TYPE_CHECKING:
    from codeqa_model.inference import EngineLike

__all__ = [
    "CheckResult",
    "SourceError",
    "check_source",
    "check_sources",
    "expand_paths",
    "has_scored_blocks",
    "read_source",
    "read_sources",
]

_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build"}


class SourceError(Exception):
    """A path that cannot be checked (missing, unreadable, not UTF-8); the message names it."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One scored intent block. ``line``/``column`` are 1-based, of the intent comment."""

    path: str
    line: int
    column: int
    intent: str
    code: str
    score: float
    mismatch: bool
    suggestion: str
    reason: str | None = None  # why a mismatch looks wrong, where the engine can say

    def as_json(self) -> dict[str, Any]:
        """The documented JSON object (``column`` is in the text output only)."""
        record = asdict(self)
        del record["column"]
        return record

    def as_text(self, threshold: float) -> str:
        """A linter line: ``path:line:col: message``."""
        verdict = "code may not match its intent" if self.mismatch else "ok"
        text = (
            f"{self.path}:{self.line}:{self.column}: {verdict}: "
            f"match score {self.score:.2f} (threshold {threshold:.2f}) for intent "
            f"{_short(self.intent)!r}"
        )
        if self.mismatch and self.reason:
            text += f" ({self.reason})"
        if self.mismatch and self.suggestion:
            text += f"; suggestion: {_short(self.suggestion)}"
        return text


def _short(text: str, limit: int = 80) -> str:
    one_line = " ⏎ ".join(part.strip() for part in text.strip().splitlines())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def expand_paths(paths: Iterable[str]) -> list[Path]:
    """Files as given, plus every ``*.py`` under given directories (sorted, VCS/venvs skipped)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*.py")):
                if not _SKIP_DIRS.intersection(child.relative_to(path).parts[:-1]):
                    found.append(child)
        else:
            found.append(path)
    return found


def read_source(path: Path) -> str:
    """The file's text, or a `SourceError` that says which file and what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "skipped"
        ) from None


def check_source(
    label: str,
    text: str,
    engine: EngineLike,
    threshold: float,
    k: int = 5,
) -> list[CheckResult]:
    """Score every intent block with code in ``text``, in file order.

    The suggestion (the engine's best for the intent, given what the file above it imports)
    and the reason (the engine's explanation, as the editor's diagnostic gives it) are computed
    for mismatches only — generating is far slower than scoring — and are ``""`` and None for
    blocks that match.
    """
    lines = split_lines(text)
    blocks = [block for block in parse_intents(lines) if block.has_code]
    if not blocks:
        return []
    scores = engine.score([(b.intent, b.code) for b in blocks])
    low = [b.line for b, s in zip(blocks, scores, strict=True) if s < threshold]
    contexts = dict(zip(low, ContextReader().above_each(lines, low), strict=True))
    explain = getattr(engine, "explain", None)  # test doubles and older engines have none
    results: list[CheckResult] = []
    for block, score in zip(blocks, scores, strict=True):
        mismatch = score < threshold
        suggestion, reason = "", None
        if mismatch:
            best = usable(engine.suggest(block.intent, k, contexts[block.line]))
            suggestion = best.code if best else ""
            reason = explanation(explain, block.intent, block.code) if explain else None
        results.append(
            CheckResult(
                path=label,
                line=block.line + 1,
                column=len(block.indent) + 1,
                intent=block.intent,
                code=block.code,
                score=float(score),
                mismatch=mismatch,
                suggestion=suggestion,
                reason=reason,
            )
        )
    return results


def read_sources(paths: Sequence[Path]) -> tuple[list[tuple[Path, str]], list[SourceError]]:
    """Read every path; unreadable ones come back as errors so the rest are still checked."""
    sources: list[tuple[Path, str]] = []
    errors: list[SourceError] = []
    for path in paths:
        try:
            sources.append((path, read_source(path)))
        except SourceError as exc:
            errors.append(exc)
    return sources, errors


def has_scored_blocks(sources: Sequence[tuple[Path, str]]) -> bool:
    """Whether any source has an intent block with code (else the model need not load)."""
    return any(block.has_code for _, text in sources for block in parse_intents(text))


def check_sources(
    sources: Sequence[tuple[Path, str]], engine: EngineLike, threshold: float
) -> list[CheckResult]:
    """`check_source` over every (path, text), in the order given."""
    results: list[CheckResult] = []
    for path, text in sources:
        results.extend(check_source(str(path), text, engine, threshold))
    return results
