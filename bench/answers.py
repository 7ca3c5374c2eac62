"""What the engine answers, written down, so a speed change can prove it changed nothing else.

A speed change must keep every answer: the same suggestions in the same order (code, imports,
problem, slot spans), every score within `TOLERANCE`, the same explanations. This records them
for a fixed workload on a freshly loaded engine and compares two recordings:

    .venv/bin/python -m bench.answers --out runs/speed/before.json            # on the old code
    .venv/bin/python -m bench.answers --out runs/speed/after.json --against runs/speed/before.json

The workload: `--intents` distinct CoNaLa test intents suggested for (k=5; every fourth one
with a file context that imports and binds names), `--pairs` distinct pairs scored
(`bench.engine_speed.score_pairs`, the same pairs the throughput figure uses) plus every block
of the hand-written mismatch fixture (multi-line, inside functions), and an explanation for each
fixture block and for `--explain` of the mismatched pairs. Exit status 1 when `--against` finds
a difference; the first differences are printed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.engine_speed import score_pairs
from bench.workload import CONALA_TEST, DistinctIntents, load_pairs

__all__ = ["TOLERANCE", "compare", "largest_differences", "record"]

TOLERANCE = 1e-5
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mismatch"
CONTEXT_SOURCE = "import os\nimport numpy as np\nfrom pathlib import Path\n\nrows = []\ntext = ''\n"


def fixture_pairs() -> list[tuple[str, str]]:
    """(intent, code) of every block in the mismatch fixture files, in file order."""
    from codeqa_lsp.intents import parse_intents, split_lines

    out: list[tuple[str, str]] = []
    for name in ("right_blocks.py", "wrong_blocks.py"):
        lines = split_lines((FIXTURES / name).read_text(encoding="utf-8"))
        out += [(b.intent, b.code) for b in parse_intents(lines) if b.has_code]
    return out


def record(
    bundle: Path | None, conala: Path, n_intents: int, n_pairs: int, n_explain: int
) -> dict[str, Any]:
    """Every answer of the workload, as plain JSON (plus the seconds each part took)."""
    from codeqa_model.context import SourceContext
    from codeqa_model.inference import Engine

    engine = Engine.load(bundle, threads=1)
    pairs = load_pairs(conala)
    intents = DistinctIntents(pairs)
    context = SourceContext.from_source(CONTEXT_SOURCE)
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    suggested = []
    for i in range(n_intents):
        ctx = context if i % 4 == 3 else None
        found = engine.suggest(intents[i], 5, ctx)
        suggested.append(
            {
                "intent": intents[i],
                "context": ctx is not None,
                "suggestions": [
                    {
                        "code": s.code,
                        "score": s.score,
                        "imports": list(s.imports),
                        "problem": s.problem,
                        "slot_spans": [list(span) for span in s.slot_spans],
                    }
                    for s in found
                ],
            }
        )
    seconds["suggest"] = time.perf_counter() - start

    scored_pairs = score_pairs(pairs, intents, n_pairs) + fixture_pairs()
    start = time.perf_counter()
    scores = engine.score(scored_pairs)
    seconds["score"] = time.perf_counter() - start

    explained_pairs = fixture_pairs() + scored_pairs[1 : 2 * n_explain : 2]
    start = time.perf_counter()
    reasons = [engine.explain(intent, code) for intent, code in explained_pairs]
    seconds["explain"] = time.perf_counter() - start
    return {
        "suggest": suggested,
        "score": [[i, c, s] for (i, c), s in zip(scored_pairs, scores, strict=True)],
        "explain": [[i, c, r] for (i, c), r in zip(explained_pairs, reasons, strict=True)],
        "seconds": seconds,
    }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every difference between two recordings that a speed change must not make."""
    found: list[str] = []
    if len(old["suggest"]) != len(new["suggest"]):
        found.append(f"suggest: {len(old['suggest'])} intents vs {len(new['suggest'])}")
    for a, b in zip(old["suggest"], new["suggest"], strict=False):
        if a["intent"] != b["intent"] or a["context"] != b["context"]:
            found.append(f"suggest: different workload at {a['intent']!r} / {b['intent']!r}")
            continue
        sa, sb = a["suggestions"], b["suggestions"]
        same = len(sa) == len(sb) and all(
            x["code"] == y["code"]
            and x["imports"] == y["imports"]
            and x["problem"] == y["problem"]
            and x["slot_spans"] == y["slot_spans"]
            and _close(x["score"], y["score"])
            for x, y in zip(sa, sb, strict=True)
        )
        if not same:
            found.append(
                f"suggest {a['intent']!r}: "
                f"{[(x['code'], round(x['score'], 6)) for x in sa]} vs "
                f"{[(y['code'], round(y['score'], 6)) for y in sb]}"
            )
    for key in ("score", "explain"):
        if len(old[key]) != len(new[key]):
            found.append(f"{key}: {len(old[key])} answers vs {len(new[key])}")
    for (i, c, x), (j, d, y) in zip(old["score"], new["score"], strict=False):
        if (i, c) != (j, d) or not _close(x, y):
            found.append(f"score {i!r} / {c!r}: {x} vs {y}")
    for (i, c, x), (j, d, y) in zip(old["explain"], new["explain"], strict=False):
        if (i, c) != (j, d) or x != y:
            found.append(f"explain {i!r} / {c!r}: {x!r} vs {y!r}")
    return found


def largest_differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, float]:
    """The largest |score difference| between two recordings: over suggestions (matched by
    intent and code) and over scored pairs; what `TOLERANCE` is checked against."""
    suggest = 0.0
    for a, b in zip(old["suggest"], new["suggest"], strict=False):
        mine = {s["code"]: s["score"] for s in b["suggestions"]}
        for s in a["suggestions"]:
            if s["code"] in mine:
                suggest = max(suggest, abs(s["score"] - mine[s["code"]]))
    score = max(
        (abs(x - y) for (_i, _c, x), (_j, _d, y) in zip(old["score"], new["score"], strict=False)),
        default=0.0,
    )
    return {"suggest": suggest, "score": score}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the answers")
    parser.add_argument("--against", type=Path, default=None, help="an earlier recording")
    parser.add_argument("--model", type=Path, default=None, help="bundle dir (default: shipped)")
    parser.add_argument("--conala", type=Path, default=CONALA_TEST, help="CoNaLa test JSON")
    parser.add_argument("--intents", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=1_000)
    parser.add_argument("--explain", type=int, default=100)
    args = parser.parse_args(argv)
    answers = record(args.model, args.conala, args.intents, args.pairs, args.explain)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(answers, indent=1), encoding="utf-8")
    counts = {k: len(answers[k]) for k in ("suggest", "score", "explain")}
    took = ", ".join(f"{k} {v:.2f} s" for k, v in answers["seconds"].items())
    print(f"recorded {counts} in {args.out} ({took})")
    if args.against is None:
        return 0
    old = json.loads(args.against.read_text(encoding="utf-8"))
    differences = compare(old, answers)
    for line in differences[:20]:
        print(line)
    largest = largest_differences(old, answers)
    print(f"largest score difference: suggestions {largest['suggest']:.3g}, ", end="")
    print(f"scored pairs {largest['score']:.3g} (tolerance {TOLERANCE:g})")
    print(f"{len(differences)} difference(s) from {args.against}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
