"""Where the tagger's and the embedder's forward passes run: PyTorch (default) or ONNX Runtime int8.

Both models sit behind a small callable Protocol, so the code around them (encoding, batching, BIO
decoding, pooling) is one and the same whichever backend runs the network:

* ``torch``: the PyTorch modules as loaded (the tagger with its adapters merged into its weights);
* ``onnx-int8``: ONNX Runtime sessions over the graphs written by :mod:`pipelines.onnx_export` (weights
  quantized per output channel to int8, activations quantized dynamically).

Tensors go in and come out as ``torch.Tensor`` either way (ONNX Runtime's NumPy arrays are wrapped
without a copy), so callers never branch on the backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Protocol

import torch

Inference = Literal["torch", "onnx-int8"]
INFERENCE_BACKENDS: tuple[Inference, ...] = ("torch", "onnx-int8")

TAGGER_INPUTS = ("input_ids", "attention_mask", "token_type_ids", "cand_window", "cand_marker")
TAGGER_OUTPUTS = ("tags", "claim", "metric", "form")
ENCODER_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
ENCODER_OUTPUTS = ("last_hidden_state",)


class TaggerForward(Protocol):
    """The tagger network: token ids of a padded batch of windows, and per candidate its window and
    marker position -> per candidate (tag logits, claim logits, metric logits, form logits)."""

    def __call__(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        cand_window: torch.Tensor,
        cand_marker: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]: ...


class EncoderForward(Protocol):
    """A BERT encoder: token ids of a padded batch -> last hidden state (batch, tokens, hidden)."""

    def __call__(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor: ...


def check_inference(name: str) -> Inference:
    """``name`` as a backend name, or ValueError listing the choices."""
    for backend in INFERENCE_BACKENDS:
        if name == backend:
            return backend
    raise ValueError(f"unknown inference backend {name!r}; choose one of {', '.join(INFERENCE_BACKENDS)}")


class TorchEncoder(torch.nn.Module):
    """A transformers encoder as an :class:`EncoderForward`: ids in, last hidden states out (also the
    module the embedder's ONNX graph is traced from)."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return out.last_hidden_state


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's limit), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def use_threads(threads: int | None) -> int:
    """Set how many threads the models use in this process and return it (default: the available cores).

    Never more threads than cores: oversubscribed intra-op threads wait for each other at every
    operator, which on a machine with a core busy elsewhere costs more than the extra thread gains.
    """
    n = max(1, min(threads or available_cores(), available_cores()))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def ort_session(path: Path, threads: int | None = None) -> Any:
    """An ONNX Runtime CPU session with every graph optimisation and as many intra-op threads as torch.

    ``threads`` defaults to torch's thread count in this process (:func:`use_threads`), so that both
    runtimes follow one policy and side-by-side timings are fair.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    # Default: what use_threads set for torch in this process (the extractor calls it before loading).
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OrtTagger:
    """The exported tagger graph (encoder with merged LoRA + heads) as a :class:`TaggerForward`."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        self.path = path
        self.session = ort_session(path, threads)

    def __call__(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        cand_window: torch.Tensor,
        cand_marker: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        args = (input_ids, attention_mask, token_type_ids, cand_window, cand_marker)
        feeds = dict(zip(TAGGER_INPUTS, args, strict=True))
        outputs = self.session.run(list(TAGGER_OUTPUTS), {k: v.numpy() for k, v in feeds.items()})
        tags, claim, metric, form = (torch.from_numpy(o) for o in outputs)
        return tags, claim, metric, form


class OrtEncoder:
    """The exported embedding encoder graph as an :class:`EncoderForward`."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        self.path = path
        self.session = ort_session(path, threads)

    def __call__(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        feeds = dict(zip(ENCODER_INPUTS, (input_ids, attention_mask, token_type_ids), strict=True))
        (hidden,) = self.session.run(list(ENCODER_OUTPUTS), {k: v.numpy() for k, v in feeds.items()})
        return torch.from_numpy(hidden)
