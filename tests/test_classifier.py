"""Classifier networks: shapes, padding invariance, calibration and threshold arithmetic."""

from __future__ import annotations

import pytest
import torch
from codeqa_model.classifier import (
    LEXICAL_FEATURES,
    BaselineClassifier,
    ClassifierConfig,
    MatchClassifier,
    build_classifier,
    calibrate,
    masked_max,
    masked_mean,
    threshold_for_false_alarms,
)

torch.set_num_threads(1)


def _product(**kw: object) -> MatchClassifier:
    torch.manual_seed(0)
    cfg = ClassifierConfig(intent_vocab=50, code_vocab=60, emb_dim=8, hidden=8, **kw)
    return MatchClassifier(cfg).eval()


def test_masked_pooling_ignores_padding() -> None:
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    mask = torch.tensor([[True, True, False]])
    assert masked_mean(x, mask).item() == 2.0
    assert masked_max(x, mask).item() == 3.0
    empty = torch.zeros(1, 3, dtype=torch.bool)
    assert masked_max(x, empty).item() == 0.0


def test_product_logits_do_not_depend_on_padding() -> None:
    net = _product()
    intent = torch.tensor([[5, 6, 7]])
    code = torch.tensor([[8, 9]])
    lex = torch.rand(1, len(LEXICAL_FEATURES))
    short = net(intent, code, lex)
    padded = net(torch.tensor([[5, 6, 7, 0, 0]]), torch.tensor([[8, 9, 0, 0, 0, 0]]), lex)
    assert short.shape == (1,)
    assert torch.allclose(short, padded, atol=1e-5)


def test_product_batch_rows_are_independent() -> None:
    net = _product()
    intents = torch.tensor([[5, 6, 7], [11, 12, 0]])
    codes = torch.tensor([[8, 9, 10, 0], [13, 14, 15, 16]])
    lex = torch.rand(2, len(LEXICAL_FEATURES))
    both = net(intents, codes, lex)
    second = net(torch.tensor([[11, 12]]), torch.tensor([[13, 14, 15, 16]]), lex[1:])
    assert torch.allclose(both[1:], second, atol=1e-5)


def test_packed_convolution_gives_the_padded_networks_logits() -> None:
    """Eval mode convolves rows end to end without their padding (`_packed_cnn`); the same
    network in train mode with dropout off takes the padded path: the logits must agree."""
    net = _product(use_parts=True, max_parts=6)
    with torch.no_grad():  # a real <pad> row stays zero in training; make sure it is here
        net.intent_enc.embed.weight[0].zero_()
        net.code_enc.embed.weight[0].zero_()
    gen = torch.Generator().manual_seed(3)
    lengths = [(1, 1), (4, 9), (2, 3), (7, 2), (3, 9)]
    intents = torch.zeros(len(lengths), 7, dtype=torch.long)
    codes = torch.zeros(len(lengths), 9, dtype=torch.long)
    for row, (li, lc) in enumerate(lengths):
        intents[row, :li] = torch.randint(1, 50, (li,), generator=gen)
        codes[row, :lc] = torch.randint(1, 60, (lc,), generator=gen)
    codes[1, 4] = 0  # a <pad> inside a row is masked like padding on both paths
    parts = torch.randint(1, 50, (len(lengths), 6), generator=gen)
    lex = torch.rand(len(lengths), len(LEXICAL_FEATURES), generator=gen)
    packed = net(intents, codes, lex, parts)
    net.train()
    for module in net.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    padded = net(intents, codes, lex, parts)
    assert torch.allclose(packed, padded, atol=1e-5)
    assert not torch.allclose(packed[:1], padded[1:2], atol=1e-3)  # rows really differ


def test_lexical_features_are_required_when_configured() -> None:
    with pytest.raises(ValueError, match="lexical"):
        _product()(torch.tensor([[5]]), torch.tensor([[6]]))
    plain = _product(use_lexical=False, use_alignment=False)
    assert plain(torch.tensor([[5]]), torch.tensor([[6]])).shape == (1,)


def test_baseline_is_the_seed_architecture() -> None:
    cfg = ClassifierConfig(kind="baseline", intent_dim=10, code_dim=12)
    net = build_classifier(cfg)
    assert isinstance(net, BaselineClassifier)
    linears = [m for m in net.mlp if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (22, 100), (100, 50), (50, 25), (25, 1),
    ]  # fmt: skip
    drops = [m.p for m in net.mlp if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.5, 0.5, 0.5]
    assert net.eval()(torch.rand(3, 10), torch.rand(3, 12)).shape == (3,)


