"""What the API check's intent rules say against a block, as matcher evidence.

The suggestion side fails a candidate that contradicts its intent in plain ways the matcher's
sub-words miss: it reads where the intent writes (`json.dumps(body)` under "parse the json
string `body`"), never uses the module the intent names ("the sha256 hex digest" answered with
`base64.b64encode`), reads a dict's values for its keys, takes a minimum for a maximum. The same
rules (`intent_conflicts.conflict`: static, no table needed) judge a block the user wrote:
`check_conflict` is 1 when one holds for a short block (at most `MAX_LINES` lines: a long
function does many things its one-line summary never says). On the hand-written validation
blocks it holds for 30 of the 150 wrong ones and none of the right; on the matcher data's
validation true pairs for 1.7–4.1% by source (doc sentences that describe rather than ask,
"Write all items to the file object `f`" over `array.tofile(f)`), so `codeqa-train
fit-combiner --conflict-weights` gives it a fixed weight chosen out of fold under the
false-alarm rule, as the effects'. The check's "uses none of `x`" is left out: on those true
pairs (a doc sentence's `i` or `size` the example never passes) it fired as often as the rest
together. `conflict_reason` says which rule holds, for the diagnostic.
"""

from __future__ import annotations

from functools import lru_cache

from codeqa_model.api_check import declared_types
from codeqa_model.ast_walk import walk
from codeqa_model.intent_conflicts import conflict
from codeqa_model.name_types import name_types
from codeqa_model.pyast import parse_quietly

CONFLICT_FEATURES = ("check_conflict",)
MAX_LINES = 6


@lru_cache(maxsize=4096)
def conflict_reason(intent: str, code: str) -> str | None:
    """Why the block contradicts its intent (one line), or None: also for long blocks and code
    that does not parse."""
    if not intent.strip() or code.strip().count("\n") + 1 > MAX_LINES:
        return None
    tree = parse_quietly(code)
    if tree is None:
        return None
    stated = {**name_types(intent), **declared_types(intent)}
    return conflict(walk(tree), intent, stated)


def conflicts(intent: str, code: str) -> list[float]:
    """`CONFLICT_FEATURES` for one pair."""
    return [0.0 if conflict_reason(intent, code) is None else 1.0]
