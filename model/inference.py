"""The model facade the server and the command line use: load a bundle once, then suggest and score.

`Engine.load` does all file I/O and sets the BLAS thread count once (the caller chooses it);
afterwards `suggest` and `score` only compute, and give the same answer for the same input. The
shipped networks run in numpy (`Generator.for_inference`, `Matcher.for_inference`): answering
never imports torch. Inputs are clipped here, and answers cached here, once for every
caller. A suggestion comes out of one pipeline:

    candidates (the generator's beam) -> score each with the matcher -> combine -> rank

where combine is

    score = (1 - w) * p_beam + w * p_match

with `p_beam` a candidate's share of the beam's probability mass (softmax of the generator's
length-normalised log-probs over the candidates), `p_match` the matcher's calibrated
probability and `w` the bundle's `engine.rerank_weight`; rank drops duplicates and puts
candidates that do not parse as Python last. With a retrieval index in the bundle
(`retrieval.json`, `codeqa_model.retrieval`), the nearest known pairs join the beam as
candidates, the intent's values put in; they get `engine.retrieval_weight * similarity` in place
of `p_beam`. `engine.consensus_weight` adds each candidate's mean similarity to the others
(`codeqa_model.consensus`).
`engine.api_weight` adds how likely the candidate's APIs are for the intent by the learned
retriever (`codeqa_model.api_prior`); `engine.missing_weight` takes off the share of the intent's
quoted values a candidate leaves out; `engine.name_weight` first reweighs the retriever's likeliest
APIs by how much of each name the intent's words spell (`getcwd` under "get the current working
directory"; `codeqa_model.api_names`); `engine.type_weight` adds to a call that plainly gives the
type the intent asks for (`str(n)` under "… to a string"; `codeqa_model.asked_types`). Paths
passed where a file object belongs are opened first (`codeqa_model.file_args`). Then
`check_suggestions` checks each against the API statically
(`codeqa_model.api_check`): code that fails a check (does not parse, names something undefined,
an attribute a module lacks, a call that does not bind) goes after every passing one with
`Suggestion.problem` set (never top-1 while any candidate passes; hover and quick fixes skip it),
and each gets the `import` lines it needs; a passing one that repeats an earlier one's meaning
(same code once normalised, or past `MAX_SAME_APIS` with the same called APIs) goes after the
other passing ones (`codeqa_model.diversity`); the first passing suggestion never moves.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np
from codeqa_model.api_check import ApiChecker, CheckResult
from codeqa_model.api_prior import ApiPrior
from codeqa_model.api_retriever import RETRIEVER_FILE
from codeqa_model.api_table import ApiTable, ApiTableError
from codeqa_model.asked_siblings import call_asked_sibling
from codeqa_model.asked_types import answers_asked_type, asked_type
from codeqa_model.bare_expression import bare_expression
from codeqa_model.bundle import (
    API_TABLE,
    GENERATOR_WEIGHTS,
    MATCHER_WEIGHTS,
    Bundle,
    BundleError,
    load_bundle,
)
from codeqa_model.bytes_to_text import decode_bytes_answer
from codeqa_model.combiner import COMBINER_FILE, Combiner
from codeqa_model.command_words import run_command_words
from codeqa_model.consensus import consensus_scores
from codeqa_model.context import SourceContext
from codeqa_model.counts import count_when_asked
from codeqa_model.date_formats import fit_date_formats
from codeqa_model.diversity import MAX_SAME_APIS, Variety
from codeqa_model.extremes import find_asked_extreme
from codeqa_model.file_args import open_file_arguments, path_names
from codeqa_model.file_spelling import spell_for_file
from codeqa_model.generator import Candidate, parses
from codeqa_model.given_dates import use_given_date
from codeqa_model.inclusive_ranges import include_the_end
from codeqa_model.negative_indices import plain_negative_indices
from codeqa_model.open_modes import append_modes
from codeqa_model.paths import resolve_bundle
from codeqa_model.quoted_names import unquote_variables
from codeqa_model.retrieval import (
    RETRIEVAL_FILE,
    RetrievalIndex,
    combine_with_retrieval,
    load_index,
)
from codeqa_model.separators import use_named_separator
from codeqa_model.slots import spelled_numbers_as_digits
from codeqa_model.sort_order import (
    reverse_without_sorting,
    sort_largest_first,
    sort_only_when_asked,
)
from codeqa_model.stray_keys import drop_stray_keys
from codeqa_model.stray_slices import drop_stray_slices
from codeqa_model.strip_sides import strip_named_side
from codeqa_model.substring_membership import substring_membership
from codeqa_model.text_to_bytes import encode_text_arguments
from codeqa_model.values_left_out import values_left_out

if TYPE_CHECKING:
    from codeqa_model.generator import Generator
    from codeqa_model.matcher import Matcher

__all__ = [
    "Candidate",
    "Engine",
    "EngineLike",
    "Suggestion",
    "check_suggestions",
    "clip_code",
    "clip_intent",
    "combine_scores",
    "parses",
    "rank",
]

DEFAULT_RERANK_WEIGHT = 0.5
DEFAULT_BEAM = 5
DEFAULT_MAX_SRC_LEN = 64
# Used when a bundle carries a retrieval index but no tuned knobs (`codeqa-train tune` sets them).
DEFAULT_RETRIEVAL_K = 5
# The retrieved candidates are the first `retrieval_k` that pass the API check among this many
# times as many nearest pairs. Chosen on validation at the shipped knobs (runs/s6/ab.py: mean of
# CoNaLa valid BLEU and executable valid pass@1): 1 (no filter) 23.98, 2 24.37, 3 24.55, 4 24.37.
RETRIEVAL_POOL = 3
# CoNaLa valid top-1 BLEU 26.8 at 0.5, 28.3 at 1.0 (k 5, rerank 0.5, consensus 0.4).
DEFAULT_RETRIEVAL_WEIGHT = 1.0
# Every source token is at least one word, so words past the model's source length are never
# seen; a character cap per kept word bounds the tokenizer's work on pathological input.
_CHARS_PER_WORD = 32
# Code longer than this is cut before the matcher's tokenizer sees it (it keeps far less).
MAX_CODE_CHARS = 4_000
SUGGESTION_CACHE_SIZE = 512
SCORE_CACHE_SIZE = 8_192


@dataclass(frozen=True)
class Suggestion:
    """One ranked piece of code for an intent.

    `slot_spans` are where the editor puts tab stops; `imports` are the import statements
    (e.g. "import shutil") the code needs that the file above the intent lacks. `problem` says
    why the code failed the static API check (None when it passed): such a suggestion may be
    listed, but hover and quick fixes never use it.
    """

    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()
    imports: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Passed the static API check."""
        return self.problem is None


