"""Diagnostics for open documents: check, publish or answer a pull, fill suggestions, refresh.

A check scores every intent block with code (cheap, batched, cached by the engine) and keeps,
per document, each flagged `IntentBlock` beside the diagnostic published for it, so code
actions and hovers find the block under the cursor without re-reading `diag.range` or
`diag.data`. Suggestions (a beam search each, far dearer than a score) are not waited for:
the first answer carries ``data.suggestion == ""`` and a fill generates them afterwards.

Explanations (why a block looks wrong, `Engine.explain`: a few more matcher calls per block)
and the contexts that suggestions are looked up with (a parse of the text above each block)
wait for the fill too, so the first answer costs only the scores: a 500-block file is
published after one batched scoring. What is already known is used at once: a block whose
(intent, code) was explained for an earlier version keeps its reason, a context whose text was
parsed before is remembered, so an edit re-explains and re-parses only what it changed. Pull
clients that cannot be asked to re-pull get no fill, so their one answer carries it all.

Push clients get one publication as soon as the scores are known and one more once the
reasons and suggestions are in; both carry the version they were computed for and are never
sent for a stale one, and a newer change cancels the work scheduled for an older one. Pull
clients that can be asked to re-pull (``workspace/diagnostic/refresh``) get a refresh when the
fill made something new, and only then, so pulls and refreshes cannot chase each other.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codeqa_model.context import SourceContext
from lsprotocol import types

from codeqa_lsp import convert
from codeqa_lsp.contexts import ContextReader
from codeqa_lsp.intents import IntentBlock, parse_intents, split_lines

if TYPE_CHECKING:
    from codeqa_model.inference import EngineLike, Suggestion

    from codeqa_lsp.server import CodeqaServer

__all__ = ["FILL_DELAY_S", "FILL_LIMIT", "Checked", "DiagnosticsScheduler", "Flagged"]

log = logging.getLogger(__name__)

# Suggestions generated in the background per checked version (the rest on demand, by code
# actions and hover): bounds the CPU an open of a huge, badly matching file costs.
FILL_LIMIT = 64
# Quiet time after publishing the scores before generation starts: while the user types,
# the next change cancels the fill before it occupies the model thread, so re-checks never
# queue behind a beam search.
FILL_DELAY_S = 0.5
# Blocks explained per job on the model thread: a newer change cancels the fill between jobs.
EXPLAIN_BATCH = 16


@dataclass(frozen=True)
class Flagged:
    """A block whose code scored below the threshold, and the diagnostic sent for it."""

    block: IntentBlock
    score: float
    # What the file above the block imports and binds; None until read (by the fill, or by a
    # request for blocks past `FILL_LIMIT`: each costs a parse of the text above it).
    context: SourceContext | None
    suggestion: str  # the top suggestion's code, "" until generated
    diagnostic: types.Diagnostic
    # The engine's explanation (None: it has none); `explained` says whether it was asked yet.
    reason: str | None = None
    explained: bool = False

    def covers(self, line: int) -> bool:
        """Whether ``line`` is the block's intent comment or one of its code lines."""
        return self.block.line <= line < max(self.block.code_lines[1], self.block.line + 1)


@dataclass(frozen=True)
class Checked:
    """One version of a document, checked: its lines and its flagged blocks in file order."""

    version: int | None
    lines: list[str]
    flagged: tuple[Flagged, ...] = ()
    threshold: float = 0.0  # the one the scores were compared with (messages quote it)

    @property
    def diagnostics(self) -> list[types.Diagnostic]:
        return [f.diagnostic for f in self.flagged]

    @property
    def needs_suggestions(self) -> bool:
        return any(not f.suggestion for f in self.flagged)

    @property
    def needs_fill(self) -> bool:
        """Suggestions missing, or explanations the fill would give (its first `FILL_LIMIT`)."""
        return self.needs_suggestions or any(not f.explained for f in self.flagged[:FILL_LIMIT])

    def covering(self, first: int, last: int) -> list[Flagged]:
        """Flagged blocks with a line in [first, last] (an editor's selection or cursor)."""
        return [f for f in self.flagged if any(f.covers(n) for n in range(first, last + 1))]


