"""Sub-word vocabularies (Hugging Face ``tokenizers``) over already-split words.

Intents and code are split into words by ``model.intent_tokens`` / ``model.code_tokens``; this
module breaks rare words into WordPiece pieces so the vocabulary stays small yet every word made
of known characters is encodable. Pieces after the first carry the ``##`` marker, so ids decode
back to the exact words. Special tokens (placeholders, layout) are whole words with fixed ids and
are never split; a word with a character the vocabulary lacks becomes a single ``<unk>``.
"""

from __future__ import annotations

import os
import string
from collections.abc import Collection, Iterable, Iterator

from codeqa_model.atomic import atomic_write_text
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

__all__ = [
    "CONTINUATION",
    "SPECIAL_TOKENS",
    "decode_ids",
    "encode_words",
    "load_tokenizer",
    "pieces_to_words",
    "save_tokenizer",
    "train_subword",
    "word_starts",
]

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<s>", "</s>"
SPECIAL_TOKENS: list[str] = [
    PAD,
    UNK,
    BOS,
    EOS,
    *(f"str_{i}" for i in range(10)),
    *(f"var_{i}" for i in range(10)),
    "<nl>",
    "<indent>",
    "<dedent>",
]
CONTINUATION = "##"
_DROPPED_ON_DECODE = frozenset({PAD, BOS, EOS})
_WORD_SEP = "\x1f"  # joins words for the trainer; never inside a word we train on
# Every printable ASCII character, as a word start and as a continuation, so any ASCII word
# is encodable even if the corpus never showed that character in that position.
_ALPHABET_WORDS = [c + c for c in string.printable.strip()]


def _training_text(sequences: Iterable[list[str]], special: set[str]) -> Iterator[str]:
    """One trainer line per sequence; special tokens are left out (they are never split)."""
    yield _WORD_SEP.join(_ALPHABET_WORDS)
    for words in sequences:
        kept = [w for w in words if w and w not in special and _WORD_SEP not in w]
        if kept:
            yield _WORD_SEP.join(kept)


def train_subword(
    sequences: Iterable[list[str]],
    vocab_size: int = 5000,
    min_frequency: int = 2,
    special: list[str] | None = None,
) -> Tokenizer:
    """Train a WordPiece vocabulary on word sequences (e.g. ``tokenize_intent`` outputs).

    ``special`` defaults to ``SPECIAL_TOKENS``; ids follow its order (``<pad>`` = 0 …).
    """
    special = list(SPECIAL_TOKENS if special is None else special)
    tok = Tokenizer(
        models.WordPiece(
            unk_token=UNK, continuing_subword_prefix=CONTINUATION, max_input_chars_per_word=10_000
        )
    )
    tok.pre_tokenizer = pre_tokenizers.Split(_WORD_SEP, behavior="removed")
    tok.decoder = decoders.WordPiece(prefix=CONTINUATION)
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=special,
        continuing_subword_prefix=CONTINUATION,
        show_progress=False,
    )
    tok.train_from_iterator(_training_text(sequences, set(special)), trainer=trainer)
    for i, token in enumerate(special):
        if tok.token_to_id(token) != i:
            raise ValueError(f"special token {token!r} got id {tok.token_to_id(token)}, not {i}")
    return tok


def encode_words(tok: Tokenizer, words: list[str]) -> list[int]:
    """Sub-word ids of ``words``: a special token is its own id, other words are WordPiece'd.

    Words go through the model one by one (not the added-token matcher) so a placeholder-like
    substring inside a longer word, e.g. a string literal ``'<s>'``, is not cut out of it.
    """
    specials = _specials(tok)
    unk = tok.token_to_id(UNK)
    ids: list[int] = []
    for word in words:
        if word in specials:
            ids.append(specials[word])
        elif word:
            pieces = [piece.id for piece in tok.model.tokenize(word)]
            ids.extend(pieces or [unk])
    return ids


_SPECIALS_CACHE: dict[int, tuple[Tokenizer, dict[str, int]]] = {}


def _specials(tok: Tokenizer) -> dict[str, int]:
    """Special (added) token → id, looked up once per tokenizer (it sits on the scoring hot path).

    The cache holds the tokenizer itself, so its ``id`` cannot be reused by another object.
    """
    cached = _SPECIALS_CACHE.get(id(tok))
    if cached is None or cached[0] is not tok:
        mapping = {added.content: i for i, added in tok.get_added_tokens_decoder().items()}
        cached = _SPECIALS_CACHE[id(tok)] = (tok, mapping)
    return cached[1]


def word_starts(tok: Tokenizer, ids: list[int]) -> list[bool]:
    """For each id, whether it begins a new word (specials and non-``##`` pieces do)."""
    specials = _specials(tok)
    out = []
    for i in ids:
        token = tok.id_to_token(i)
        out.append(token is None or token in specials or not token.startswith(CONTINUATION))
    return out


def pieces_to_words(pieces: Iterable[str], specials: Collection[str]) -> list[str]:
    """Whole words from sub-word pieces: ``##`` pieces merged, ``<pad>``/``<s>``/``</s>`` dropped.

    `specials` stay whole words. A stray continuation piece (possible in model output, or in
    pieces the generator copied from the intent) after a special or at the start becomes a word
    of its own.
    """
    words: list[str] = []
    can_extend = False
    for piece in pieces:
        if piece in _DROPPED_ON_DECODE:
            continue
        if piece in specials:
            words.append(piece)
            can_extend = False
        elif piece.startswith(CONTINUATION) and can_extend:
            words[-1] += piece[len(CONTINUATION) :]
        else:
            words.append(piece.removeprefix(CONTINUATION))
            can_extend = True
    return words


def decode_ids(tok: Tokenizer, ids: list[int]) -> list[str]:
    """Whole words from ids (see `pieces_to_words`); an unknown id reads as ``<unk>``."""
    return pieces_to_words((tok.id_to_token(i) or UNK for i in ids), _specials(tok))


def save_tokenizer(tok: Tokenizer, path: str | os.PathLike[str]) -> None:
    """Write the tokenizer JSON atomically."""
    atomic_write_text(path, tok.to_str())


def load_tokenizer(path: str | os.PathLike[str]) -> Tokenizer:
    """Read a tokenizer JSON written by ``save_tokenizer``; errors name the file."""
    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises plain Exception on bad JSON
        raise ValueError(f"{path}: not a readable tokenizer JSON ({exc})") from exc
