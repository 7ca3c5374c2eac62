"""The numpy inference path computes what the torch networks compute, and never imports torch.

Tiny random networks (no training: the arithmetic is what is compared), real shapes: the
product generator's encoder and whole beam, the product classifier's forward pass with every
feature the shipped configuration turns on. Tolerances are float32 rounding.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from codeqa_model import seq2seq
from codeqa_model.beam import search
from codeqa_model.classifier import ClassifierConfig, MatchClassifier
from codeqa_model.numpy_classifier import NumpyMatchClassifier
from codeqa_model.numpy_encoder import EncoderWeights
from codeqa_model.numpy_seq2seq import NumpySeq2Seq, supports
from codeqa_model.seq2seq import PAD, GeneratorConfig, Seq2Seq
from tiny_models import train_tiny


def _arrays(module: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: t.detach().numpy().copy() for name, t in module.state_dict().items()}


def _generator(copy: bool, seed: int = 3) -> Seq2Seq:
    torch.manual_seed(seed)
    cfg = GeneratorConfig(
        src_vocab_size=30,
        tgt_vocab_size=24,
        emb_dim=8,
        out_dim=8,
        hidden=12,
        dropout=0.0,
        copy=copy,
    )
    return Seq2Seq(cfg).eval()


@pytest.mark.parametrize("src", [[7, 3, 29, 11, 4], [5], [12, 5, PAD, 7, 12]])
def test_the_numpy_encoder_computes_what_the_torch_encoder_does(src: list[int]) -> None:
    """States, attention keys and the decoder's first state, for one source (a <pad> inside
    included: the torch encoder reads it as the zero embedding, and so must numpy)."""
    model = _generator(copy=True)
    with torch.inference_mode():
        enc, keys, (h, c) = model.encode(torch.tensor([src]), torch.tensor([len(src)]))
    got_enc, got_keys, got_h, got_c = EncoderWeights.from_arrays(_arrays(model)).encode(
        np.asarray(src)
    )
    assert np.allclose(got_enc, enc[0].numpy(), atol=1e-6)
    assert np.allclose(got_keys, keys[0].numpy(), atol=1e-6)
    assert np.allclose(got_h, h[0].numpy(), atol=1e-6)
    assert np.allclose(got_c, c[0].numpy(), atol=1e-6)


@pytest.mark.parametrize("copy", [True, False])
def test_the_numpy_beam_finds_what_the_torch_beam_finds(copy: bool) -> None:
    """The whole search on the numpy network (built from arrays alone) against
    `seq2seq.beam_search` on the torch network: the same hypotheses, scores within rounding."""
    model = _generator(copy=copy, seed=11)
    net = NumpySeq2Seq(model.cfg, _arrays(model))
    src = [4, 9, 17, 2, 9, 25]
    copy_map = [3, 8, 24, 26, 8, 5] if copy else None
    n_ext = 3 if copy else 0
    for k, n in ((1, 0), (4, 0), (5, 3)):
        want = seq2seq.beam_search(model, src, copy_map, n_ext, k, 12, 1.0, n)
        step, state = net.stepper(src, copy_map, n_ext)
        got = search(step, state, k, 12, 1.0, n)
        assert [h.ids for h in got] == [h.ids for h in want]
        assert np.allclose([h.score for h in got], [h.score for h in want], atol=1e-5)


def test_the_numpy_generator_refuses_weights_of_another_shape() -> None:
    model = _generator(copy=True)
    arrays = _arrays(model)
    arrays["combine.weight"] = arrays["combine.weight"][:, :-1]
    with pytest.raises(ValueError, match=r"combine\.weight"):
        NumpySeq2Seq(model.cfg, arrays)
    arrays = _arrays(model)
    del arrays["gate.bias"]
    with pytest.raises(ValueError, match=r"gate\.bias"):
        NumpySeq2Seq(model.cfg, arrays)
    assert not supports(GeneratorConfig.named("baseline"))
    assert supports(GeneratorConfig())


def _classifier(seed: int = 7) -> MatchClassifier:
    """The shipped matcher's switches (CNN, alignment, lexical, parts), tiny sizes."""
    torch.manual_seed(seed)
    cfg = ClassifierConfig(
        intent_vocab=40,
        code_vocab=50,
        emb_dim=8,
        hidden=6,
        dropout=0.0,
        encoder="cnn",
        use_alignment=True,
        use_lexical=True,
        use_parts=True,
    )
    net = MatchClassifier(cfg).eval()
    with torch.no_grad():  # non-zero biases, so every term of the arithmetic shows
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
        net.intent_enc.embed.weight[PAD] = 0.0  # as training leaves them (padding_idx)
        net.code_enc.embed.weight[PAD] = 0.0
    return net


