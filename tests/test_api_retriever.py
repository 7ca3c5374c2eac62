"""model/api_retriever.py + train/fit_retriever.py: API keys, the learned ranking, storage, and
a bundle with or without the retriever file."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from codeqa_model.api_retriever import ApiRetriever, api_keys, public_path
from codeqa_model.retrieval import RetrievalIndex, entries_digest, learned_features, load_index
from codeqa_model.slots import canonicalize_intent
from codeqa_train.fit_retriever import FitConfig, fit
from codeqa_train.retrieval_index import public_snippet

# How people ask (Stack Overflow style) and what the docs say, in the shape of the real pool.
PAIRS = [
    ("create directory `p` together with every missing parent directory", "os.makedirs(p)",
     "conala"),
    ("create directory 'a/b' when it does not exist yet, parents included",
     "os.makedirs('a/b', exist_ok=True)", "conala"),
    ("create nested directory `d` including all the intermediate levels",
     "os.makedirs(d, exist_ok=True)", "conala"),
    ("get the folder part of path `p`", "os.path.dirname(p)", "conala"),
    ("check if `s` has only digits", "s.isdigit()", "conala"),
    ("is string 'x1' all digits", "'x1'.isdigit()", "conala"),
    ("Recursive directory creation function. With arguments `name`.", "os.makedirs(name)",
     "mined"),
    ("Return the directory name of pathname `path`.", "os.path.dirname(path)", "mined"),
    ("Create a directory named `path`.", "os.mkdir(path)", "mined"),
    ("Checks for an ASCII decimal digit. With arguments `c`.", "curses.ascii.isdigit(c)",
     "mined"),
    ("Return true if all characters in the string are digits.", "str.isdigit()", "mined"),
]  # fmt: skip


def test_api_keys_name_public_apis_and_methods() -> None:
    assert api_keys("os.path.join(a, b)") == ("os.path.join",)
    assert api_keys("s.isdigit()") == api_keys("str.isdigit()") == (".isdigit",)
    assert api_keys("genericpath.getsize(p)") == ("os.path.getsize",)
    assert api_keys("np.array(x)") == ("numpy.array",)
    assert api_keys("from json import load\nload(f)") == ("json.load",)
    assert api_keys("list(set(items))") == ("list", "set")
    assert api_keys("print x") == ()
    assert public_path("ntpath.join") == "os.path.join" and public_path("os.sep") == "os.sep"


def test_private_doc_snippets_are_renamed_or_dropped() -> None:
    assert public_snippet("genericpath.getsize(filename)") == "os.path.getsize(filename)"
    assert public_snippet("_thread.exit()") is None
    assert public_snippet("json.load(fp)") == "json.load(fp)"


@pytest.fixture(scope="module")
def trained() -> tuple[RetrievalIndex, ApiRetriever]:
    index = RetrievalIndex.from_pairs(PAIRS, scheme="bm25")
    retriever = fit(index, {}, ["mined"], FitConfig(dim=16, epochs=60, batch=4, lr=0.05))
    return index, retriever


def test_learned_retriever_ranks_the_api_people_use(trained) -> None:
    _, retriever = trained
    canon, slots = canonicalize_intent("create directory 'out/logs'")
    top = retriever.top_apis(learned_features(canon, [s.value for s in slots]), 2)
    assert top[0][0] == "os.makedirs"
    canon, _ = canonicalize_intent("check if string 'abc' has only digits")
    assert retriever.top_apis(learned_features(canon), 1)[0][0] == ".isdigit"


def test_name_words_join_the_features_only_when_asked() -> None:
    from codeqa_train.fit_retriever import examples

    index = RetrievalIndex.from_pairs(PAIRS, scheme="bm25")
    plain, keys = examples(index, {}, ["mined"])
    named, same_keys = examples(index, {}, ["mined"], name_words=True)
    assert keys == same_keys and len(plain) == len(named)
    assert all(keys)  # every entry calls something: examples and entries align
    at = max(range(len(plain)), key=lambda i: len(index.name_terms[i]))
    assert index.name_terms[at]
    assert named[at].feats == (*plain[at].feats, *index.name_terms[at])


def test_blending_moves_the_popular_api_to_the_top(trained) -> None:
    index, retriever = trained
    intent = "create directory 'out/logs'"  # BM25 alone: the doc row for os.mkdir
    assert index.candidates(intent, 1)[0].code == "os.mkdir('out/logs')"
    blended = RetrievalIndex(
        index.entries, "bm25", learned=dataclasses.replace(retriever, weight=0.6)
    )
    assert blended.candidates(intent, 1)[0].code.startswith("os.makedirs('out/logs'")
    digits = blended.candidates("check if string 'abc' contains only digits", 2)
    assert digits[0].code == "'abc'.isdigit()"
    assert all(0.0 < h.similarity <= 1.0 for h in digits)


def test_storage_round_trip_and_refusals(trained) -> None:
    index, retriever = trained
    retriever = dataclasses.replace(retriever, weight=0.5)
    blob = retriever.to_bytes()
    again = ApiRetriever.from_bytes(blob)
    assert again.api_names == retriever.api_names and again.weight == 0.5
    assert np.array_equal(again.entry_api, retriever.entry_api)
    loaded = load_index(index.to_json().encode(), blob)
    query = "create directory `x`"
    assert loaded.candidates(query, 3) == RetrievalIndex(
        index.entries, "bm25", learned=again
    ).candidates(query, 3)
    assert again.entries_digest == entries_digest(index.entries)
    other = RetrievalIndex.from_pairs(PAIRS[:-1], scheme="bm25")
    with pytest.raises(ValueError, match="another"):
        load_index(other.to_json().encode(), blob)
    with pytest.raises(ValueError):
        ApiRetriever.from_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(ValueError, match="maps"):
        RetrievalIndex(other.entries, "bm25", learned=again)


def test_bundle_loads_with_and_without_the_retriever_file(tmp_path, trained) -> None:
    from codeqa_model.api_retriever import RETRIEVER_FILE
    from codeqa_model.bundle import BundleError
    from codeqa_model.inference import Engine
    from tiny_models import save_tiny_bundle, train_tiny

    index, retriever = trained
    parts = train_tiny()

    def save(name: str, extra: dict[str, bytes]):
        files = {"retrieval.json": index.to_json().encode(), **extra}
        return save_tiny_bundle(parts, tmp_path / name, extra_files=files)

    old = Engine.load(save("old", {}), threads=1)
    assert old.retrieval is not None and old.retrieval.learned is None
    blob = dataclasses.replace(retriever, weight=0.6).to_bytes()
    new = Engine.load(save("new", {RETRIEVER_FILE: blob}), threads=1)
    assert new.retrieval is not None and new.retrieval.learned is not None
    codes = [h.code for h in new._retrieved("create directory 'out/logs'")]
    assert codes[0].startswith("os.makedirs('out/logs'")
    with pytest.raises(BundleError, match="retriev"):
        Engine.load(save("bad", {RETRIEVER_FILE: b"junk"}), threads=1)


def test_at_most_two_hits_per_api_when_the_retriever_knows_them() -> None:
    from codeqa_model.retrieval import MAX_PER_API

    pairs = [
        (f"Serialize `obj` as JSON to `fp`, option {n}.", f"json.dump(obj, fp, opt{n}=None)", "d")
        for n in range(6)
    ] + [("save `obj` as json to file `fp`", "fp.write(json.dumps(obj))", "conala")]
    index = RetrievalIndex.from_pairs(pairs, scheme="bm25")
    plain = [h.code for h in index.candidates("serialize `x` as json to `f`", 5)]
    assert sum(c.startswith("json.dump(") for c in plain) > MAX_PER_API  # BM25 alone repeats
    retriever = fit(index, {}, ["d"], FitConfig(dim=8, epochs=5, batch=4))
    learned = RetrievalIndex(
        index.entries, "bm25", learned=dataclasses.replace(retriever, weight=0.1)
    )
    codes = [h.code for h in learned.candidates("serialize `x` as json to `f`", 5)]
    assert sum(c.startswith("json.dump(") for c in codes) == MAX_PER_API
    assert "f.write(json.dumps(x))" in codes


def test_words_inside_api_names_are_indexed() -> None:
    from codeqa_model.retrieval import name_words

    known = dict.fromkeys(["make", "get", "size", "copy", "file", "path", "os", "digit"], 9)
    assert name_words("os.makedirs(var_0)", known) == ["os", "create", "directory"]
    assert name_words("os.path.getsize(p)", known) == ["os", "path", "get", "size"]
    assert name_words("shutil.copyfile(a, b)", known) == ["copy", "file"]
    assert name_words("os.chdir(p)", known) == ["os", "change", "directory"]
    assert name_words("s.isdigit()", known) == ["digit"]  # "is" is a stop word
    assert name_words("var_0.isdigit()", known) == ["digit"]  # placeholders are no words
    assert name_words("x = 1", known) == []
    # a rare identifier users wrote in intents is still split; a common word is not
    rare = {**known, "getcwd": 2, "update": 40, "up": 40, "date": 40}
    assert name_words("os.getcwd()", rare) == ["os", "get", "current", "work", "directory"]
    assert name_words("d.update(e)", rare) == ["update"]
    # the doc row's own words never say "create directory"; its API's name does
    pairs = [
        ("Recursive directory creation function. With arguments `name`.", "os.makedirs(name)", "d"),
        ("Return the name of the current working directory tree root.", "tree.root()", "d"),
    ]
    hits = RetrievalIndex.from_pairs(pairs, "bm25").candidates("create directory 'out'", 1)
    assert hits[0].code == "os.makedirs('out')"
