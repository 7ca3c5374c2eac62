"""model/retrieval_postings.py: postings from stored terms, the same bits as a Python build."""

from __future__ import annotations

import base64
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from codeqa_model import retrieval
from codeqa_model.retrieval import RetrievalIndex
from codeqa_model.retrieval_postings import DocTerms, build_postings, main

PAIRS = [
    ("copy file `src` to `dst`", "shutil.copy(src, dst)", "conala"),
    ("get the current working directory", "os.getcwd()", "conala"),
    ("sort list `xs` in reverse order", "xs.sort(reverse=True)", "conala"),
    ("split string 'a,b' on ',' and split again", "'a,b'.split(',')", "conala"),
    ("Return a string representing the current working directory.", "os.getcwd()", "apidocs"),
    ("Create a directory named `path`.", "os.makedirs(path)", "apidocs"),
    ("Remove (delete) the file `path`.", "os.remove(path)", "apidocs"),
]
# Repeated words (counts above 1), an entry with no terms at all, long and short entries.
DOCS = [
    Counter({"copy": 1, "file": 2, "src": 1}),
    Counter(),
    Counter({"file": 1, "directory": 3, "get": 1, "current": 1, "work": 1, "os": 1}),
    Counter({"sort": 1}),
    Counter({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1, "h": 1, "i": 2, "file": 1}),
]


def python_postings(
    docs: list[Counter[str]], scheme: str, k1: float = 1.2, b: float = 0.75
) -> tuple[dict[str, float], dict[str, tuple[list[int], list[float]]]]:
    """The plain-Python build the numpy one replaced, written out as the reference."""
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    avg_len = sum(sum(d.values()) for d in docs) / max(n, 1)
    rows: dict[str, tuple[list[int], list[float]]] = {}
    for i, doc in enumerate(docs):
        if scheme == "tfidf":
            weights = {w: (1 + math.log(c)) * idf[w] for w, c in doc.items()}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            weights = {w: v / norm for w, v in weights.items()}
        else:
            length = sum(doc.values())
            weights = {
                w: idf[w] * c * (k1 + 1) / (c + k1 * (1 - b + b * length / avg_len))
                for w, c in doc.items()
            }
        for w, v in weights.items():
            rows.setdefault(w, ([], []))
            rows[w][0].append(i)
            rows[w][1].append(v)
    return idf, rows


@pytest.mark.parametrize("scheme", ["tfidf", "bm25"])
def test_numpy_postings_are_the_python_builds_bits(scheme: str) -> None:
    idf, postings = build_postings(DocTerms.from_counters(DOCS), scheme, 1.2, 0.75)
    want_idf, want = python_postings(DOCS, scheme)
    assert idf == want_idf
    assert set(postings) == set(want)
    for word, (ids, weights) in want.items():
        assert postings[word][0].tolist() == ids
        assert postings[word][1].tolist() == weights  # exact: the same float operations


def test_doc_terms_keep_first_occurrence_order() -> None:
    doc_terms = DocTerms.from_counters(DOCS)
    assert len(doc_terms) == len(DOCS)
    for i, doc in enumerate(DOCS):
        assert doc_terms.terms_of(i) == list(doc)
    again = DocTerms.from_dict(json.loads(json.dumps(doc_terms.to_dict())), len(DOCS))
    assert again.vocab == doc_terms.vocab
    for a, b in ((again.ptr, doc_terms.ptr), (again.ids, doc_terms.ids)):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("scheme", ["tfidf", "bm25"])
