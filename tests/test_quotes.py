"""CoNaLa's triple-quoted one-line literals come out with plain quotes."""

from __future__ import annotations

from codeqa_model.quotes import plain_quotes
from codeqa_model.retrieval import fill
from codeqa_model.slots import canonicalize_intent


def test_one_line_triple_quoted_literals_get_plain_quotes() -> None:
    assert plain_quotes('""" """.join(words)') == "' '.join(words)"
    assert plain_quotes('"""""".join(x)') == "''.join(x)"
    assert plain_quotes("b'''abc'''") == "b'abc'"


def test_literals_whose_spelling_matters_are_kept() -> None:
    for code in ('x = """a\nb"""', 'print("""it\'s""")', "r'''\\d+'''", 's = "a"""'):
        assert plain_quotes(code) == code


def test_retrieved_code_is_shown_with_plain_quotes() -> None:
    canon, slots = canonicalize_intent("join list `words` with spaces")
    code, spans = fill('""" """.join(var_0)', slots, {}, "", canon)
    assert code == "' '.join(words)"
    assert [code[s:e] for s, e in spans] == ["words"]
