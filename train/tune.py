"""`codeqa-train tune`: choose every knob the bundle ships by measuring on validation splits.

Knobs: the generator's `beam_size`, `length_penalty` and `no_repeat_ngram`, the engine's
`rerank_weight`, and the matcher's `threshold`. Nothing here reads a test split.

The sweep goes through the `Engine` the server uses, built from a temporary bundle that `export`
writes from the two runs, with each setting put into the bundle config the way a shipped bundle
carries it. So every candidate source, ranking and check the engine has is part of what is
measured, and nothing of it is re-implemented here. Beams (per generator setting), matcher
scores and API-check verdicts are cached, so sweeping the rerank weight costs only ranking.

- Generator knobs, one at a time (coordinate-wise, the others at their current choice): each
  setting scores its best objective over the rerank-weight grid. The objective is the mean of two
  validation figures of the top suggestion, so no one benchmark decides: CoNaLa BLEU on
  `generator/valid.jsonl` (`--valid-source` rows; Stack Overflow intents) and pass@1 ×100 on the
  executable set's VALIDATION problems (everyday intents, run in the sandbox; `--no-exec` leaves
  BLEU alone). BLEU alone rewards echoing CoNaLa's style: it switched retrieval off, which
  halves what the everyday problems pass.
  When the best value is at an end of its grid, the grid grows a step past it (`--extend`).
  The pass repeats from its own choices (`--sweeps`, default 2) until one changes nothing.
- Rerank weight: the best on the chosen generator setting. Ties keep the run's own value if it
  is among them, else the first in the grid.
- Threshold: the matcher probability below which `--false-alarm-rate` of the true pairs of
  `classifier/valid.jsonl` fall, as the engine scores them.

Writes OUT/tuning.json: the chosen values per config section, and under `chosen_by` the split,
the metric, the figure and the grid behind each. `evaluate --tuning` and `export --tuning` apply
it; export copies `chosen_by` into the bundle's `config.json` (`engine.chosen_by`).
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

TUNING_FORMAT = 1
TUNING_FILE = "tuning.json"
GENERATOR_KNOBS = ("beam_size", "length_penalty", "no_repeat_ngram")
# The smallest value each generator knob may take (a grid is never extended below it).
# The engine's knowledge knobs (issue 10): retrieved candidates per intent, the weight of their
# similarity, the weight of candidates' agreement, the weight of the learned retriever's
# P(api | intent), the penalty for leaving the intent's quoted values and bare numbers out, the
# share of a called API's name the intent spells (`api_names`). Swept like the generator knobs.
# (A penalty for literals the intent does not explain was measured and chosen 0
# twice on validation, then deleted: 23.90 -> 23.69 / 23.36 / 23.14 at 0.1 / 0.2 / 0.4.)
ENGINE_KNOBS = (
    "retrieval_k",
    "retrieval_weight",
    "consensus_weight",
    "api_weight",
    "missing_weight",
    "name_weight",
    "type_weight",
)
SWEPT_KNOBS = (*GENERATOR_KNOBS, *ENGINE_KNOBS)
LOWEST = {
    "beam_size": 1,
    "length_penalty": 0.0,
    "no_repeat_ngram": 0,
    "retrieval_k": 0,
    "retrieval_weight": 0.0,
    "consensus_weight": 0.0,
    "api_weight": 0.0,
    "missing_weight": 0.0,
    "name_weight": 0.0,
    "type_weight": 0.0,
}
# The largest value a knob may take: every retrieved candidate is scored by the matcher and
# API-checked, so past 5 a suggestion's latency grows beyond the 25 ms p50 budget (measured
# in one process: 10 retrieved candidates +22% per suggestion, 5 +8%). The engine decodes every
# suggestion beam_size wide, and beam search is most of a completion's CPU: 8 is the widest
# the budget allows (CoNaLa BLEU alone keeps asking for wider: 14 on valid).
HIGHEST = {"retrieval_k": 5, "beam_size": 8}
# Where each knob lives in a bundle's config.json.
SECTION = {
    "beam_size": "generator",
    "length_penalty": "generator",
    "no_repeat_ngram": "generator",
    "rerank_weight": "engine",
    "retrieval_k": "engine",
    "retrieval_weight": "engine",
    "consensus_weight": "engine",
    "api_weight": "engine",
    "missing_weight": "engine",
    "name_weight": "engine",
    "type_weight": "engine",
    "threshold": "matcher",
}


class TuningError(ValueError):
    """A tuning file is unreadable or does not fit; the message names the file."""


# -- caches around the engine's models ---------------------------------------------------------


class CachedGenerator:
    """The engine's generator with its candidates remembered per (intent, k, max_len).

    Only `generate` is intercepted; every other attribute is the wrapped generator's, so the
    engine uses it exactly as it would the real one.
    """

    def __init__(self, generator: Any, memo: dict[tuple, list[Any]]) -> None:
        self._generator = generator
        self._memo = memo

    def generate(self, intent: str, k: int = 5, max_len: int | None = None, **kw: Any) -> list:
        key = (intent, k, max_len, tuple(sorted(kw.items())))
        if key not in self._memo:
            self._memo[key] = list(self._generator.generate(intent, k=k, max_len=max_len, **kw))
        return list(self._memo[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._generator, name)


class CachedMatcher:
    """The engine's matcher with each (intent, code) probability remembered."""

    def __init__(self, matcher: Any, memo: dict[tuple[str, str], float]) -> None:
        self._matcher = matcher
        self._memo = memo

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> Any:
        import numpy as np

        pairs = [tuple(p) for p in pairs]
        todo = list(dict.fromkeys(p for p in pairs if p not in self._memo))
        if todo:
            probs = self._matcher.score(todo, batch_size=batch_size)
            self._memo.update(zip(todo, (float(p) for p in probs), strict=True))
        return np.array([self._memo[p] for p in pairs], dtype=np.float64)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._matcher, name)


