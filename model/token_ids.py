"""Ids of the special tokens, shared by the torch networks and the numpy inference path.

Their positions in the tokenizers' `SPECIAL_TOKENS` (defined in `codeqa_model.subword`); kept
here, free of torch, so the server's numpy path reads them without importing the networks.
"""

from __future__ import annotations

from codeqa_model import subword
from codeqa_model.subword import SPECIAL_TOKENS

PAD, UNK, BOS, EOS = (
    SPECIAL_TOKENS.index(t) for t in (subword.PAD, subword.UNK, subword.BOS, subword.EOS)
)