def test_a_loaded_index_uses_the_stored_terms_and_answers_the_same(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = RetrievalIndex.from_pairs(PAIRS, scheme=scheme)
    text = built.to_json()
    assert json.loads(text)["format"] == retrieval.FORMAT == 2

    def no_tokenising(*_args: object, **_kwargs: object) -> list[str]:
        raise AssertionError("a load with stored terms must not look inside called names")

    with monkeypatch.context() as patched:
        patched.setattr(retrieval, "name_words", no_tokenising)
        loaded = RetrievalIndex.from_json(text)
    assert loaded.idf == built.idf
    for word, (ids, weights) in built.postings.items():
        assert np.array_equal(loaded.postings[word][0], ids)
        assert np.array_equal(loaded.postings[word][1], weights)
    assert loaded.name_terms == built.name_terms  # made on demand
    assert loaded.name_terms[1] == ["get", "current", "work", "directory"]  # os.getcwd
    for query in ("copy file `a` to `b`", "current directory", "make a folder 'out'"):
        assert loaded.candidates(query, 3) == built.candidates(query, 3)


def test_format_1_still_loads_and_tokenises() -> None:
    built = RetrievalIndex.from_pairs(PAIRS, scheme="bm25")
    data = json.loads(built.to_json())
    data["format"] = 1
    del data["doc_terms"]
    old = RetrievalIndex.from_json(json.dumps(data))
    assert old.idf == built.idf
    assert old.candidates("remove the file 'x'", 2) == built.candidates("remove the file 'x'", 2)


def test_terms_another_tokeniser_made_are_rebuilt() -> None:
    built = RetrievalIndex.from_pairs(PAIRS, scheme="tfidf")
    data = json.loads(built.to_json())
    stale = data["doc_terms"]["terms"]
    stale[stale.index("copy")] = "copi"  # entry 0 is spot-checked
    loaded = RetrievalIndex.from_json(json.dumps(data))
    assert "copi" not in loaded.postings and loaded.idf == built.idf


def _set(name: str, values: list[int], dtype: str = "<u2") -> object:
    data = np.asarray(values, dtype=np.dtype(dtype)).tobytes()
    return lambda t: t.update({name: {"dtype": dtype, "base64": base64.b64encode(data).decode()}})


@pytest.mark.parametrize(
    "change",
    [
        _set("sizes", [4, 4]),  # two entries, not seven
        _set("ids", [9999] * 30),  # ids past the vocabulary
        _set("counts", [0] * 30),  # a count of 0
        _set("counts", [1] * 31),  # more counts than ids
        lambda t: t.update(ids=[1, 2, 3]),  # a plain list
        lambda t: t.update(ids={"dtype": "<f8", "base64": ""}),  # not an integer type
        lambda t: t.update(ids={"dtype": "<u2", "base64": "not base64!"}),
        lambda t: t.update(ids={"dtype": "<u2", "base64": "AAAA"}),  # 3 bytes: a value and a half
        lambda t: t.update(terms="copy"),
    ],
)
def test_malformed_doc_terms_are_refused(change: object) -> None:
    data = json.loads(RetrievalIndex.from_pairs(PAIRS).to_json())
    change(data["doc_terms"])  # type: ignore[operator]
    with pytest.raises(ValueError, match="doc terms"):
        RetrievalIndex.from_json(json.dumps(data))


def test_upgrade_command_rewrites_a_format_1_file(tmp_path: Path) -> None:
    built = RetrievalIndex.from_pairs(PAIRS)
    data = json.loads(built.to_json())
    data["format"] = 1
    del data["doc_terms"]
    path = tmp_path / "retrieval.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main([str(path)]) == 0
    upgraded = json.loads(path.read_text(encoding="utf-8"))
    assert upgraded["format"] == 2 and upgraded["entries"] == data["entries"]
    assert upgraded["doc_terms"] == built.doc_terms.to_dict()


def test_load_index_remembers_by_content_a_few_indexes() -> None:
    texts = [RetrievalIndex.from_pairs(PAIRS[: 3 + i]).to_json().encode() for i in range(4)]
    first = retrieval.load_index(bytes(texts[0]))
    assert retrieval.load_index(bytes(bytearray(texts[0]))) is first  # equal bytes, another object
    assert len(first) == 3 and len(retrieval.load_index(texts[1])) == 4
    for text in [*texts[1:], texts[0].replace(b"shutil", b"shutils")]:
        retrieval.load_index(text)  # LOADED_KEPT newer ones push the first out
    assert retrieval.LOADED_KEPT == 4
    again = retrieval.load_index(texts[0])
    assert again is not first and again.entries == first.entries


def test_folded_terms_count_together_and_post_as_a_python_build_of_the_folded_docs() -> None:
    docs = [Counter({"merg": 1, "merge": 2, "dict": 1}), Counter(), Counter({"file": 1})]
    folded = DocTerms.from_counters(docs).folded(lambda w: w.removesuffix("e"))
    assert folded.vocab == ("merg", "dict", "fil")
    assert [sorted(folded.terms_of(i)) for i in range(3)] == [["dict", "merg"], [], ["fil"]]
    want_docs = [Counter({"merg": 3, "dict": 1}), Counter(), Counter({"fil": 1})]
    for scheme in ("tfidf", "bm25"):
        idf, postings = build_postings(folded, scheme, 1.2, 0.75)
        want_idf, want = python_postings(want_docs, scheme)
        assert idf == want_idf
        assert {w: (p[0].tolist(), p[1].tolist()) for w, p in postings.items()} == want
    same = DocTerms.from_counters(DOCS)
    assert same.folded(str).vocab == same.vocab  # nothing merged: the same arrays
