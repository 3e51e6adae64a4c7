"""A minimal BERT encoder for inference: the packaged all-MiniLM-L6-v2 weights, read with safetensors.

It computes what ``transformers``' ``BertModel`` computes (eager attention, erf GELU, post-LayerNorm),
with the same parameter names, so saved weights and adapters load into either; a test holds the two to
1e-5. Inference uses this module because importing ``transformers`` and building its model costs
seconds at every start, which a one-sentence ``claimgraph extract`` would pay in full. Training and the
ONNX export keep using ``transformers`` itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn


class _Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden, padding_idx=config.get("pad_token_id", 0))
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=config["layer_norm_eps"])

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.size(1), device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x + self.position_embeddings(positions))


class _SelfAttention(nn.Module):
    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.head_size = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, self.head_size).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(2, 3)) * (self.head_size**-0.5) + mask
        out = torch.matmul(scores.softmax(-1), v)
        return out.transpose(1, 2).reshape(b, t, self.heads * self.head_size)


class _Output(nn.Module):
    """``dense`` then residual + LayerNorm (BERT's self-output and output blocks)."""

    def __init__(self, inner: int, hidden: int, eps: float) -> None:
        super().__init__()
        self.dense = nn.Linear(inner, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class _Attention(nn.Module):
    def __init__(self, hidden: int, heads: int, eps: float) -> None:
        super().__init__()
        self.self = _SelfAttention(hidden, heads)
        self.output = _Output(hidden, hidden, eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, mask), x)


class _Intermediate(nn.Module):
    def __init__(self, hidden: int, inner: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, inner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.gelu(self.dense(x))


class _Layer(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden, inner, eps = config["hidden_size"], config["intermediate_size"], config["layer_norm_eps"]
        self.attention = _Attention(hidden, config["num_attention_heads"], eps)
        self.intermediate = _Intermediate(hidden, inner)
        self.output = _Output(inner, hidden, eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, mask)
        return self.output(self.intermediate(x), x)


class _Encoder(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(config) for _ in range(config["num_hidden_layers"]))


class EncoderOutput:
    """What ``BertModel`` returns, as far as callers here read it."""

    def __init__(self, last_hidden_state: torch.Tensor) -> None:
        self.last_hidden_state = last_hidden_state


class BertEncoder(nn.Module):
    """BERT without the pooler: token ids -> last hidden states; parameter names as in ``BertModel``."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.config_dict = config
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config)

    @property
    def hidden_size(self) -> int:
        return int(self.config_dict["hidden_size"])

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> Any:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.embeddings(input_ids, token_type_ids)
        # Padding gets the most negative float added before the softmax, as BertModel does.
        mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return EncoderOutput(x)


def load_bert(path: Path) -> BertEncoder:
    """The encoder in folder ``path`` (``config.json`` + ``model.safetensors``), in eval mode."""
    from safetensors.torch import load_file

    config = json.loads((path / "config.json").read_text())
    model = BertEncoder(config)
    state = {k: v for k, v in load_file(str(path / "model.safetensors")).items() if not k.startswith("pooler.")}
    state.pop("embeddings.position_ids", None)
    model.load_state_dict(state)
    return model.eval()


class Tokenizer:
    """The model's WordPiece tokenizer through the ``tokenizers`` library (what ``transformers``' fast
    tokenizer runs underneath), with the two calls the tagger and the embedder make."""

    def __init__(self, path: Path, max_length: int = 512) -> None:
        from tokenizers import Tokenizer as _Tokenizer

        self._tok = _Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        self.max_length = max_length

    def convert_tokens_to_ids(self, tokens: list[str]) -> list[int]:
        ids = [self._tok.token_to_id(t) for t in tokens]
        if any(i is None for i in ids):
            raise KeyError(f"tokens missing from the vocabulary: {tokens}")
        return [int(i) for i in ids if i is not None]

    def __call__(self, texts: list[str], add_special_tokens: bool = False, return_offsets_mapping: bool = True) -> dict:
        """Token ids and character offsets of each text (no special tokens, no padding)."""
        encodings = self._tok.encode_batch(texts, add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in encodings], "offset_mapping": [e.offsets for e in encodings]}

    def batch(self, texts: list[str], max_length: int = 128) -> dict[str, torch.Tensor]:
        """A padded batch with [CLS]/[SEP], truncated to ``max_length`` tokens (for sentence embeddings)."""
        encodings = self._tok.encode_batch(texts, add_special_tokens=True)
        rows = [e.ids[: max_length - 1] + ([e.ids[-1]] if len(e.ids) > max_length else []) for e in encodings]
        types = [e.type_ids[: len(r)] for e, r in zip(encodings, rows, strict=True)]
        width = max(len(r) for r in rows)
        pad = self._tok.token_to_id("[PAD]") or 0
        return {
            "input_ids": torch.tensor([r + [pad] * (width - len(r)) for r in rows]),
            "attention_mask": torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows]),
            "token_type_ids": torch.tensor([t + [0] * (width - len(t)) for t in types]),
        }
