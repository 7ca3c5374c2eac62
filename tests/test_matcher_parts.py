"""Matcher inputs as users write code: identifier parts in the intent's word space, long blocks
cut at a line end, and mismatch explanations carried in the config (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from codeqa_model.classifier import ClassifierConfig, MatchClassifier
from codeqa_model.code_tokens import tokenize_code
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.matcher import Matcher, PairEncoder, collate, cut_at_line
from codeqa_model.slots import canonicalize_code, canonicalize_intent
from codeqa_model.subword import SPECIAL_TOKENS, decode_ids, train_subword

torch.set_num_threads(1)
DATA = Path(__file__).parent / "fixtures" / "models" / "data"


@pytest.fixture(scope="module")
def tokenizers():
    rows = [json.loads(x) for x in (DATA / "generator" / "train.jsonl").read_text().splitlines()]
    intents, codes = [], []
    for row in rows:
        canonical, slots = canonicalize_intent(row["intent"])
        intents.append([*tokenize_intent(canonical), "user", "name", "get"])
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
        **kw,
    )
    return Matcher.from_parts(cfg.to_dict(), MatchClassifier(cfg).state_dict(), *tokenizers)


def test_identifier_parts_are_intent_words(tokenizers) -> None:
    enc = PairEncoder(*tokenizers, max_intent=40, max_code=80, max_parts=48)
    pair = enc.encode("get the user name", "userName = get_user_name(db)")
    words = decode_ids(tokenizers[0], pair.parts_ids)
    assert {"user", "name", "get"} <= set(words)
    assert not PairEncoder(*tokenizers, max_intent=40, max_code=80).encode("a", "b").parts_ids


def test_parts_network_scores_and_old_configs_still_load(tokenizers) -> None:
    with_parts = _matcher(tokenizers, use_parts=True)
    probs = with_parts.score([("get the user name", "get_user_name()"), ("sort", "x.sort()")])
    assert probs.shape == (2,) and np.all((probs > 0) & (probs < 1))
    batch = collate([with_parts.encoder.encode("a b", "c(d)")])
    assert len(batch) == 4  # ids, ids, lexical, parts
    old = _matcher(tokenizers).config.to_dict()
    del old["use_parts"], old["max_parts"]  # a config written before these keys existed
    cfg = ClassifierConfig.from_dict(old)
    assert not cfg.use_parts
    assert len(collate([_matcher(tokenizers).encoder.encode("a b", "c(d)")])) == 3


def test_long_code_is_cut_at_a_line_end() -> None:
    nl = 7
    ids = [1, 2, nl, 3, 4, 5, nl, 6, 8, 9, 10, 11]
    assert cut_at_line(ids, 9, nl) == [1, 2, nl, 3, 4, 5]  # not mid-way through `6 8 9`
    assert cut_at_line(ids, 20, nl) == ids
    assert cut_at_line([5] * 12, 9, nl) == [5] * 9  # no line end late enough: plain cut


def test_explanations_come_from_docs_in_the_config(tokenizers) -> None:
    docs = {"os.getcwd": "Return the current working directory", "os.listdir": "List entries"}
    plain = _matcher(tokenizers)
    assert plain.explain("get the current working directory", "os.listdir('.')") is None
    explained = _matcher(tokenizers, extra={"api_docs": docs}, threshold=1.0)
    reason = explained.explain("get the current working directory", "os.listdir('.')")
    # an untrained net judges every call wrong (threshold 1.0): the call is named either way
    assert reason is not None and reason.startswith("calls os.listdir")


def test_doc_overlap_favours_the_api_the_intent_describes(tokenizers) -> None:
    from codeqa_model.classifier import LEXICAL_FEATURES

    docs = {
        "os.getcwd": "Return a string representing the current working directory",
        "os.listdir": "Return a list containing the names of the entries in the directory",
    }
    enc = PairEncoder(*tokenizers, max_intent=40, max_code=80, max_parts=48, api_docs=docs)
    intent = "get the current working directory"
    right = dict(
        zip(LEXICAL_FEATURES, enc.encode(intent, "cwd = os.getcwd()").lexical, strict=True)
    )
    wrong = dict(
        zip(LEXICAL_FEATURES, enc.encode(intent, "x = os.listdir('.')").lexical, strict=True)
    )
    assert right["doc_overlap"] == 1.0 and wrong["doc_overlap"] < 0.5
    # the doc words join the identifier parts
    assert "working" in decode_ids(tokenizers[0], enc.encode(intent, "os.getcwd()").parts_ids)
