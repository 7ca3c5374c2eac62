"""Sub-word vocabularies: exact word round trip, fixed special ids, <unk>, save/load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeqa_model.code_tokens import tokenize_code
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.slots import canonicalize_pair
from codeqa_model.subword import (
    SPECIAL_TOKENS,
    decode_ids,
    encode_words,
    load_tokenizer,
    save_tokenizer,
    train_subword,
    word_starts,
)
from tokenizers import Tokenizer

FIXTURES = Path(__file__).parent / "fixtures" / "text"
ROWS = json.loads((FIXTURES / "conala_rows.json").read_text())
TRAIN_ROWS, HELD_OUT_ROWS = ROWS[:14], ROWS[14:]


def _sequences(rows: list[dict]) -> tuple[list[list[str]], list[list[str]]]:
    intents, codes = [], []
    for row in rows:
        intent, code, _ = canonicalize_pair(row["rewritten_intent"], row["snippet"])
        intents.append(tokenize_intent(intent))
        codes.append(tokenize_code(code))
    return intents, codes


@pytest.fixture(scope="module")
def tokenizers_() -> tuple[Tokenizer, Tokenizer]:
    intents, codes = _sequences(TRAIN_ROWS)
    return train_subword(intents, vocab_size=300), train_subword(codes, vocab_size=300)


def test_special_ids_are_fixed_by_order(tokenizers_: tuple[Tokenizer, Tokenizer]) -> None:
    assert SPECIAL_TOKENS[:4] == ["<pad>", "<unk>", "<s>", "</s>"]
    assert len(SPECIAL_TOKENS) == 27
    for tok in tokenizers_:
        assert [tok.token_to_id(t) for t in SPECIAL_TOKENS] == list(range(len(SPECIAL_TOKENS)))


def test_round_trip_on_seen_and_unseen_words(tokenizers_: tuple[Tokenizer, Tokenizer]) -> None:
    intent_tok, code_tok = tokenizers_
    for rows in (TRAIN_ROWS, HELD_OUT_ROWS):
        intents, codes = _sequences(rows)
        for tok, sequences in ((intent_tok, intents), (code_tok, codes)):
            for words in sequences:
                ids = encode_words(tok, words)
                assert decode_ids(tok, ids) == words
                assert sum(word_starts(tok, ids)) == len(words)
    unseen = ["zyzzyva_qux", "'~|^'", "0x1F", "<nl>"]
    assert decode_ids(code_tok, encode_words(code_tok, unseen)) == unseen


def test_rare_words_split_into_pieces(tokenizers_: tuple[Tokenizer, Tokenizer]) -> None:
    _, code_tok = tokenizers_
    ids = encode_words(code_tok, ["zyzzyva"])
    assert len(ids) > 1
    assert word_starts(code_tok, ids) == [True] + [False] * (len(ids) - 1)


def test_placeholders_stay_single_ids_even_inside_literals(
    tokenizers_: tuple[Tokenizer, Tokenizer],
) -> None:
    intent_tok, _ = tokenizers_
    ids = encode_words(intent_tok, ["str_0", "var_9", "'%Y-var_0'", "<dedent>"])
    assert ids[0] == SPECIAL_TOKENS.index("str_0")
    assert ids[1] == SPECIAL_TOKENS.index("var_9")
    assert ids[-1] == SPECIAL_TOKENS.index("<dedent>")
    assert SPECIAL_TOKENS.index("var_0") not in ids[2:-1]
    assert decode_ids(intent_tok, ids) == ["str_0", "var_9", "'%Y-var_0'", "<dedent>"]


def test_unknown_characters_become_one_unk_per_word(
    tokenizers_: tuple[Tokenizer, Tokenizer],
) -> None:
    intent_tok, _ = tokenizers_
    ids = encode_words(intent_tok, ["sort", "naïve", "λ", "list"])
    unk = SPECIAL_TOKENS.index("<unk>")
    assert ids.count(unk) == 2
    assert decode_ids(intent_tok, ids) == ["sort", "<unk>", "<unk>", "list"]


def test_decode_drops_pad_and_sentence_marks(tokenizers_: tuple[Tokenizer, Tokenizer]) -> None:
    intent_tok, _ = tokenizers_
    ids = encode_words(intent_tok, ["sort", "var_0"])
    assert decode_ids(intent_tok, [2, *ids, 3, 0, 0]) == ["sort", "var_0"]
    stray = intent_tok.token_to_id("##t")
    assert stray is not None
    assert decode_ids(intent_tok, [SPECIAL_TOKENS.index("var_0"), stray]) == ["var_0", "t"]


def test_saved_json_reloads_to_identical_encodings(
    tokenizers_: tuple[Tokenizer, Tokenizer], tmp_path: Path
) -> None:
    _, code_tok = tokenizers_
    path = tmp_path / "code_tokenizer.json"
    save_tokenizer(code_tok, path)
    assert [p.name for p in tmp_path.iterdir()] == ["code_tokenizer.json"]  # no temp left
    loaded = load_tokenizer(path)
    _, codes = _sequences(ROWS)
    for words in codes:
        assert encode_words(loaded, words) == encode_words(code_tok, words)


def test_load_names_the_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"broken\.json"):
        load_tokenizer(bad)