class CachedChecker:
    """The engine's static API checker with each (code, context, intent) verdict remembered."""

    def __init__(self, checker: Any, memo: dict[tuple, Any]) -> None:
        self._checker = checker
        self._memo = memo

    def check(self, code: str, context: Any = None, intent: str = "") -> Any:
        key = (code, context, intent)
        if key not in self._memo:
            self._memo[key] = self._checker.check(code, context, intent)
        return self._memo[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._checker, name)


# -- engines from runs --------------------------------------------------------------------------


def apply_knobs(config: dict[str, Any], knobs: dict[str, Any]) -> dict[str, Any]:
    """A copy of a bundle config with each knob (name → value) set in its section."""
    out = copy.deepcopy(config)
    for name, value in knobs.items():
        out.setdefault(SECTION[name], {})[name] = value
    return out


@dataclass
class EngineFactory:
    """Engines over one bundle with different knobs, sharing beam and score caches."""

    bundle: Any
    threads: int = 1
    beams: dict[tuple, dict[tuple, list[Any]]] = field(default_factory=dict)
    scores: dict[tuple[str, str], float] = field(default_factory=dict)
    checks: dict[tuple, Any] = field(default_factory=dict)
    checker: Any = None  # the first engine's checker, shared: its API table is parsed once

    def knobs(self) -> dict[str, Any]:
        """The bundle's own value of every knob."""
        from codeqa_model.inference import DEFAULT_RERANK_WEIGHT, engine_knobs

        cfg = self.bundle.config
        engine = engine_knobs(self.bundle)  # the engine's own defaults, one place
        return {
            **{k: cfg["generator"][k] for k in GENERATOR_KNOBS},
            **{k: engine[k] for k in ENGINE_KNOBS},
            "rerank_weight": cfg["engine"].get("rerank_weight", DEFAULT_RERANK_WEIGHT),
            "threshold": cfg["matcher"]["threshold"],
        }

    def engine(self, knobs: dict[str, Any]) -> Any:
        """The server's engine for the bundle with `knobs` set in its config."""
        from codeqa_model.bundle import API_TABLE
        from codeqa_model.inference import Engine

        config = apply_knobs(self.bundle.config, knobs)
        bundle = replace(self.bundle, config=config)
        if self.checker is not None:  # no need to parse the table again: the checker is shared
            extras = {n: b for n, b in bundle.extra_files.items() if n != API_TABLE}
            bundle = replace(bundle, extra_files=extras)
        engine = Engine.from_bundle(bundle, threads=self.threads)
        if self.checker is None:
            self.checker = CachedChecker(engine.checker, self.checks)
        engine.checker = self.checker
        generator_key = tuple(sorted(config["generator"].items()))
        engine.generator = CachedGenerator(
            engine.generator, self.beams.setdefault(generator_key, {})
        )
        engine.matcher = CachedMatcher(engine.matcher, self.scores)
        return engine