class DiagnosticsScheduler:
    """Per-document check results and the background work (push, fill, refresh) behind them."""

    def __init__(self, ls: CodeqaServer) -> None:
        self.ls = ls
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.results: dict[str, Checked] = {}
        self.contexts = ContextReader()
        # Every wait goes through here, so tests can hold or skip them instead of the clock.
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.fill_delay_s = FILL_DELAY_S

    # ------------------------------------------------------------ checking

    async def check(self, uri: str, bounded: bool, complete: bool = False) -> Checked | None:
        """Check the document's current version; None when it is not open.

        ``bounded`` waits for a loading model only up to the host's limit (requests); else
        without a bound (background work). Without a model the result flags nothing.
        ``complete`` reads the contexts and reasons now, for a caller that no fill follows.
        """
        doc = self.ls.document(uri)
        if doc is None:
            return None
        version, lines = doc.version, split_lines(doc.source)
        if not self.ls.settings.diagnostics_enable:
            return Checked(version, lines)
        host = self.ls.host
        engine = await (host.engine() if bounded else host.wait_loaded())
        if engine is None:
            return Checked(version, lines)  # not kept: the model may be ready next time
        threshold = self.ls.threshold(engine)
        known = self._known_reasons(uri)
        flagged = await self._flag(engine, lines, threshold, known, complete)
        checked = Checked(version, lines, flagged, threshold)
        self._keep(uri, checked)
        return checked

    def _known_reasons(self, uri: str) -> dict[tuple[str, str], str | None]:
        """Reasons already given for this document's blocks, by (intent, code)."""
        kept = self.results.get(uri)
        if kept is None:
            return {}
        return {(f.block.intent, f.block.code): f.reason for f in kept.flagged if f.explained}

    async def current(self, uri: str) -> Checked | None:
        """The check of the document's current version: kept from before, or made now."""
        doc = self.ls.document(uri)
        if doc is None:
            return None
        kept = self.results.get(uri)
        if kept is not None and kept.version == doc.version:
            return kept
        return await self.check(uri, bounded=True)

    async def _flag(
        self,
        engine: EngineLike,
        lines: list[str],
        threshold: float,
        known: dict[tuple[str, str], str | None],
        complete: bool,
    ) -> tuple[Flagged, ...]:
        blocks = [block for block in parse_intents(lines) if block.has_code]
        if not blocks:
            return ()
        scores = await self.ls.host.score(engine, [(b.intent, b.code) for b in blocks])
        low = [(b, s) for b, s in zip(blocks, scores, strict=True) if s < threshold]
        if not low:
            return ()
        # A context parses up to `WINDOW` lines above its block (a 500-block file: about
        # 15 ms each, more than the scores), so unless no fill follows only remembered ones
        # are read here: unchanged text above a block after an edit, or a re-pull after the
        # fill. The fill parses the rest; a block past `FILL_LIMIT` gets its context when a
        # request needs it.
        read = self.contexts.above_each if complete else self.contexts.remembered
        contexts: list[SourceContext | None] = list(
            await asyncio.to_thread(read, lines, [b.line for b, _ in low[:FILL_LIMIT]])
        )
        contexts += [None] * (len(low) - len(contexts))
        keys = [(b.intent, b.code) for b, _ in low]
        if complete:  # the same bound as the fill's
            todo = [key for key in keys[:FILL_LIMIT] if key not in known]
            given = await self.ls.host.explain(engine, todo)
            known = {**known, **dict(zip(todo, given, strict=True))}
        flagged = []
        k = self.ls.settings.suggestions
        for (block, score), context, key in zip(low, contexts, keys, strict=True):
            top = (
                engine.cached_suggestions(block.intent, k, context) if context is not None else None
            )
            best = convert.usable(top)
            suggestion = best.code if best else ""
            reason = known.get(key)
            diag = convert.diagnostic(
                block, score, threshold, suggestion, lines, self.ls.encoding, reason
            )
            flagged.append(Flagged(block, score, context, suggestion, diag, reason, key in known))
        return tuple(flagged)

    def _keep(self, uri: str, checked: Checked) -> None:
        kept = self.results.get(uri)
        if kept is None or checked.version is None or (kept.version or 0) <= checked.version:
            self.results[uri] = checked

    async def top_suggestion(
        self, engine: EngineLike, flagged: Flagged, lines: Sequence[str]
    ) -> Suggestion | None:
        """The block's best usable suggestion (generated now if the fill has not reached it)."""
        context = flagged.context
        if context is None:
            context = self.contexts.above(lines, flagged.block.line)
        k = self.ls.settings.suggestions
        found = await self.ls.host.suggest(engine, flagged.block.intent, k, context)
        return convert.usable(found)

    async def fill(self, checked: Checked) -> Checked | None:
        """``checked`` with the missing contexts, reasons and suggestions of its first
        `FILL_LIMIT` blocks, or None when nothing was missing or the model is not loaded.

        Contexts, then reasons (`EXPLAIN_BATCH` blocks per job), then suggestions one intent
        at a time, so a newer change cancels it within one generation.
        """
        engine = await self.ls.host.engine(wait=False)
        if engine is None or not checked.needs_fill:
            return None
        explained = list(checked.flagged)
        unread = [i for i, f in enumerate(explained[:FILL_LIMIT]) if f.context is None]
        contexts = await asyncio.to_thread(
            self.contexts.above_each, checked.lines, [explained[i].block.line for i in unread]
        )
        for i, context in zip(unread, contexts, strict=True):
            explained[i] = dataclasses.replace(explained[i], context=context)
        todo = [i for i, f in enumerate(explained[:FILL_LIMIT]) if not f.explained]
        for start in range(0, len(todo), EXPLAIN_BATCH):
            batch = todo[start : start + EXPLAIN_BATCH]
            pairs = [(explained[i].block.intent, explained[i].block.code) for i in batch]
            reasons = await self.ls.host.explain(engine, pairs)
            for i, reason in zip(batch, reasons, strict=True):
                explained[i] = self._with_reason(checked, explained[i], reason)
        filled: list[Flagged] = []
        generated = 0
        for flagged in explained:
            if not flagged.suggestion and flagged.context is not None:
                k = self.ls.settings.suggestions
                top = engine.cached_suggestions(flagged.block.intent, k, flagged.context)
                best = convert.usable(top)
                if not top and generated < FILL_LIMIT:
                    generated += 1  # only real generations count; repeated intents are free
                    best = await self.top_suggestion(engine, flagged, checked.lines)
                if best is not None:
                    flagged = _with_suggestion(flagged, best.code)
            filled.append(flagged)
        return dataclasses.replace(checked, flagged=tuple(filled))

    def _with_reason(self, checked: Checked, flagged: Flagged, reason: str | None) -> Flagged:
        """``flagged`` explained: its message says ``reason`` (a new diagnostic object; the
        published one stays as it was sent)."""
        block = flagged.block
        diag = convert.diagnostic(
            block,
            flagged.score,
            checked.threshold,
            flagged.suggestion,
            checked.lines,
            self.ls.encoding,
            reason,
        )
        return dataclasses.replace(flagged, diagnostic=diag, reason=reason, explained=True)

    # ------------------------------------------------------------ push

    def schedule(self, uri: str) -> None:
        """After a change: cancel older work for ``uri``; push clients get a debounced check.

        Pull clients get nothing pushed, but the change still cancels a fill scheduled for
        the document's older version.
        """
        self.cancel(uri)
        if not self.ls.pull_mode:
            self._track(uri, self._publish_later(uri))

    async def _publish_later(self, uri: str) -> None:
        await self.pause(self.ls.settings.debounce_ms / 1000)
        checked = await self.check(uri, bounded=False)
        if checked is None or not self._publish_if_current(uri, checked):
            return
        await self.pause(self.fill_delay_s)
        filled = await self.fill(checked)
        if filled is not None and self._publish_if_current(uri, filled):
            self._keep(uri, filled)

    def _publish_if_current(self, uri: str, checked: Checked) -> bool:
        current = self.ls.document(uri)
        if current is None or current.version != checked.version:
            return False  # stale: a newer change has its own task
        self.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=checked.version, diagnostics=checked.diagnostics
            )
        )
        return True

    # ------------------------------------------------------------ pull

    async def answer_pull(self, uri: str) -> list[types.Diagnostic]:
        """A ``textDocument/diagnostic`` answer; schedules a fill and refresh when useful.

        Clients that cannot be asked to re-pull get an answer once the model is loaded (the
        request is background work for them), with the reasons in it since no fill follows;
        the others get a bounded wait, and the reasons with the refresh.
        """
        refresh = self.ls.can_refresh
        checked = await self.check(uri, bounded=refresh, complete=not refresh)
        if checked is None:
            return []
        if refresh and checked.needs_fill:
            self.cancel(uri)
            self._track(uri, self._fill_then_refresh(uri, checked))
        return checked.diagnostics

    async def _fill_then_refresh(self, uri: str, checked: Checked) -> None:
        await self.pause(self.fill_delay_s)
        filled = await self.fill(checked)
        if filled is None:
            return
        self._keep(uri, filled)
        if any(
            (not old.suggestion and new.suggestion) or (not old.reason and new.reason)
            for old, new in zip(checked.flagged, filled.flagged, strict=True)
        ):
            self.ls.workspace_diagnostic_refresh(None)

    # ------------------------------------------------------------ everything

    def refresh_all(self) -> None:
        """Recompute diagnostics everywhere after the model or the settings changed."""
        self.results.clear()  # checked with the old model or settings
        if self.ls.pull_mode:
            if self.ls.can_refresh:
                self.ls.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.ls.workspace.text_documents):
            self.schedule(uri)

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def forget(self, uri: str) -> None:
        """The document was closed: stop its work and drop what was kept for it."""
        self.cancel(uri)
        self.results.pop(uri, None)

    def cancel_all(self) -> None:
        for uri in list(self.pending):
            self.cancel(uri)

    async def drain(self) -> None:
        """Wait until no background work is scheduled (what tests wait on, not the clock)."""
        while live := [task for task in self.pending.values() if not task.done()]:
            await asyncio.gather(*live, return_exceptions=True)

    def _track(self, uri: str, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.pending[uri] = task
        task.add_done_callback(lambda done: self._forget_task(uri, done))

    def _forget_task(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and task.exception() is not None:
            log.error("diagnostics for %s failed", uri, exc_info=task.exception())


def _with_suggestion(flagged: Flagged, code: str) -> Flagged:
    diag = copy.copy(flagged.diagnostic)  # the published one stays as it was sent
    diag.data = {**flagged.diagnostic.data, "suggestion": code}
    return dataclasses.replace(flagged, suggestion=code, diagnostic=diag)
