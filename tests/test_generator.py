"""The runtime generator: shared preprocessing, slot restoration, ranking, parts round trip.

A tiny model is overfitted on six CoNaLa fixture rows (tests/fixtures/models/, see its
ATTRIBUTION.md) so `generate` has something real to return within a few seconds.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import torch
from codeqa_model.generator import Generator, encode_source, parses, restore_with_spans
from codeqa_model.seq2seq import GeneratorConfig, Seq2Seq
from codeqa_model.slots import canonicalize_intent, restore_code
from codeqa_model.subword import pieces_to_words
from codeqa_train.fit_generator import build_tokenizers, collate, encode_rows, read_jsonl
from safetensors.torch import load, load_file, save

torch.set_num_threads(1)

FIXTURE = Path(__file__).parent / "fixtures" / "models" / "data" / "generator" / "train.jsonl"
MEMORISED = [4, 10, 16, 40, 41, 44]  # short snippets whose intents back-tick their names


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl(FIXTURE)


@pytest.fixture(scope="module")
def generator(rows: list[dict]) -> Generator:
    cfg = GeneratorConfig.named(
        "product", emb_dim=32, out_dim=32, hidden=64, dropout=0.0, src_vocab_size=300
    )
    intent_tok, code_tok = build_tokenizers(rows, cfg)
    cfg = GeneratorConfig.from_dict(
        {
            **cfg.to_dict(),
            "src_vocab_size": intent_tok.get_vocab_size(),
            "tgt_vocab_size": code_tok.get_vocab_size(),
        }
    )
    examples, _ = encode_rows([rows[i] for i in MEMORISED], intent_tok, code_tok, cfg, True)
    torch.manual_seed(0)
    model = Seq2Seq(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch = collate(examples)
    for _ in range(120):
        loss = model(**batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.05, f"tiny model failed to memorise its six rows (loss {loss.item()})"
    return Generator(cfg, model, intent_tok, code_tok)


def test_source_placeholders_copy_to_the_same_code_token(generator: Generator) -> None:
    src = encode_source(
        "get output from process `p1`", generator.intent_tok, generator.code_tok, 35
    )
    pieces = [generator.intent_tok.id_to_token(i) for i in src.ids]
    assert "var_0" in pieces
    at = pieces.index("var_0")
    assert src.copy_map[at] == generator.code_tok.token_to_id("var_0")
    assert src.slots["var_0"].value == "p1"
    for i, mapped in zip(src.ids, src.copy_map, strict=True):
        piece = generator.intent_tok.id_to_token(i)
        if mapped < generator.cfg.tgt_vocab_size:
            assert generator.code_tok.id_to_token(mapped) == piece
        else:
            assert src.extra[mapped - generator.cfg.tgt_vocab_size] == piece


def test_generate_reproduces_memorised_code_with_new_slot_values(generator: Generator) -> None:
    cands = generator.generate("get output from process `worker`", k=3)
    assert cands[0].code == "worker.communicate()[0]"
    start, end = cands[0].slot_spans[0]
    assert cands[0].code[start:end] == "worker"
    cands = generator.generate("get the dimensions of numpy array `grid`", k=3)
    assert cands[0].code == "N.shape(grid)"


def test_candidates_are_distinct_ranked_and_parsing_first(generator: Generator) -> None:
    cands = generator.generate("sort a list of lists `rows` by index 2 of the inner list", k=5)
    assert 1 <= len(cands) <= 5
    codes = [c.code for c in cands]
    assert len(set(codes)) == len(codes)
    flags = [parses(c) for c in codes]
    assert flags == sorted(flags, reverse=True)  # every parsing candidate before any that fails
    assert all(c.logprob <= 0 for c in cands)
    assert codes[0] == "rows.sort(key=(lambda x: x[2]))"
    ast.parse(codes[0])


def test_parts_round_trip_through_safetensors(generator: Generator) -> None:
    config, tensors = generator.parts()
    assert "out.weight" not in tensors  # tied to tgt_embed.weight, stored once
    again = Generator.from_parts(
        config, load(save(tensors)), generator.intent_tok, generator.code_tok
    )
    intent = "extract first column from a multi-dimensional array `table`"
    assert again.generate(intent, k=3) == generator.generate(intent, k=3)


def test_from_parts_rejects_weights_of_another_shape(generator: Generator) -> None:
    config, tensors = generator.parts()
    tensors["out.bias"] = torch.zeros(3)
    with pytest.raises(ValueError, match=r"size mismatch for out\.bias"):
        Generator.from_parts(config, tensors, generator.intent_tok, generator.code_tok)
    with pytest.raises(ValueError, match="tokenizer has"):
        Generator.from_parts(
            {**config, "tgt_vocab_size": config["tgt_vocab_size"] + 1},
            tensors,
            generator.intent_tok,
            generator.code_tok,
        )


def test_generate_rejects_an_empty_intent(generator: Generator) -> None:
    with pytest.raises(ValueError, match="non-empty intent"):
        generator.generate("   ")


def test_restore_with_spans_agrees_with_restore_code() -> None:
    _canon, slots = canonicalize_intent("copy file `src` to 'out dir'")
    code = "shutil.copy(var_0, str_0) or var_0 + var_9"
    restored, spans = restore_with_spans(code, slots)
    assert restored == restore_code(code, slots) == "shutil.copy(src, 'out dir') or src + var_9"
    assert [restored[s:e] for s, e in spans] == ["src", "'out dir'", "src"]


def test_pieces_merge_into_words_with_specials_kept_whole() -> None:
    words = pieces_to_words(["<s>", "os", ".", "pa", "##th", "var_0", "##x", "</s>"], {"var_0"})
    assert words == ["os", ".", "path", "var_0", "x"]


def _fit(run_dir: Path, *extra: str) -> None:
    from codeqa_train.cli import main

    args = ["fit-generator", "--data", str(FIXTURE.parent.parent), "--run-dir", str(run_dir)]
    args += ["--max-train", "8", "--src-vocab", "200", "--tgt-vocab", "300", "--emb-dim", "16"]
    args += ["--out-dim", "16", "--hidden", "32", "--valid-source", "", "--no-progress", *extra]
    assert main(args) == 0


def test_cli_resume_after_one_epoch_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    # Both runs share one pair of tokenizers: `train_subword` does not yet give the same ids
    # on every run, and this test is about the training state, not the vocabulary.
    _fit(tmp_path / "resumed", "--epochs", "1")  # "interrupted" after epoch 1's checkpoint
    shared = ("--tokenizers", str(tmp_path / "resumed"))
    _fit(tmp_path / "straight", "--epochs", "2", *shared)
    _fit(tmp_path / "resumed", "--epochs", "2", "--resume", *shared)
    straight = load_file(str(tmp_path / "straight" / "final" / "weights.safetensors"))
    resumed = load_file(str(tmp_path / "resumed" / "final" / "weights.safetensors"))
    assert straight.keys() == resumed.keys()
    for name, tensor in straight.items():
        assert torch.equal(tensor, resumed[name]), name
    metrics = [
        (tmp_path / run / "metrics.jsonl").read_text().splitlines()
        for run in ("straight", "resumed")
    ]
    losses = [[json.loads(line)["valid_loss"] for line in lines] for lines in metrics]
    assert len(losses[0]) == 2 and losses[0] == losses[1]


def test_cli_init_from_fine_tunes_the_base_run_itself(tmp_path: Path) -> None:
    """`--init-from` starts from the base run's weights, tokenizers and shape (shape flags given
    on the command line are overridden): with a zero learning rate nothing moves."""
    _fit(tmp_path / "base", "--epochs", "1")
    _fit(tmp_path / "tuned", "--epochs", "1", "--lr", "0", "--init-from", str(tmp_path / "base"))
    base, tuned = (tmp_path / run / "final" for run in ("base", "tuned"))
    assert json.loads((tuned / "config.json").read_text()) == json.loads(
        (base / "config.json").read_text()
    )
    for name in ("intent_tokenizer.json", "code_tokenizer.json"):
        assert (tuned / name).read_bytes() == (base / name).read_bytes()
    before = load_file(str(base / "weights.safetensors"))
    after = load_file(str(tuned / "weights.safetensors"))
    assert before.keys() == after.keys()
    for name, tensor in before.items():
        assert torch.equal(tensor, after[name]), name