def test_config_round_trip_and_unknown_keys() -> None:
    cfg = ClassifierConfig(intent_vocab=5, code_vocab=6, threshold=0.3, extra={"a": "b"})
    assert ClassifierConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown classifier config keys: bogus"):
        ClassifierConfig.from_dict({"bogus": 1})
    with pytest.raises(ValueError, match="unknown classifier kind"):
        build_classifier(ClassifierConfig(kind="other"))


def test_platt_calibration_recovers_a_known_link() -> None:
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(4000, generator=gen) * 3
    true_a, true_b = 0.5, -1.0
    y = torch.bernoulli(torch.sigmoid(true_a * z + true_b), generator=gen)
    a, b = calibrate(z, y)
    assert a == pytest.approx(true_a, abs=0.1)
    assert b == pytest.approx(true_b, abs=0.15)


def test_threshold_flags_the_stated_share_of_true_matches() -> None:
    probs = torch.linspace(0.01, 1.0, 100)
    t = threshold_for_false_alarms(probs, 0.05)
    assert (probs < t).float().mean().item() == pytest.approx(0.05, abs=0.011)
    with pytest.raises(ValueError, match="false-alarm rate"):
        threshold_for_false_alarms(probs, 0.0)


# -- baseline inputs: averaged embeddings and the decoder's h ⊙ c ------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from codeqa_train import fit_classifier  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

DATA = Path(__file__).parent / "fixtures" / "models" / "data"


def test_average_vectors_skips_unknown_tokens() -> None:
    vocab = ["a", "b", "c"]
    vectors = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 9.0]], dtype=np.float32)
    out = fit_classifier.average_vectors([["a", "b", "zzz"], ["zzz"], ["c"]], vocab, vectors)
    assert out.tolist() == [[2.0, 1.0], [0.0, 0.0], [0.0, 9.0]]


def _tiny_generator_run(tmp_path: Path, preset: str) -> Path:
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.generator import Generator
    from codeqa_model.intent_tokens import tokenize_intent
    from codeqa_model.seq2seq import GeneratorConfig, Seq2Seq
    from codeqa_model.slots import canonicalize_code, canonicalize_intent
    from codeqa_model.subword import SPECIAL_TOKENS, train_subword

    rows = [json.loads(x) for x in (DATA / "generator" / "train.jsonl").open()]
    intents, codes = [], []
    for r in rows:
        canonical, slots = canonicalize_intent(r["intent"])
        intents.append(tokenize_intent(canonical))
        codes.append(tokenize_code(canonicalize_code(r["snippet"], slots)))
    itok = train_subword(intents, 200, special=SPECIAL_TOKENS)
    ctok = train_subword(codes, 200, special=SPECIAL_TOKENS)
    small = {"emb_dim": 8, "hidden": 8, "out_dim": 8, "tie_embeddings": preset == "product"}
    cfg = GeneratorConfig.named(
        preset, src_vocab_size=itok.get_vocab_size(), tgt_vocab_size=ctok.get_vocab_size(), **small
    )
    torch.manual_seed(0)
    config, tensors = Generator(cfg, Seq2Seq(cfg), itok, ctok).parts()
    final = tmp_path / "gen" / "final"
    final.mkdir(parents=True)
    (final / "config.json").write_text(json.dumps(config))
    save_file(tensors, str(final / "weights.safetensors"))
    (final / "intent_tokenizer.json").write_text(itok.to_str())
    (final / "code_tokenizer.json").write_text(ctok.to_str())
    return tmp_path / "gen"


@pytest.mark.parametrize("preset", ["baseline", "product"])
def test_decoder_h_odot_c_is_per_pair_and_batch_independent(tmp_path: Path, preset: str) -> None:
    run = _tiny_generator_run(tmp_path, preset)
    pairs = fit_classifier.read_pairs(DATA, "valid")[:9]
    batched = fit_classifier.decoder_h_odot_c(run, pairs, batch_size=4)
    one = fit_classifier.decoder_h_odot_c(run, pairs[5:6], batch_size=1)
    assert batched.shape == (9, 8)
    assert np.abs(batched).sum() > 0
    assert np.allclose(batched[5], one[0], atol=1e-5)
    # the same snippet read after a different intent gives a different state
    assert not np.allclose(batched[0], batched[1])
