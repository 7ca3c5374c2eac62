"""The match classifier's configuration (`ClassifierConfig`) and feature names, free of torch.

Stored as JSON beside the weights; read by training (`codeqa_model.classifier` builds the
networks from it) and by the server's numpy inference path, which never imports torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

ENCODER_KINDS = ("cnn", "gru")

# Names of the per-pair features `model.matcher.lexical_features` computes, in order.
LEXICAL_FEATURES: tuple[str, ...] = (
    "slot_coverage",  # share of the intent's slots whose placeholder appears in the code
    "word_overlap",  # share of intent content words found among the code's identifier parts
    "code_word_overlap",  # share of the code's identifier parts found among the intent words
    "log_intent_len",
    "log_code_len",
    "doc_overlap",  # share of intent content words in the docs of the APIs the code calls
)


@dataclass
class ClassifierConfig:
    """Everything needed to rebuild a classifier from its weights, stored as JSON."""

    kind: str = "product"  # "product" | "baseline"
    intent_vocab: int = 0
    code_vocab: int = 0
    emb_dim: int = 64
    hidden: int = 48
    dropout: float = 0.2
    encoder: str = "cnn"  # "cnn" | "gru"
    max_intent_len: int = 40
    max_code_len: int = 80
    use_alignment: bool = True
    use_lexical: bool = True
    n_lexical: int = len(LEXICAL_FEATURES)  # old bundles say 5: no doc_overlap
    use_parts: bool = False  # identifier parts in the intent's word space (False: old bundles)
    max_parts: int = 48
    use_docs: bool = False  # called APIs' doc words join the parts; needs extra["api_docs"]
    # baseline only: widths of the two fixed input vectors and of the dense stack
    intent_dim: int = 0
    code_dim: int = 0
    baseline_layers: tuple[int, ...] = (100, 50, 25)
    code_repr: str = "avg"  # baseline: "avg" (pretrained embeddings) or "hc" (decoder h ⊙ c)
    # calibration and decision threshold, filled in after training
    platt_a: float = 1.0
    platt_b: float = 0.0
    threshold: float = 0.5
    false_alarm_rate: float = 0.05
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["baseline_layers"] = list(self.baseline_layers)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassifierConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown classifier config keys: {', '.join(unknown)}")
        data = dict(data)
        if "baseline_layers" in data:
            data["baseline_layers"] = tuple(data["baseline_layers"])
        return cls(**data)