class EngineLike(Protocol):
    """What callers (the server, `codeqa-lsp check`) use of an `Engine`: the seam for doubles.

    `cached_suggestions` and `cached_scores` answer from the cache only and never run the
    model, so a caller can skip its worker thread when the answer is already known.
    """

    info: dict[str, Any]

    @property
    def threshold(self) -> float: ...

    def suggest(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> Sequence[Suggestion]: ...

    def cached_suggestions(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> Sequence[Suggestion] | None: ...

    def score(self, pairs: Sequence[tuple[str, str]]) -> Sequence[float]: ...

    def cached_scores(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]: ...


_C = TypeVar("_C")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A bounded, thread-safe least-recently-used map (the engine's caches)."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def combine_scores(
    beam_scores: Sequence[float], match_probs: Sequence[float], weight: float
) -> np.ndarray:
    """Rerank score per candidate: (1 - weight) * beam share + weight * match probability.

    `beam_scores` are the length-normalised log-probabilities the beam ranked by, so weight 0
    keeps the beam's own order. Public so evaluation chooses `weight` with exactly the formula
    the server uses.
    """
    lp = np.asarray(beam_scores, dtype=np.float64)
    if lp.size == 0:
        return np.zeros(0, dtype=np.float64)
    share = np.exp(lp - lp.max())
    share /= share.sum()
    return (1.0 - weight) * share + weight * np.asarray(match_probs, dtype=np.float64)


def rank(candidates: Sequence[Candidate], scores: Sequence[float], k: int) -> list[Suggestion]:
    """Top `k` distinct candidates: parseable first, then by score; ties broken by the code text.

    The one place suggestions are de-duplicated and ordered by whether they parse (evaluation
    reranks with it too, so its figures describe what the server shows).
    """
    best: dict[str, Suggestion] = {}
    for cand, score in zip(candidates, scores, strict=True):
        seen = best.get(cand.code)
        if seen is None or score > seen.score:
            best[cand.code] = Suggestion(cand.code, float(score), tuple(cand.slot_spans))
    ordered = sorted(best.values(), key=lambda s: (not parses(s.code), -s.score, s.code))
    return ordered[:k]


class CodeChecker(Protocol):
    def check(
        self, code: str, context: SourceContext | None = None, intent: str = ""
    ) -> CheckResult: ...


def check_suggestions(
    ranked: Sequence[Suggestion],
    checker: CodeChecker,
    intent: str,
    context: SourceContext,
    k: int,
    per_api: int = MAX_SAME_APIS,
    conventions: Mapping[str, str] | None = None,
    is_module: Callable[[str], bool] = lambda path: False,
) -> list[Suggestion]:
    """Ranked suggestions after the static API check: passing ones first (in rank order, with
    the imports they need; one that repeats an earlier one's meaning — `diversity.Variety` —
    after the other passing ones), then failing ones flagged with `problem`. Shared with
    evaluation, so its figures describe what is shown. The first passing suggestion is always
    first. Each is first spelled as the file spells its modules (`file_spelling`: `pd.read_csv`
    under `import pandas as pd`), else with the usual aliases in `conventions`.

    Failing candidates are kept (last) rather than dropped: the check is conservative but not
    perfect (a name defined elsewhere, an API newer than the table), and a flagged candidate is
    still a starting point in the completion list; it is never top-1 while anything passes.
    Code that does not parse is dropped: accepting it would leave a broken file, so when no
    candidate parses there is no suggestion.
    """
    passing: list[Suggestion] = []
    repeats: list[Suggestion] = []
    failing: list[Suggestion] = []
    variety = Variety(per_api)
    for suggestion in ranked:
        if len(passing) >= k:
            break  # the answer is the first k passing ones: the rest need no check
        if not parses(suggestion.code):
            continue  # inserting it would leave code that does not parse: never offered
        code, spans = spell_for_file(
            suggestion.code, suggestion.slot_spans, context, conventions or {}, is_module
        )
        if code != suggestion.code:
            suggestion = replace(suggestion, code=code, slot_spans=spans)
        result = checker.check(suggestion.code, context, intent)
        if result.ok:
            checked = replace(suggestion, imports=result.imports, problem=None)
            # read with its imports: `randint(1, 6)` under `from random import randint` calls
            # what `random.randint(1, 6)` does
            with_imports = "\n".join([*result.imports, suggestion.code])
            (passing if variety.admit(with_imports) else repeats).append(checked)
        else:
            failing.append(replace(suggestion, imports=result.imports, problem=result.reason))
    return (passing + repeats + failing)[:k]


@dataclass(frozen=True)
class _Retrieved:
    """The retrieved candidates and the ranking terms that need only them and the intent
    (`Engine._retrieval`); a ranking term is None when its weight is 0."""

    hits: list[Any]
    api_probs: np.ndarray | None  # the intent's API probabilities (`ApiPrior.intent_probs`)
    hit_prior: np.ndarray | None  # each hit's API prior
    hit_missing: list[float] | None  # each hit's share of the intent's values left out


class _Checks:
    """One suggestion's API checks: each code checked once against its file and intent."""

    def __init__(self, checker: ApiChecker, context: SourceContext, intent: str) -> None:
        self.checker, self.context, self.intent = checker, context, intent
        self._done: dict[str, CheckResult] = {}

    def check(
        self, code: str, context: SourceContext | None = None, intent: str = ""
    ) -> CheckResult:
        """The check of `code` in this suggestion's file and intent (the others are ignored)."""
        found = self._done.get(code)
        if found is None:
            found = self._done[code] = self.checker.check(code, self.context, self.intent)
        return found


def clip_intent(intent: str, max_words: int) -> str:
    """The part of an over-long intent the model can see; never raises."""
    words = intent.split()
    if len(words) <= max_words and len(intent) <= max_words * _CHARS_PER_WORD:
        return intent
    return " ".join(words[:max_words])[: max_words * _CHARS_PER_WORD]


def clip_code(code: str) -> str:
    """The part of over-long code the matcher can see; a 1 MB block costs what 4 kB costs."""
    return code[:MAX_CODE_CHARS]


class Engine:
    """A loaded bundle: `suggest` code for an intent, `score` (intent, code) pairs; cached."""

    def __init__(
        self,
        generator: Generator,
        matcher: Matcher,
        *,
        rerank_weight: float = DEFAULT_RERANK_WEIGHT,
        beam: int = DEFAULT_BEAM,
        max_src_len: int = DEFAULT_MAX_SRC_LEN,
        info: dict[str, Any] | None = None,
        cache_size: int = SUGGESTION_CACHE_SIZE,
        score_cache_size: int = SCORE_CACHE_SIZE,
        checker: ApiChecker | None = None,
        retrieval: RetrievalIndex | None = None,
        retrieval_k: int = DEFAULT_RETRIEVAL_K,
        retrieval_weight: float = DEFAULT_RETRIEVAL_WEIGHT,
        consensus_weight: float = 0.0,
        api_weight: float = 0.0,
        missing_weight: float = 0.0,
        name_weight: float = 0.0,
        type_weight: float = 0.0,
        combiner: Combiner | None = None,
    ) -> None:
        if not 0.0 <= rerank_weight <= 1.0:
            raise ValueError(f"rerank_weight must be in [0, 1], got {rerank_weight}")
        self.generator = generator
        self.matcher = matcher
        self.rerank_weight = float(rerank_weight)
        self.beam = max(1, int(beam))
        self.max_src_len = max(1, int(max_src_len))
        self.info: dict[str, Any] = dict(info or {})
        self.info.setdefault("rerank_weight", self.rerank_weight)
        # Without a bundle API table the checker still parses and resolves names.
        self.checker = checker if checker is not None else ApiChecker(None)
        self.retrieval = retrieval
        self.retrieval_k = max(0, int(retrieval_k))
        self.retrieval_weight = float(retrieval_weight)
        self.consensus_weight = float(consensus_weight)
        self.api_weight = float(api_weight)
        self.missing_weight = float(missing_weight)
        self.name_weight = float(name_weight)
        self.type_weight = float(type_weight)
        learned = retrieval.learned if retrieval is not None else None
        self._api_prior = ApiPrior(learned, self.name_weight) if learned is not None else None
        # matcher + API evidence (`codeqa_model.combiner`) where a pair is judged; None: matcher
        self.combiner = combiner
        # One model call at a time: keeps BLAS within the caller's thread budget and makes
        # concurrent requests from a server's executor see the same results as serial ones.
        self._lock = threading.Lock()
        self._suggestions: _Lru[tuple[str, int, SourceContext], tuple[Suggestion, ...]] = _Lru(
            cache_size
        )
        self._scores: _Lru[tuple[str, str], float] = _Lru(score_cache_size)

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = 1) -> Engine:
        """Load the bundle at `path` (None = the default bundle; a plain name = a user bundle).

        Sets numpy's BLAS threads (`set_blas_threads`) for the process, and torch's when a
        network of the bundle needs torch (a shape the numpy path does not run). Raises
        `BundleError` for a bundle that is missing, damaged, of another
        format version, or whose weights do not fit it.
        """
        from codeqa_model.blas_threads import set_blas_threads

        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        set_blas_threads(threads)
        bundle = load_bundle(resolve_bundle(path))
        engine = cls.from_bundle(bundle, threads=threads)
        torch = sys.modules.get("torch")  # imported only for networks without a numpy path
        if torch is not None:
            torch.set_num_threads(threads)
        return engine

    @classmethod
    def from_bundle(cls, bundle: Bundle, threads: int | None = None) -> Engine:
        """Build the networks from an already verified bundle."""
        from codeqa_model.generator import Generator
        from codeqa_model.matcher import Matcher  # imported here: heavy, and only needed to build

        cfg = bundle.config
        generator = _build(
            Generator, cfg["generator"], bundle.generator_tensors, bundle, GENERATOR_WEIGHTS
        )
        matcher = _build(Matcher, cfg["matcher"], bundle.matcher_tensors, bundle, MATCHER_WEIGHTS)
        weight = cfg["engine"].get("rerank_weight", DEFAULT_RERANK_WEIGHT)
        if not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
            raise BundleError(
                f"{bundle.path / 'config.json'}: engine.rerank_weight must be a number in [0, 1], "
                f"got {weight!r}; re-export the bundle"
            )
        table_bytes = bundle.extra(API_TABLE)
        try:
            table = ApiTable.from_bytes(table_bytes) if table_bytes is not None else None
        except ApiTableError as exc:
            raise BundleError(
                f"{bundle.path / API_TABLE}: not an API table ({exc}); re-export the bundle"
            ) from None
        retrieval = _retrieval_index(bundle)
        knobs = engine_knobs(bundle)
        info = {
            "format_version": bundle.format_version,
            "path": str(bundle.path),
            "created": bundle.created,
            "metrics": dict(bundle.metrics or {}),
            "threads": threads,
            "api_table": table is not None,
            "retrieval": len(retrieval) if retrieval is not None else 0,
        }
        return cls(
            generator,
            matcher,
            rerank_weight=float(weight),
            beam=int(cfg["generator"].get("beam_size", DEFAULT_BEAM)),
            max_src_len=int(cfg["generator"].get("max_src_len", DEFAULT_MAX_SRC_LEN)),
            info=info,
            checker=ApiChecker(
                table,
                retrieval.method_names() if retrieval is not None else (),
                retrieval.codes if retrieval is not None else None,
            ),
            retrieval=retrieval,
            combiner=_combiner(bundle, retrieval),
            **knobs,
        )

    @property
    def threshold(self) -> float:
        """Match probability below which code is flagged as not doing what its intent says."""
        if self.combiner is not None:
            return self.combiner.threshold
        return float(self.matcher.threshold)

    # ------------------------------------------------------------------ suggest

    def suggest(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion]:
        """Up to `k` ranked suggestions; [] for an empty intent. Same input, same output.

        `context` is what the file above the intent already provides (its imports and names).
        """
        key = self._suggestion_key(intent, k, context)
        if key is None:
            return []
        found = self._suggestions.get(key)
        if found is None:
            found = self._suggest_uncached(*key)
            self._suggestions.put(key, found)
        return list(found)

    def cached_suggestions(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion] | None:
        """What `suggest` would return if it is already known, else None; never runs the model."""
        key = self._suggestion_key(intent, k, context)
        if key is None:
            return []
        found = self._suggestions.get(key)
        return None if found is None else list(found)

    def suggest_many(
        self, intents: Sequence[str], k: int = 5, context: SourceContext | None = None
    ) -> list[list[Suggestion]]:
        """`suggest` for each intent, in order."""
        return [self.suggest(intent, k, context) for intent in intents]

    def _suggestion_key(
        self, intent: str, k: int, context: SourceContext | None
    ) -> tuple[str, int, SourceContext] | None:
        if k < 1 or not intent.strip():
            return None
        intent = clip_intent(spelled_numbers_as_digits(intent.strip()), self.max_src_len)
        return intent, k, context or SourceContext.EMPTY

    def _suggest_uncached(
        self, intent: str, k: int, context: SourceContext
    ) -> tuple[Suggestion, ...]:
        """The pipeline: candidates (files opened, date formats fitted) -> matcher scores (when
        weighted) -> combined score (+ consensus, + API prior, - values left out, + asked type)
        -> rank -> check (variety)."""
        checks = _Checks(self.checker, context, intent)
        with self._lock:
            # In turn. Retrieval used to run on a thread beside the beam; now that the beam's
            # products are quick, retrieval's pure Python and the beam's many small numpy calls
            # only wait on each other for the GIL: no faster (paired, 300 suggestions).
            side = self._retrieval(intent, checks)
            generated = [self._repaired(intent, c) for c in self._candidates(intent, k)]
            hits = side.hits
            candidates = [*generated, *hits]
            if not candidates:
                return ()
            if self.rerank_weight > 0:
                probs = self.matcher.score([(intent, c.code) for c in candidates])
            else:  # weight 0 (validation's choice for the shipped bundle): nothing to score
                probs = [0.0] * len(candidates)
        scores = combine_with_retrieval(
            [c.score for c in generated],
            [h.similarity for h in hits],
            probs,
            self.rerank_weight,
            self.retrieval_weight,
        )
        if self.consensus_weight:
            scores = scores + self.consensus_weight * consensus_scores([c.code for c in candidates])
        if side.hit_prior is not None and self._api_prior is not None:
            own = self._api_prior.code_scores(side.api_probs, [c.code for c in generated])
            scores = scores + self.api_weight * np.concatenate([own, side.hit_prior])
        if side.hit_missing is not None:
            missing = [values_left_out(intent, c.code) for c in generated] + side.hit_missing
            scores = scores - self.missing_weight * np.asarray(missing)
        wanted = asked_type(intent) if self.type_weight else None
        if wanted is not None:
            returns = self.checker.table_returns
            agree = [answers_asked_type(intent, c.code, wanted, returns) for c in candidates]
            scores = scores + self.type_weight * np.asarray(agree)
        ranked = rank(candidates, scores, len(candidates))
        return tuple(
            check_suggestions(
                ranked,
                checks,
                intent,
                context,
                k,
                conventions=self.checker.aliases,
                is_module=self.checker.is_module,
            )
        )

    def _retrieval(self, intent: str, checks: _Checks) -> _Retrieved:
        """The retrieved candidates and the ranking terms that need only them and the intent
        (the API prior's intent half and the hits' prior, the hits' values left out). Each
        term is per code, so the hits' part joins the generated candidates' unchanged."""
        hits = self._retrieved(intent, checks)
        codes = [h.code for h in hits]
        api_probs, hit_prior, hit_missing = None, None, None
        if self.api_weight and self._api_prior is not None:
            api_probs = self._api_prior.intent_probs(intent)
            hit_prior = self._api_prior.code_scores(api_probs, codes)
        if self.missing_weight:
            hit_missing = [values_left_out(intent, code) for code in codes]
        return _Retrieved(hits, api_probs, hit_prior, hit_missing)

    def _candidates(self, intent: str, k: int) -> list[Candidate]:
        """Code that may do what `intent` says: the generator's beam."""
        return list(self.generator.generate(intent, k=max(k, self.beam)))

    def _repaired(self, intent: str, candidate: _C) -> _C:
        """The candidate with paths it passes as file objects opened (`file_args`), the
        module's function the intent names called instead of its sibling (`asked_siblings`), its
        `strptime` formats fitted to the date the intent shows (`date_formats`), the date the
        intent gives read instead of today's (`given_dates`), the intent's
        variables it wrote as strings put back as names (`quoted_names`), a quoted value tested
        for as a whole rather than letter by letter (`substring_membership`), and an empty
        `if C: pass`, a lone `return C` or an unasked `print(C)` given as C
        (`bare_expression`), without a sort key reading a field the intent never names
        (`stray_keys`) or a slice of its value it never asks for (`stray_slices`), counting
        up to the last number of "from 1 to 10" (`inclusive_ranges`), sorting
        largest first where the intent says so, reversing rather than sorting and not sorting
        at all where it asks for no order (`sort_order`), joining or splitting with the
        separator the intent names (`separators`), the text a bytes API is given encoded
        (`text_to_bytes`), a file opened for appending where the intent says append
        (`open_modes`), the `len` of a list where the intent asks how many (`counts`), negative
        indices without the parentheses some training snippets put around them
        (`negative_indices`), a command string run without a shell given as its words
        (`command_words`), the side the intent names stripped (`strip_sides`), a bytes
        answer decoded where the intent asks for a string (`bytes_to_text`), and the max or
        min of a collection where the intent asks for its largest or smallest (`extremes`)."""
        code, spans = open_file_arguments(
            candidate.code,
            candidate.slot_spans,
            self.checker.table,
            self.checker.aliases,
            path_names(intent),
        )
        code, spans = call_asked_sibling(
            intent, code, spans, self.checker.table, self.checker.aliases
        )
        code, spans = fit_date_formats(intent, code, spans)
        code, spans = use_given_date(intent, code, spans)
        code, spans = unquote_variables(intent, code, spans)
        code, spans = substring_membership(intent, code, spans)
        code, spans = bare_expression(code, spans, intent)
        code, spans = drop_stray_keys(intent, code, spans)
        code, spans = drop_stray_slices(intent, code, spans)
        code, spans = include_the_end(intent, code, spans)
        code, spans = sort_largest_first(intent, code, spans)
        code, spans = reverse_without_sorting(intent, code, spans)
        code, spans = sort_only_when_asked(intent, code, spans)
        code, spans = use_named_separator(intent, code, spans)
        code, spans = encode_text_arguments(intent, code, spans)
        code, spans = append_modes(intent, code, spans)
        code, spans = count_when_asked(intent, code, spans, self.checker.table_returns)
        code, spans = plain_negative_indices(code, spans)
        code, spans = run_command_words(intent, code, spans)
        code, spans = strip_named_side(intent, code, spans)
        code, spans = decode_bytes_answer(intent, code, spans, self.checker.table_returns)
        code, spans = find_asked_extreme(intent, code, spans, self.checker.table_returns)
        if code == candidate.code:
            return candidate
        if not parses(code) and parses(candidate.code):
            # a repair's cut went wrong (stray_keys on `key=(lambda ...)` left `sorted(xs))`):
            # the code as it came is better than code nobody can insert
            return candidate
        return replace(candidate, code=code, slot_spans=spans)

    def _retrieved(self, intent: str, checks: _Checks | None = None) -> list[Any]:
        """The `retrieval_k` nearest known pairs, `intent`'s values put in and repaired, that
        pass the API check, from the nearest `RETRIEVAL_POOL` × as many; failing ones fill the
        places left (none without an index). A retrieved doc row for an API the code cannot
        reach (`string_methods.count(words)`, a pandas accessor's method) would otherwise take
        a place a runnable answer further down could have."""
        if self.retrieval is None or self.retrieval_k == 0:
            return []
        checks = checks or _Checks(self.checker, SourceContext.EMPTY, intent)
        k = self.retrieval_k
        passing: list[Any] = []
        failing: list[Any] = []
        for hit in self.retrieval.iter_candidates(intent, RETRIEVAL_POOL * k):
            hit = self._repaired(intent, hit)
            (passing if checks.check(hit.code).ok else failing).append(hit)
            if len(passing) == k:
                break
        return (passing + failing)[:k]

    # ------------------------------------------------------------------ score

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> list[float]:
        """Calibrated probability that each code does what its intent says, in input order.

        Only pairs not scored before reach the matcher.
        """
        keys = [self._score_key(i, pair) for i, pair in enumerate(pairs)]
        found = {key: self._scores.get(key) for key in keys}
        todo = [key for key, value in found.items() if value is None]
        if todo:
            with self._lock:
                probs = self.matcher.score(todo, batch_size=batch_size)
                if self.combiner is not None:
                    probs = self.combiner.probs(todo, probs)
            for key, prob in zip(todo, probs, strict=True):
                found[key] = float(prob)
                self._scores.put(key, float(prob))
        return [float(found[key]) for key in keys]  # type: ignore[arg-type]

    def cached_scores(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        """Each pair's score if already known, else None; never runs the model."""
        return [self._scores.get(self._score_key(i, pair)) for i, pair in enumerate(pairs)]

    # ---------------------------------------------------------------- explain

    def explain(self, intent: str, code: str) -> str | None:
        """Why `code` does not do what `intent` says, when the evidence is clear ("calls
        os.listdir; the intent asks for ... (os.getcwd)"); None otherwise or when the matcher
        carries no API docs. Clipped like `score`; see `codeqa_model.explain`."""
        explain = getattr(self.matcher, "explain", None)
        if explain is None:
            return None
        intent, code = self._score_key(0, (intent, code))
        with self._lock:
            return explain(intent, code)

    def _score_key(self, index: int, pair: Any) -> tuple[str, str]:
        if not (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and all(isinstance(s, str) for s in pair)
        ):
            raise TypeError(f"pairs[{index}] must be an (intent, code) pair of str, got {pair!r}")
        return clip_intent(pair[0], self.max_src_len), clip_code(pair[1])


def _retrieval_index(bundle: Bundle) -> RetrievalIndex | None:
    """The bundle's retrieval index, or None when it has none (older bundles); with the learned
    retriever (`retriever.safetensors`) when the bundle carries one (older ones do not)."""
    data = bundle.extra(RETRIEVAL_FILE)
    if data is None:
        return None
    learned = bundle.extra(RETRIEVER_FILE)
    try:
        return load_index(bytes(data), None if learned is None else bytes(learned))
    except ValueError as exc:
        raise BundleError(
            f"{bundle.path / RETRIEVAL_FILE}: not a retrieval index ({exc}); re-export the bundle"
        ) from None


def _combiner(bundle: Bundle, retrieval: RetrievalIndex | None) -> Combiner | None:
    """The bundle's matcher/evidence combiner, or None when it has none (older bundles); with
    the retrieval index's learned retriever, which its retriever features read."""
    data = bundle.extra(COMBINER_FILE)
    if data is None:
        return None
    learned = None if retrieval is None else retrieval.learned
    try:
        return Combiner.from_bytes(bytes(data), learned)
    except ValueError as exc:
        raise BundleError(
            f"{bundle.path / COMBINER_FILE}: not a combiner ({exc}); re-export the bundle"
        ) from None


def engine_knobs(bundle: Bundle) -> dict[str, Any]:
    """The engine's ranking knobs (`retrieval_k`, `retrieval_weight`, `consensus_weight`,
    `api_weight`, `missing_weight`, `name_weight`, `type_weight`) from config.json's engine
    section."""
    engine = bundle.config["engine"]
    knobs = {
        "retrieval_k": engine.get("retrieval_k", DEFAULT_RETRIEVAL_K),
        "retrieval_weight": engine.get("retrieval_weight", DEFAULT_RETRIEVAL_WEIGHT),
        "consensus_weight": engine.get("consensus_weight", 0.0),
        "api_weight": engine.get("api_weight", 0.0),
        "missing_weight": engine.get("missing_weight", 0.0),
        "name_weight": engine.get("name_weight", 0.0),
        "type_weight": engine.get("type_weight", 0.0),
    }
    for name, value in knobs.items():
        integral = name != "retrieval_k" or isinstance(value, int)
        if isinstance(value, bool) or not isinstance(value, int | float) or not integral:
            raise BundleError(
                f"{bundle.path / 'config.json'}: engine.{name} must be a number >= 0, "
                f"got {value!r}; re-export the bundle"
            )
        if value < 0:
            raise BundleError(
                f"{bundle.path / 'config.json'}: engine.{name} must be >= 0, got {value!r}"
            )
    return knobs


def _build(cls: Any, config: dict, tensors: dict, bundle: Bundle, weights_name: str) -> Any:
    """`cls.from_parts(...)`, with a mismatch reported as a `BundleError` naming the weights."""
    try:
        return cls.for_inference(config, tensors, bundle.intent_tokenizer, bundle.code_tokenizer)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise BundleError(
            f"{bundle.path / weights_name}: does not fit config.json ({exc}); "
            "re-export the bundle with `codeqa-train export`"
        ) from None
