"""Matcher: the text pipeline, lexical features, parts round trip, batching and speed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from codeqa_model.classifier import LEXICAL_FEATURES, ClassifierConfig, MatchClassifier
from codeqa_model.code_tokens import tokenize_code
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.matcher import INTENT_CACHE_SIZE, Matcher, PairEncoder, collate
from codeqa_model.slots import canonicalize_code, canonicalize_intent
from codeqa_model.subword import SPECIAL_TOKENS, train_subword

torch.set_num_threads(1)
DATA = Path(__file__).parent / "fixtures" / "models" / "data"


def _rows() -> list[dict]:
    path = DATA / "generator" / "train.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def tokenizers():
    intents, codes = [], []
    for row in _rows():
        canonical, slots = canonicalize_intent(row["intent"])
        intents.append(tokenize_intent(canonical))
        codes.append(tokenize_code(canonicalize_code(row["snippet"], slots)))
    return (
        train_subword(intents, 300, special=SPECIAL_TOKENS),
        train_subword(codes, 300, special=SPECIAL_TOKENS),
    )


def _matcher(tokenizers, **kw: object) -> Matcher:
    torch.manual_seed(0)
    cfg = ClassifierConfig(
        intent_vocab=tokenizers[0].get_vocab_size(),
        code_vocab=tokenizers[1].get_vocab_size(),
        platt_a=0.5,
        platt_b=0.25,
        threshold=0.4,
        **kw,
    )
    config, tensors = cfg.to_dict(), MatchClassifier(cfg).state_dict()
    return Matcher.from_parts(config, tensors, *tokenizers)


def test_lexical_features_hand_worked(tokenizers) -> None:
    enc = PairEncoder(*tokenizers, max_intent=40, max_code=80)
    pair = enc.encode("copy file 'a.txt' to `dst`", "shutil.copy('a.txt', dst)")
    feats = dict(zip(LEXICAL_FEATURES, pair.lexical, strict=True))
    # both slots (str_0, var_0) appear in the code
    assert feats["slot_coverage"] == 1.0
    # intent content words {copy, file}; code words {shutil, copy}: one shared
    assert feats["word_overlap"] == 0.5
    assert feats["code_word_overlap"] == 0.5
    assert feats["log_intent_len"] == pytest.approx(math.log1p(5))
    assert feats["log_code_len"] == pytest.approx(math.log1p(8))
    miss = enc.encode("copy file 'a.txt' to `dst`", "print(x)")
    assert miss.lexical[0] == 0.0 and miss.lexical[1] == 0.0


def test_ids_are_capped_and_never_empty(tokenizers) -> None:
    enc = PairEncoder(*tokenizers, max_intent=3, max_code=4)
    pair = enc.encode("sort the list `x` in reverse order please", "x.sort(reverse=True)")
    assert len(pair.intent_ids) == 3 and len(pair.code_ids) == 4
    empty = enc.encode("", "")
    assert empty.intent_ids == [1] and empty.code_ids == [1]  # a lone <unk>, not a crash
    ids, codes, lex = collate([pair, empty])
    assert ids.shape == (2, 3) and codes.shape == (2, 4) and lex.shape == (2, len(LEXICAL_FEATURES))
    assert ids[1].tolist() == [1, 0, 0]


def test_scores_are_calibrated_logits_in_input_order(tokenizers) -> None:
    m = _matcher(tokenizers)
    rows = _rows()[:10]
    pairs = [(r["intent"], r["snippet"]) for r in rows]
    probs = m.score(pairs, batch_size=3)
    z = m.logits(pairs, batch_size=4)
    assert probs.shape == (10,)
    assert np.allclose(probs, 1 / (1 + np.exp(-(0.5 * z + 0.25))))
    # batching does not change a pair's score
    assert np.allclose(m.score(pairs[4:5]), probs[4:5], atol=1e-6)
    assert m.threshold == 0.4
    assert m.score([]).shape == (0,)


def test_parts_round_trip(tokenizers) -> None:
    m = _matcher(tokenizers)
    config, tensors = m.parts()
    again = Matcher.from_parts(config, tensors, *tokenizers)
    pairs = [(r["intent"], r["snippet"]) for r in _rows()[:6]]
    assert np.array_equal(m.score(pairs), again.score(pairs))
    assert json.loads(json.dumps(config)) == config  # plain JSON, no pickle needed


def test_weights_that_do_not_fit_are_rejected(tokenizers) -> None:
    m = _matcher(tokenizers)
    config, tensors = m.parts()
    tensors.pop("head.0.weight")
    with pytest.raises(ValueError, match=r"missing \['head.0.weight'\]"):
        Matcher.from_parts(config, tensors, *tokenizers)
    with pytest.raises(ValueError, match="product classifier"):
        Matcher.from_parts({**config, "kind": "baseline"}, tensors, *tokenizers)


def test_encoded_intents_are_kept_within_their_bound_and_shared(tokenizers) -> None:
    enc = PairEncoder(*tokenizers, max_intent=40, max_code=80)
    first = [
        enc.encode("copy file 'a.txt' to `dst`", f"shutil.copy('a.txt', d{i})") for i in (1, 2)
    ]
    assert first[0].intent_ids == first[1].intent_ids
    assert enc._intent.cache_info().hits == 1  # one intent, encoded once for both codes
    for i in range(INTENT_CACHE_SIZE + 50):
        enc.encode(f"sort list number {i}", "sorted(xs)")
    assert enc._intent.cache_info().currsize == INTENT_CACHE_SIZE
    again = enc.encode("copy file 'a.txt' to `dst`", "shutil.copy('a.txt', d1)")
    assert again == first[0]  # pushed out, encoded anew: the same ids and features


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("split string 'a,b' on ','", 'x = "a,b".split(",")'),  # quoted differently
        ("split string 'a,b' on ','", "x = r'a,b'.split(',')"),
        ("sort list `items` in place", "items.sort()"),
        ("sort list `items` in place", "print(len(data))"),  # no value in the code
        ("print '' twice", "print('' * 2)"),  # an empty value is in every code
        ("add `df.a` and `b`", "df.a + df.ab + b"),
        ("read file 'data.csv'", "open('data.csv')  # 'data.csv'"),
        ("run 'ls -l'", "subprocess.call('ls -l | wc', shell=True)"),  # inside a literal
        ("call `f(`", "f(1)"),  # a bracket: lexed again
        ("nothing quoted here", "x = 1"),
    ],
)
def test_canonical_words_are_the_canonical_codes_tokens(intent: str, code: str) -> None:
    from codeqa_model.matcher import _canonical_words

    _, slots = canonicalize_intent(intent)
    want = tokenize_code(canonicalize_code(code, slots.observe(code)))
    assert _canonical_words(code, slots) == want


def test_encoding_skips_canonicalizing_code_without_the_intent_values(tokenizers, monkeypatch):
    import codeqa_model.matcher as matcher_module

    encoder = PairEncoder(*tokenizers, max_intent=40, max_code=80)
    calls: list[str] = []
    real = matcher_module.canonical_spans
    monkeypatch.setattr(
        matcher_module,
        "canonical_spans",
        lambda code, slots: calls.append(code) or real(code, slots),
    )
    encoder.encode("sort list `items` in place", "print(len(data))")
    assert calls == []
    encoder.encode("sort list `items` in place", "items.sort()")
    assert calls == ["items.sort()"]


def test_word_ids_are_encode_words(tokenizers) -> None:
    """In-vocabulary words are looked up, the rest WordPiece'd: the ids `encode_words` gives."""
    from codeqa_model.matcher import _word_ids
    from codeqa_model.subword import encode_words

    for tok in tokenizers:
        words = [*tok.get_vocab(with_added_tokens=True), "getcwd", "xyzzy_q", "", "##", "<nl>x"]
        word_ids = _word_ids(tok)
        for word in words:
            assert list(word_ids(word)) == encode_words(tok, [word]), word