def bundle_from_runs(
    generator_run: Path, classifier_run: Path, workdir: Path, extra_files: Sequence[Path] = ()
) -> Any:
    """The two runs as `export` would ship them (with the same knowledge files), read back;
    knob values as the runs left them."""
    from codeqa_model.bundle import load_bundle
    from codeqa_train.export import export

    path = export(
        generator_run=generator_run,
        classifier_run=classifier_run,
        out_dir=workdir,
        extra_files=extra_files,
    )
    return load_bundle(path)


# -- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidSet:
    """What tuning measures on: generator valid intents and references, classifier valid pairs."""

    intents: list[str]
    refs: list[str]
    generator_split: str  # e.g. "generator/valid (conala, 223 rows)"
    pairs: list[tuple[str, str]]
    labels: list[int]
    kinds: list[str]
    classifier_split: str


def read_valid(data: Path, source: str, limit: int | None) -> ValidSet:
    """The validation splits (never test): generator rows of `source`, classifier pairs."""
    from codeqa_train.data.curated import curated_dir, read_curated

    path = curated_dir(data, "generator") / "valid.jsonl"
    rows = read_curated(path, {"intent": str, "snippet": str})
    if source:
        rows = [r for r in rows if r.get("source") == source]
    rows = rows[:limit] if limit else rows
    if not rows:
        raise ValueError(f"{path}: no validation rows with source {source!r}")
    cpath = curated_dir(data, "classifier") / "valid.jsonl"
    pairs = read_curated(cpath, {"intent": str, "snippet": str, "label": int, "kind": str})
    n_pos = sum(p["label"] == 1 for p in pairs)
    if n_pos == 0:
        raise ValueError(f"{cpath}: no true pairs to choose a threshold on")
    return ValidSet(
        intents=[r["intent"] for r in rows],
        refs=[r["snippet"] for r in rows],
        generator_split=f"generator/valid ({source or 'all sources'}, {len(rows)} rows)",
        pairs=[(p["intent"], p["snippet"]) for p in pairs],
        labels=[p["label"] for p in pairs],
        kinds=[p["kind"] for p in pairs],
        classifier_split=f"classifier/valid ({n_pos} true pairs of {len(pairs)})",
    )


class ExecValid:
    """pass@1 ×100 of the engine's top suggestion on the executable VALIDATION problems; each
    (problem, code, imports) runs once per sweep, so a rerank weight that keeps the same tops
    costs only the engine's ranking."""

    def __init__(self) -> None:
        from codeqa_train.exec_eval.problems import load_split

        self.problems = load_split("valid")
        self.passed: dict[tuple[str, str, tuple[str, ...]], bool] = {}

    def pass_at_1(self, engine: Any, k: int) -> float:
        from codeqa_train.exec_eval.runner import run_candidates
        from codeqa_train.exec_eval.systems import engine_candidates

        tops = [cands[:1] for cands in engine_candidates(engine, self.problems, k)]
        keys = [
            (p.id, c[0].code, c[0].imports) if c else None
            for p, c in zip(self.problems, tops, strict=True)
        ]
        todo = [i for i, key in enumerate(keys) if key is not None and key not in self.passed]
        if todo:
            outcomes = run_candidates(
                [self.problems[i] for i in todo], [tops[i] for i in todo], k=1
            )
            for i, outs in zip(todo, outcomes, strict=True):
                self.passed[keys[i]] = bool(outs and outs[0].passed)
        return 100.0 * sum(self.passed.get(key, False) for key in keys if key) / len(keys)