def _ids(rng: np.random.Generator, rows: int, vocab: int, longest: int) -> np.ndarray:
    """Right-padded ids, rows of different lengths, some with a <pad> inside."""
    out = np.zeros((rows, longest), dtype=np.int64)
    for r in range(rows):
        n = int(rng.integers(1, longest + 1))
        out[r, :n] = rng.integers(1, vocab, size=n)
        if n > 2 and r % 3 == 0:
            out[r, n // 2] = PAD
    return out


@pytest.mark.parametrize("rows", [1, 2, 9])
def test_the_numpy_classifier_computes_what_the_torch_classifier_does(rows: int) -> None:
    """Logits for a batch (torch convolves one row padded and several rows packed; numpy
    always packed) within float32 rounding."""
    net = _classifier()
    rng = np.random.default_rng(rows)
    intent, code = _ids(rng, rows, 40, 7), _ids(rng, rows, 50, 11)
    parts = _ids(rng, rows, 40, 5)
    lexical = rng.random((rows, net.config.n_lexical)).astype(np.float32)
    with torch.inference_mode():
        want = net(*(torch.from_numpy(a) for a in (intent, code, lexical, parts))).numpy()
    got = NumpyMatchClassifier(net.config, _arrays(net))(intent, code, lexical, parts)
    assert got.shape == (rows,)
    assert np.allclose(got, want, atol=1e-5)


def test_the_numpy_classifier_refuses_weights_of_another_shape() -> None:
    net = _classifier()
    arrays = _arrays(net)
    arrays["head.0.weight"] = arrays["head.0.weight"][:, 1:]
    with pytest.raises(ValueError, match=r"head\.0\.weight"):
        NumpyMatchClassifier(net.config, arrays)
    gru = ClassifierConfig.from_dict({**net.config.to_dict(), "encoder": "gru"})
    with pytest.raises(ValueError, match="CNN"):
        NumpyMatchClassifier(gru, _arrays(net))


def test_the_tiny_bundle_answers_alike_on_either_network() -> None:
    """`for_inference` (numpy) against `from_parts` (torch) on the same trained parts: the
    same candidates and scores within rounding; and `parts()` gives the arrays back."""
    from codeqa_model.generator import Generator
    from codeqa_model.matcher import Matcher

    p = train_tiny()
    arrays = {k: v.numpy() for k, v in p.gen_tensors.items()}
    numpy_gen = Generator.for_inference(p.gen_config, arrays, p.intent_tok, p.code_tok)
    torch_gen = Generator.from_parts(p.gen_config, p.gen_tensors, p.intent_tok, p.code_tok)
    assert isinstance(numpy_gen.model, NumpySeq2Seq)
    for intent in ("sort list `xs`", "read file 'a.txt'", "convert string `s` to int"):
        got, want = numpy_gen.generate(intent, k=3), torch_gen.generate(intent, k=3)
        assert [c.code for c in got] == [c.code for c in want]
        assert np.allclose([c.score for c in got], [c.score for c in want], atol=1e-5)
    config, again = numpy_gen.parts()
    assert config == p.gen_config and set(again) == set(p.gen_tensors)
    assert all(np.array_equal(again[k], v.numpy()) for k, v in p.gen_tensors.items())

    cls_arrays = {k: v.numpy() for k, v in p.cls_tensors.items()}
    numpy_m = Matcher.for_inference(p.cls_config, cls_arrays, p.intent_tok, p.code_tok)
    torch_m = Matcher.from_parts(p.cls_config, p.cls_tensors, p.intent_tok, p.code_tok)
    assert isinstance(numpy_m.net, NumpyMatchClassifier)
    pairs = [("sort list `xs`", "xs.sort()"), ("sort list `xs`", "print(xs)")] * 3
    assert np.allclose(numpy_m.score(pairs), torch_m.score(pairs), atol=1e-6)
    assert np.array_equal(numpy_m.code_embeddings(), torch_m.code_embeddings())


def test_answering_from_the_shipped_bundle_never_imports_torch() -> None:
    """Load the shipped bundle, suggest, score and explain in a fresh interpreter: torch must
    not be among the imported modules afterwards."""
    script = textwrap.dedent(
        """
        import sys
        from codeqa_model.inference import Engine

        engine = Engine.load(None, threads=1)
        assert engine.suggest("sort list `xs` in reverse order", 5)
        scores = engine.score([("get the current working directory", "os.getcwd()")])
        assert 0.0 <= scores[0] <= 1.0
        engine.explain("get the current working directory", "os.listdir(path)")
        print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
