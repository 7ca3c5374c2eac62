"""Intent tokenizer on real CoNaLa intents (canonicalised and raw)."""

from __future__ import annotations

import json
from pathlib import Path

from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.slots import canonicalize_intent

FIXTURES = Path(__file__).parent / "fixtures" / "text"


def test_canonical_intent_keeps_placeholders_whole() -> None:
    intent, _ = canonicalize_intent("read the contents of the file 'file.txt' into `txt`")
    assert tokenize_intent(intent) == [
        "read", "the", "contents", "of", "the", "file", "str_0", "into", "var_0",
    ]  # fmt: skip


def test_raw_intent_keeps_dotted_names_numbers_and_contractions() -> None:
    text = (
        "Check if date `yourdatetime` is equal to today's date via datetime.today(), 3.5 or 1,000"
    )
    assert tokenize_intent(text) == [
        "check", "if", "date", "`", "yourdatetime", "`", "is", "equal", "to", "today's", "date",
        "via", "datetime.today", "(", ")", ",", "3.5", "or", "1,000",
    ]  # fmt: skip


def test_placeholder_glued_to_attribute_is_split_off() -> None:
    assert tokenize_intent("sum var_0.values of MY_LIST.") == [
        "sum", "var_0", ".", "values", "of", "my_list", ".",
    ]  # fmt: skip


def test_every_fixture_intent_tokenizes_to_nonspace_pieces() -> None:
    for row in json.loads((FIXTURES / "conala_rows.json").read_text()):
        intent, slots = canonicalize_intent(row["rewritten_intent"])
        tokens = tokenize_intent(intent)
        assert tokens and all(t == t.lower() and t.strip() == t for t in tokens)
        for slot in slots:
            assert slot.placeholder in tokens