def top_bleu(engine: Any, valid: ValidSet, k: int) -> float:
    """CoNaLa BLEU ×100 of the engine's top suggestion per validation intent."""
    from codeqa_train.metrics import corpus_bleu

    tops = []
    for intent in valid.intents:
        found = engine.suggest(intent, k)
        tops.append(found[0].code if found else "")
    return 100.0 * corpus_bleu(valid.refs, tops)


def _pick(grid: Sequence[tuple[Any, float]], current: Any) -> tuple[Any, float]:
    """The best (value, figure); ties keep `current` if it is among them, else the first."""
    best = max(f for _, f in grid)
    tied = [v for v, f in grid if f == best]
    return (current if current in tied else tied[0]), best


@dataclass
class Sweep:
    """Coordinate-wise search over the generator knobs, each setting at its best rerank weight."""

    factory: EngineFactory
    valid: ValidSet
    k: int
    weights: Sequence[float]
    log: Callable[[str], None] = print
    extend: int = 2  # grid steps added past an edge the best value sits on
    # Passes over the knobs: one pass from the run's defaults can settle where a second moves on
    # (the sixth session's first pass chose 4 retrieved while every weight was still 0: 23.72).
    sweeps: int = 2
    exec_valid: ExecValid | None = None  # None: CoNaLa BLEU alone
    seen: dict[tuple, list[tuple[float, float]]] = field(default_factory=dict)

    def objective(self, engine: Any) -> float:
        """Mean of CoNaLa valid BLEU and executable-valid pass@1 (BLEU alone without the set)."""
        bleu = top_bleu(engine, self.valid, self.k)
        if self.exec_valid is None:
            return bleu
        return 0.5 * (bleu + self.exec_valid.pass_at_1(engine, self.k))

    @property
    def metric(self) -> str:
        if self.exec_valid is None:
            return f"BLEU of the top suggestion (k={self.k})"
        return (
            f"mean of BLEU (CoNaLa valid) and pass@1 x100 (executable valid, "
            f"{len(self.exec_valid.problems)} problems) of the top suggestion (k={self.k})"
        )

    def weight_grid(self, knobs: dict[str, Any]) -> list[tuple[float, float]]:
        """BLEU at every rerank weight for this generator setting (memoised)."""
        key = tuple(knobs[k] for k in SWEPT_KNOBS)
        if key not in self.seen:
            started = time.perf_counter()
            grid = [
                (
                    w,
                    self.objective(self.factory.engine({**knobs, "rerank_weight": w})),
                )
                for w in self.weights
            ]
            self.seen[key] = grid
            best_w, best = _pick(grid, knobs["rerank_weight"])
            setting = ", ".join(f"{k}={knobs[k]}" for k in SWEPT_KNOBS)
            self.log(
                f"  {setting}: best objective {best:.2f} at rerank_weight={best_w:g} "
                f"({time.perf_counter() - started:.0f}s)"
            )
        return self.seen[key]

    def best_of(self, knobs: dict[str, Any]) -> float:
        return max(f for _, f in self.weight_grid(knobs))

    def run(
        self, knobs: dict[str, Any], grids: dict[str, Sequence[Any]]
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Chosen knobs and, per knob, the figure and grid that chose it."""
        knobs = dict(knobs)
        chosen_by: dict[str, dict[str, Any]] = {}
        for sweep in range(1, self.sweeps + 1):
            before = dict(knobs)
            for name in (n for n in SWEPT_KNOBS if n in grids):
                knobs[name], chosen_by[name] = self._choose(name, knobs, grids[name])
            if knobs == before:
                break
            if sweep < self.sweeps:
                self.log(f"sweep {sweep} moved knobs: sweeping again from {knobs}")
        grid = self.weight_grid(knobs)
        knobs["rerank_weight"], figure = _pick(grid, knobs["rerank_weight"])
        setting = ", ".join(f"{k}={knobs[k]}" for k in SWEPT_KNOBS if k in chosen_by)
        chosen_by["rerank_weight"] = self._record(figure, grid, f"at {setting}")
        # only what was measured leaves here; unswept knobs keep the bundle's own value
        knobs = {k: v for k, v in knobs.items() if k in chosen_by}
        return knobs, chosen_by

    def _choose(
        self, name: str, knobs: dict[str, Any], values: Sequence[Any]
    ) -> tuple[Any, dict[str, Any]]:
        """The best value of one knob, the others at their current choice, and its record."""
        values = list(dict.fromkeys([*values, knobs[name]]))  # the current value too
        self.log(f"{name}: {values}")
        grid = [(v, self.best_of({**knobs, name: v})) for v in values]
        for _ in range(self.extend):
            # the engine decodes max(k, beam_size) wide, so a beam below k changes nothing
            lowest = max(LOWEST[name], self.k) if name == "beam_size" else LOWEST[name]
            beyond = _past_edge(grid, knobs[name], lowest)
            if beyond is None or beyond > HIGHEST.get(name, beyond):
                break
            self.log(f"{name}: best at the grid's edge, trying {beyond}")
            grid = sorted([*grid, (beyond, self.best_of({**knobs, name: beyond}))])
        value, figure = _pick(grid, knobs[name])
        return value, self._record(figure, grid, "best over the rerank-weight grid")

    def _record(self, figure: float, grid: list[tuple[Any, float]], note: str) -> dict[str, Any]:
        return {
            "split": self.valid.generator_split
            + ("" if self.exec_valid is None else " + exec-eval problems-valid"),
            "metric": self.metric,
            "value": round(figure, 2),
            "grid": [[v, round(f, 2)] for v, f in grid],
            "note": note,
        }


def _past_edge(grid: Sequence[tuple[Any, float]], current: Any, lowest: float) -> Any | None:
    """One grid step beyond the end the best value sits on (None if inside, or out of range)."""
    values = sorted(v for v, _ in grid)
    if len(values) < 2:
        return None
    best, _ = _pick(grid, current)
    if best == values[-1]:
        beyond = values[-1] + (values[-1] - values[-2])
    elif best == values[0]:
        beyond = values[0] - (values[1] - values[0])
    else:
        return None
    beyond = round(beyond, 3) if isinstance(beyond, float) else beyond
    return beyond if beyond >= lowest and beyond not in values else None


def choose_threshold(engine: Any, valid: ValidSet, rate: float) -> tuple[float, dict[str, Any]]:
    """The threshold flagging `rate` of the validation true pairs, and what it flags.

    With a combiner in the bundle (`fit-combiner`: matcher + API evidence, its own threshold
    chosen on the matcher data's validation split) the engine flags by the combined score; the
    matcher's threshold is still chosen here on the matcher's own probabilities (the explainer
    reads it), and the record adds what the combined threshold flags on this split.
    """
    import numpy as np
    import torch
    from codeqa_model.classifier import threshold_for_false_alarms

    combiner = getattr(engine, "combiner", None)
    scored = engine.score if combiner is None else engine.matcher.score
    probs = np.asarray(scored(valid.pairs), dtype=np.float64)
    labels = np.asarray(valid.labels)
    threshold = threshold_for_false_alarms(torch.from_numpy(probs[labels == 1]), rate)
    record = _flags(probs, threshold, labels, np.asarray(valid.kinds))
    if combiner is not None:
        combined = np.asarray(engine.score(valid.pairs), dtype=np.float64)
        record["combined"] = {
            "threshold": combiner.threshold,
            **_flags(combined, combiner.threshold, labels, np.asarray(valid.kinds)),
        }
    return threshold, {
        "split": valid.classifier_split,
        "metric": "false-alarm rate (share of true pairs flagged)",
        "target": rate,
        **record,
    }


def _flags(probs: Any, threshold: float, labels: Any, kinds: Any) -> dict[str, Any]:
    """The share of true pairs flagged at `threshold` (`value`) and of each negative kind."""
    flagged = probs < threshold
    negatives = {
        kind: round(float(flagged[(labels == 0) & (kinds == kind)].mean()), 4)
        for kind in sorted(set(kinds.tolist()))
        if ((labels == 0) & (kinds == kind)).any()
    }
    return {"value": round(float(flagged[labels == 1].mean()), 4), "negatives_flagged": negatives}


# -- tuning files -------------------------------------------------------------------------------


def read_tuning(path: Path) -> dict[str, Any]:
    """A tuning.json written by this command; `TuningError` if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TuningError(f"{path}: not a readable tuning file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != TUNING_FORMAT:
        raise TuningError(
            f"{path}: not a format-{TUNING_FORMAT} tuning file (run codeqa-train tune)"
        )
    if not isinstance(data.get("knobs"), dict) or set(data["knobs"]) - set(SECTION):
        raise TuningError(f"{path}: 'knobs' must map {sorted(SECTION)} to values")
    return data


def apply_tuning(config: dict[str, Any], tuning: dict[str, Any]) -> dict[str, Any]:
    """A bundle config with the tuned knobs set and `engine.chosen_by` recording why."""
    out = apply_knobs(config, tuning["knobs"])
    out["engine"]["chosen_by"] = copy.deepcopy(tuning.get("chosen_by", {}))
    return out


def tuned_generator(generator: Any, tuning: dict[str, Any]) -> Any:
    """The same network decoding with the tuned generator knobs."""
    from codeqa_model.generator import Generator

    knobs = {k: v for k, v in tuning["knobs"].items() if SECTION[k] == "generator"}
    cfg = replace(generator.cfg, **knobs)
    return Generator(cfg, generator.model, generator.intent_tok, generator.code_tok)


def tuned_matcher(matcher: Any, tuning: dict[str, Any]) -> Any:
    """The same matcher with the tuned threshold."""
    if "threshold" in tuning["knobs"]:
        matcher.config = replace(matcher.config, threshold=float(tuning["knobs"]["threshold"]))
    return matcher


# -- the command --------------------------------------------------------------------------------


def _floats(spec: str) -> list[float]:
    return [float(x) for x in spec.split(",") if x.strip()]


def _ints(spec: str) -> list[int]:
    return [int(x) for x in spec.split(",") if x.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--generator", type=Path, metavar="RUN_DIR", help="a fit-generator run")
    a("--classifier", type=Path, metavar="RUN_DIR", help="a fit-classifier run")
    a(
        "--bundle",
        type=Path,
        metavar="DIR",
        help="instead of the two runs: an exported bundle (its knowledge files, with any "
        "--extra-file of the same name in their place)",
    )
    a("--out", type=Path, required=True, metavar="DIR", help=f"writes DIR/{TUNING_FILE}")
    a(
        "--extra-file",
        type=Path,
        action="append",
        default=[],
        help="knowledge file the bundle will ship (as for export), so the engine measured uses "
        "it too; repeatable",
    )
    a("--valid-source", default="conala", help="generator valid rows measured ('' = all)")
    a("--k", type=int, default=5, help="suggestions asked for (the server's default)")
    a("--beam-sizes", type=_ints, default=[5, 8], help="grid, e.g. 5,8")
    a("--length-penalties", type=_floats, default=[1.0, 1.3, 1.6], help="grid")
    a("--no-repeat", type=_ints, default=[0, 3, 5], help="no-repeat n-gram grid (0 = off)")
    a(
        "--rerank-weights",
        type=_floats,
        default=[round(0.1 * i, 1) for i in range(11)],
        help="grid (default 0,0.1,…,1)",
    )
    a("--retrieval-ks", type=_ints, default=[0, 3, 5], help="retrieved candidates grid")
    a("--retrieval-weights", type=_floats, default=[0.25, 0.5, 1.0], help="grid")
    a("--consensus-weights", type=_floats, default=[0.0, 0.2, 0.4, 0.8], help="grid")
    a("--api-weights", type=_floats, default=[0.0, 0.2, 0.4, 0.8, 1.6], help="grid")
    a("--missing-weights", type=_floats, default=[0.0, 0.2, 0.4, 0.8], help="grid")
    a("--name-weights", type=_floats, default=[0.0, 1.0, 2.0, 4.0], help="grid")
    a("--type-weights", type=_floats, default=[0.0, 0.1, 0.3, 0.6], help="grid")
    a(
        "--extend",
        type=int,
        default=2,
        help="grid steps a generator knob's grid grows by past the edge its best value is on",
    )
    a(
        "--no-exec",
        action="store_true",
        help="CoNaLa BLEU alone (skip the executable validation problems in the objective)",
    )
    a(
        "--start",
        type=Path,
        default=None,
        help="a tuning.json whose knobs the first pass starts from (default: the runs' own)",
    )
    a(
        "--sweeps",
        type=int,
        default=2,
        help="passes over the knobs, stopping early when a pass changes none",
    )
    a("--false-alarm-rate", type=float, default=0.05, help="share of true pairs flagged")
    a("--limit", type=int, default=None, help="measure only the first N generator valid rows")
    a("--threads", type=int, default=1)


def tune(args: argparse.Namespace, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure and choose; returns the tuning record (also what `run` writes)."""
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    valid = read_valid(args.data, args.valid_source, args.limit)
    grids = {
        "beam_size": args.beam_sizes,
        "length_penalty": args.length_penalties,
        "no_repeat_ngram": args.no_repeat,
        "consensus_weight": args.consensus_weights,
        "missing_weight": args.missing_weights,
        "name_weight": args.name_weights,
        "type_weight": args.type_weights,
    }
    with tempfile.TemporaryDirectory(prefix="codeqa-tune-") as tmp:
        if args.bundle is not None:
            bundle = _with_extras(args.bundle, args.extra_file)
        else:
            bundle = bundle_from_runs(
                args.generator, args.classifier, Path(tmp) / "bundle", args.extra_file
            )
        factory = EngineFactory(bundle, threads=args.threads)
        if bundle.extra("retrieval.json") is not None:  # without an index they change nothing
            grids["api_weight"] = args.api_weights
            grids["retrieval_k"] = args.retrieval_ks
            grids["retrieval_weight"] = args.retrieval_weights
        start = factory.knobs()
        if args.start is not None:  # a previous tuning's choices: the pass starts from there
            start.update(read_tuning(args.start)["knobs"])
        log(f"measuring on {valid.generator_split} and {valid.classifier_split}; start {start}")
        exec_valid = None if args.no_exec else ExecValid()
        sweep = Sweep(
            factory,
            valid,
            args.k,
            args.rerank_weights,
            log=log,
            extend=args.extend,
            exec_valid=exec_valid,
            sweeps=max(1, args.sweeps),
        )
        knobs, chosen_by = sweep.run(start, grids)
        knobs["threshold"], chosen_by["threshold"] = choose_threshold(
            factory.engine(knobs), valid, args.false_alarm_rate
        )
    return {
        "format": TUNING_FORMAT,
        "runs": (
            {"bundle": str(args.bundle)}
            if args.bundle is not None
            else {"generator": str(args.generator), "classifier": str(args.classifier)}
        ),
        "knobs": knobs,
        "chosen_by": chosen_by,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _with_extras(path: Path, extra_files: Sequence[Path]) -> Any:
    """The bundle at `path` with each of `extra_files` in place of its file of the same name."""
    from codeqa_model.bundle import load_bundle

    bundle = load_bundle(path)
    extras = {**bundle.extra_files, **{p.name: p.read_bytes() for p in extra_files}}
    return replace(bundle, extra_files=extras)


def run(args: argparse.Namespace) -> int:
    from codeqa_model.atomic import atomic_write_text

    runs_given = (args.generator is not None, args.classifier is not None)
    if runs_given != ((args.bundle is None,) * 2):
        print("codeqa-train tune: error: give --generator and --classifier, or --bundle")
        return 2
    record = tune(args)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / TUNING_FILE
    atomic_write_text(target, json.dumps(record, indent=1) + "\n")
    for name, value in record["knobs"].items():
        why = record["chosen_by"][name]
        print(f"{name} = {value}  ({why['metric']} {why['value']} on {why['split']})")
    print(f"wrote {target} in {record['seconds']:.0f}s")
    return 0
