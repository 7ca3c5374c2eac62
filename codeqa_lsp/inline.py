"""Ghost text: LSP 3.18 ``textDocument/inlineCompletion`` on the empty line under an intent.

The top suggestion is offered as one inline item that replaces the site line from column 0
(the same text a completion item's edit inserts, see `completion`), so the editor shows the
code after the cursor as ghost text and its accept key (Tab in VS Code) inserts it at the
intent's indentation. Imports the code needs are added after acceptance by the item's
command (`IMPORTS_COMMAND`), which answers with a ``workspace/applyEdit``.

Settings (`settings.Settings`): ``inline.enable``; ``inline.delayMs``, a quiet time before
an automatic request runs the model (a request cancelled meanwhile costs nothing); and
``inline.manualOnly``, which answers only explicitly invoked requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from codeqa_lsp import completion, convert
from codeqa_lsp.intents import CompletionSite, completion_site, split_lines
from codeqa_lsp.settings import Settings

if TYPE_CHECKING:  # the type only: importing the engine module would load the model's code
    from codeqa_model.inference import Suggestion

__all__ = [
    "IMPORTS_COMMAND",
    "answer",
    "delay_s",
    "imports_edit",
    "inline_item",
    "inline_site",
    "wanted",
]

IMPORTS_COMMAND = "codeqa.insertImports"


def wanted(settings: Settings, context: types.InlineCompletionContext | None) -> bool:
    """Whether to answer at all: enabled, and invoked by hand when manual-only is set."""
    if not settings.inline_enable:
        return False
    invoked = (
        context is not None and context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
    )
    return invoked or not settings.inline_manual_only


def delay_s(settings: Settings, context: types.InlineCompletionContext | None) -> float:
    """Seconds to wait before an automatic request asks the model (0 when invoked by hand)."""
    if context is not None and context.trigger_kind == types.InlineCompletionTriggerKind.Invoked:
        return 0.0
    return settings.inline_delay_ms / 1000


def inline_site(lines: Sequence[str], line: int, column: int) -> CompletionSite | None:
    """The completion site at the cursor when it is the empty line under an intent, else None."""
    site = completion_site(lines, line, column)
    if site is None or site.new_line_first:
        return None
    return site


def inline_item(
    uri: str,
    suggestion: Suggestion,
    site: CompletionSite,
    lines: Sequence[str],
    encoding: str,
) -> types.InlineCompletionItem:
    """The suggestion as ghost text: the site line from column 0, code at the intent's indent.

    The range stays on the site line (LSP requires it) and starts at column 0, so what is
    already typed there (the indentation) is a prefix of the text, as editors require for
    ghost text. Missing imports ride on the item's command.
    """
    line_text = lines[site.line]
    typed = line_text[: site.start]
    lead = site.indent[len(site.typed_indent) :]
    text = typed + lead + completion.indent_code(suggestion.code, site.indent)
    needed = completion.missing_imports(getattr(suggestion, "imports", ()), lines)
    command = None
    if needed:
        command = types.Command(
            title="Add imports", command=IMPORTS_COMMAND, arguments=[uri, needed]
        )
    return types.InlineCompletionItem(
        insert_text=text,
        range=convert._range(lines, (site.line, 0), (site.line, len(line_text)), encoding),
        command=command,
    )


def imports_edit(
    uri: str, statements: Sequence[str], lines: Sequence[str], encoding: str
) -> types.WorkspaceEdit | None:
    """The edit adding those of ``statements`` the file still lacks after its leading imports."""
    edits = convert.import_edits(lines, statements, encoding)
    return types.WorkspaceEdit(changes={uri: edits}) if edits else None


Suggest = Callable[[CompletionSite, Sequence[str]], Awaitable[Sequence[Any]]]


async def answer(
    settings: Settings,
    params: types.InlineCompletionParams,
    source: Callable[[], str | None],
    encoding: str,
    suggest: Suggest,
) -> types.InlineCompletionList | None:
    """The handler's logic, given the document's current text and a way to get suggestions.

    ``source`` is read after the delay, so a request made while the user kept typing
    answers for what is on screen now (or not at all, if the site is gone).
    """
    if not wanted(settings, params.context):
        return None
    wait = delay_s(settings, params.context)
    if wait > 0:
        await asyncio.sleep(wait)  # a $/cancelRequest meanwhile ends the request here
    text = source()
    if text is None:
        return None
    lines = split_lines(text)
    line = params.position.line
    if not 0 <= line < len(lines):
        return None
    column = convert.server_column(lines[line], params.position.character, encoding)
    site = inline_site(lines, line, column)
    if site is None:
        return None
    best = convert.usable(await suggest(site, lines))
    if best is None:
        return None
    item = inline_item(params.text_document.uri, best, site, lines, encoding)
    return types.InlineCompletionList(items=[item])
