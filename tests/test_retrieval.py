"""model/retrieval.py: canonical entries, slot filling, TF-IDF/BM25 ranking, storage, scores."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from codeqa_model import retrieval
from codeqa_model.retrieval import (
    RetrievalIndex,
    combine_with_retrieval,
    entry_from_pair,
    fill,
    stem,
    terms,
)
from codeqa_model.slots import canonicalize_intent

# Hand-written pairs in the shape of the training data (CoNaLa-style quoting, doc-style calls).
PAIRS = [
    ("copy file `src` to `dst`", "shutil.copy(src, dst)", "conala"),
    ("get the current working directory", "os.getcwd()", "conala"),
    ("sort list `xs` in reverse order", "xs.sort(reverse=True)", "conala"),
    ("split string 'a,b' on ','", "'a,b'.split(',')", "conala"),
    ("Return a string representing the current working directory.", "os.getcwd()", "apidocs"),
    ("Create a directory named `path`.", "os.mkdir(path)", "apidocs"),
    ("Remove (delete) the file `path`.", "os.remove(path)", "apidocs"),
]


@pytest.fixture(params=["tfidf", "bm25"])
def index(request: pytest.FixtureRequest) -> RetrievalIndex:
    return RetrievalIndex.from_pairs(PAIRS, scheme=request.param)


def test_terms_stem_split_identifiers_and_drop_placeholders_and_stop_words() -> None:
    assert stem("sorting") == "sort" and stem("files") == "file" and stem("copies") == "copy"
    assert stem("matches") == "match" and stem("string") == "string"  # stem too short
    assert stem("is") == "is" and stem("class") == "class"
    assert terms("join var_0 with os.path.join in str_1") == ["join", "os", "path", "join"]
    # users' words meet the docs' ("Return the sample arithmetic mean of data")
    assert terms("get the average of var_0") == terms("get the mean of var_0") == ["get", "mean"]


def test_entry_is_canonical_and_keeps_its_own_values() -> None:
    entry = entry_from_pair("copy file `src` to `dst`", "shutil.copy(src, dst)", "conala")
    assert entry.intent == "copy file var_0 to var_1"
    assert entry.code == "shutil.copy(var_0, var_1)"
    assert dict(entry.values) == {"var_0": "src", "var_1": "dst"}


def test_fill_uses_intent_values_with_spans_else_entry_values() -> None:
    _, slots = canonicalize_intent("copy `a.txt` somewhere")
    code, spans = fill("shutil.copy(var_0, var_1)", slots, {"var_0": "src", "var_1": "dst"})
    assert code == "shutil.copy(a.txt, dst)"
    assert [code[s:e] for s, e in spans] == ["a.txt"]
    # a placeholder nobody knows stays as written
    assert fill("f(var_5)", canonicalize_intent("nothing quoted")[1], {})[0] == "f(var_5)"
    # the intent's unused values fill the entry's other placeholders in order, any kind
    _, quoted = canonicalize_intent("copy 'a.txt' to 'b.txt'")
    code, spans = fill("shutil.copy(var_0, var_1)", quoted, {"var_0": "src", "var_1": "dst"})
    assert code == "shutil.copy('a.txt', 'b.txt')"
    assert [code[s:e] for s, e in spans] == ["'a.txt'", "'b.txt'"]
    code, _ = fill("f(var_0, var_0, var_1)", quoted, {})
    assert code == "f('a.txt', 'a.txt', 'b.txt')"


def test_nearest_entry_wins_and_values_are_put_in(index: RetrievalIndex) -> None:
    hits = index.candidates("copy the file `old` to `new`", k=3)
    assert hits[0].code == "shutil.copy(old, new)"
    assert [hits[0].code[s:e] for s, e in hits[0].slot_spans] == ["old", "new"]
    assert 0.0 < hits[0].similarity <= 1.0
    assert all(a.similarity >= b.similarity for a, b in itertools.pairwise(hits))


def test_doc_entries_answer_everyday_phrasing(index: RetrievalIndex) -> None:
    assert index.candidates("make a directory `out`", k=1)[0].code == "os.mkdir(out)"
    assert index.candidates("delete file `p`", k=1)[0].code == "os.remove(p)"


def test_a_word_and_its_past_form_are_one_search_word() -> None:
    # `stem` takes "merged" to "merg" and leaves "merge": `fold` makes them one
    pairs = [
        ("Create a new dictionary with the merged keys and values of `d` and `other`.",
         "d | other", "apidocs"),
        ("Return a dictionary of the keys of `d`.", "dict.fromkeys(d)", "apidocs"),
    ]  # fmt: skip
    assert retrieval.fold("merge") == retrieval.fold("merg") == "merg"
    for scheme in ("bm25", "tfidf"):
        index = RetrievalIndex.from_pairs(pairs, scheme=scheme)
        assert index.candidates("merge dict `a` into `b`", 1)[0].code == "a | b"


def test_duplicate_code_is_returned_once(index: RetrievalIndex) -> None:
    codes = [h.code for h in index.candidates("current working directory", k=5)]
    assert codes.count("os.getcwd()") == 1
    assert codes[0] == "os.getcwd()"


def test_numbers_are_values_not_query_words() -> None:
    pairs = [
        ("Get the first and last 3 elements of list `a`", "a[:3] + a[-3:]", "conala"),
        ("get the last 10 elements from a list `a`", "a[-10:]", "conala"),
    ]
    for scheme in ("bm25", "tfidf"):
        index = RetrievalIndex.from_pairs(pairs, scheme=scheme)
        assert index.candidates("get the last 3 elements of list `xs`", 1)[0].code == "xs[-3:]"
        assert index.candidates("3", 1) == []  # a number alone finds nothing


def test_no_shared_words_no_hits(index: RetrievalIndex) -> None:
    assert index.candidates("zzz qqq", k=5) == []
    assert index.candidates("the of a", k=5) == []  # stop words only
    assert index.search("copy file", k=0) == []


def test_json_round_trip_gives_the_same_answers(index: RetrievalIndex) -> None:
    again = RetrievalIndex.from_json(index.to_json())
    assert again.scheme == index.scheme and again.entries == index.entries
    for query in ("copy file `x` to `y`", "current directory", "split 'q,r' on ','"):
        assert again.candidates(query, 3) == index.candidates(query, 3)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": 99, "sources": [], "entries": []}),
        json.dumps({"format": 1, "sources": ["a"], "entries": [["i", "c", [], 3]]}),
        json.dumps({"format": 1, "sources": ["a"], "entries": [["i", "c", [["x"]], 0]]}),
        json.dumps({"format": 1, "sources": ["a"], "entries": "nope"}),
    ],
)
def test_malformed_index_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        RetrievalIndex.from_json(text)


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme"):
        RetrievalIndex([], scheme="dense")


def test_combined_scores_match_the_rerank_formula() -> None:
    beam = [-0.1, -1.0]
    share = np.exp(np.array(beam) - max(beam))
    share /= share.sum()
    probs = [0.2, 0.9, 0.6]
    got = combine_with_retrieval(beam, [0.5], probs, weight=0.4, retrieval_weight=0.8)
    want = 0.6 * np.array([share[0], share[1], 0.8 * 0.5]) + 0.4 * np.array(probs)
    np.testing.assert_allclose(got, want)
    # retrieval weight 0 leaves a retrieved candidate only its match probability
    assert combine_with_retrieval([], [1.0], [0.7], 0.5, 0.0).tolist() == [0.35]
    with pytest.raises(ValueError):
        combine_with_retrieval(beam, [0.5], [0.1, 0.2], 0.5, 1.0)


# ------------------------------------------------------------------ in the Engine


class _OneGuess:
    """A generator double: always the same single candidate."""

    def generate(self, intent: str, k: int = 5, max_len: int | None = None) -> list:
        from codeqa_model.generator import Candidate

        return [Candidate("len(intent)", -0.5, (), -0.5)]


class _LikesShutil:
    """A matcher double: high probability for code that calls shutil, low otherwise."""

    threshold = 0.1

    def score(self, pairs, batch_size: int = 256) -> np.ndarray:
        return np.array([0.9 if "shutil" in code else 0.1 for _, code in pairs])


def _engine(**knobs):
    from codeqa_model.inference import Engine

    index = RetrievalIndex.from_pairs(PAIRS, scheme="bm25")
    return Engine(_OneGuess(), _LikesShutil(), rerank_weight=0.5, retrieval=index, **knobs)


def test_engine_offers_retrieved_code_with_the_intents_values() -> None:
    found = _engine(retrieval_k=3, retrieval_weight=0.5).suggest("copy file `a` to `b`", k=5)
    assert found[0].code == "shutil.copy(a, b)"
    assert [found[0].code[s:e] for s, e in found[0].slot_spans] == ["a", "b"]
    assert "len(intent)" in [s.code for s in found]


def test_engine_takes_the_nearest_retrieved_code_that_passes_the_check() -> None:
    """A doc row whose receiver the user's code cannot have (`string_methods`, a pandas
    accessor) is nearer than the answer that runs; the runnable one takes the place."""
    from codeqa_model.inference import Engine

    pairs = [
        ("count the occurrences of each word in list var_0", "string_methods.count(var_0)", "x"),
        ("count occurrences of each item of var_0", "collections.Counter(var_0)", "conala"),
    ]
    index = RetrievalIndex.from_pairs(pairs, scheme="bm25")
    engine = Engine(_OneGuess(), _LikesShutil(), rerank_weight=0.0, retrieval=index, retrieval_k=1)
    intent = "count the occurrences of each word in list `words`"
    assert [h.code for h in index.candidates(intent, 1)] == ["string_methods.count(words)"]
    found = [s.code for s in engine.suggest(intent, k=5)]
    assert "collections.Counter(words)" in found
    assert "string_methods.count(words)" not in found


def test_engine_without_retrieval_candidates_keeps_the_beam_only() -> None:
    found = _engine(retrieval_k=0).suggest("copy file `a` to `b`", k=5)
    assert [s.code for s in found] == ["len(intent)"]


def test_consensus_weight_lifts_the_candidate_most_like_the_others() -> None:
    from codeqa_model.consensus import consensus_scores

    scores = consensus_scores(["os.remove(p)", "os.remove(q)", "print(1)"])
    assert scores[0] == scores[1] > scores[2] >= 0.0
    assert consensus_scores(["x"]).tolist() == [0.0]


def test_bundle_with_a_retrieval_file_loads_it_and_its_knobs(tmp_path) -> None:
    from codeqa_model.bundle import BundleError, save_bundle
    from codeqa_model.inference import Engine
    from tiny_models import engine_config, train_tiny

    parts = train_tiny()
    index = RetrievalIndex.from_pairs(PAIRS)

    def save(name: str, engine_knobs: dict, data: bytes):
        config = engine_config(parts)
        config["engine"].update(engine_knobs)
        return save_bundle(
            tmp_path / name,
            config=config,
            generator_tensors=parts.gen_tensors,
            matcher_tensors=parts.cls_tensors,
            intent_tokenizer=parts.intent_tok,
            code_tokenizer=parts.code_tok,
            model_card="# tiny\n",
            extra_files={"retrieval.json": data},
        )

    knobs = {"retrieval_k": 2, "retrieval_weight": 0.7, "consensus_weight": 0.3}
    knobs |= {"api_weight": 0.4, "missing_weight": 0.1, "type_weight": 0.6}
    engine = Engine.load(save("ok", knobs, index.to_json().encode()), threads=1)
    assert engine.info["retrieval"] == len(index)
    assert (engine.retrieval_k, engine.retrieval_weight, engine.consensus_weight) == (2, 0.7, 0.3)
    assert (engine.api_weight, engine.missing_weight, engine.type_weight) == (0.4, 0.1, 0.6)
    codes = [s.code for s in engine.suggest("copy file `a` to `b`", k=10)]
    assert "shutil.copy(a, b)" in codes
    with pytest.raises(BundleError, match="retrieval"):
        Engine.load(save("bad", {}, b"{not json"), threads=1)
    with pytest.raises(BundleError, match="retrieval_k"):
        Engine.load(save("neg", {"retrieval_k": -1}, index.to_json().encode()), threads=1)
    with pytest.raises(BundleError, match="type_weight"):
        Engine.load(save("neg2", {"type_weight": -0.5}, index.to_json().encode()), threads=1)
