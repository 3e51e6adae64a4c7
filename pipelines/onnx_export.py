"""Export the tagger and the embedder to ONNX, fp32 and per-channel int8, with a manifest.

What is written to the export folder:

* ``tagger.fp32.onnx`` — the MiniLM encoder with the adapters merged into its weights and the heads:
  window ids + each candidate's window and marker position -> per candidate (tag, claim, metric, form)
  logits;
* ``embedder.fp32.onnx`` — the plain all-MiniLM-L6-v2 encoder: ids -> last hidden state;
* ``*.int8.onnx`` — the same graphs through ``onnxruntime.quantization.quantize_dynamic`` with int8
  weights quantized per output channel (activations are quantized at run time, batch by batch);
* ``manifest.json`` — the hash of every source file the graphs were made from (base encoder, adapter,
  heads, tagger config) and of the export settings, the opset, and each graph's size and SHA-256.

Both fp32 graphs are fused by ONNX Runtime's transformer optimizer (``onnxruntime.transformers``,
BERT fusions) before they are checked against PyTorch and quantized: each layer's attention becomes one
``Attention`` node (int8: ``QAttention``), the embeddings one ``EmbedLayerNormalization``, bias + GELU and
residual + LayerNorm one node each. The encoders are traced with eager attention, the pattern those
fusions recognise (the SDPA trace is not fused). When fusion was introduced (2026-11-21), the fused int8
tagger ran 1.31x faster than the unfused int8 graph on the seeds' candidates (720 inputs, batches of 64,
best of 3 alternating rounds, one run), and 5 of the 720 claim decisions differed from ONNX fp32 for
both; bench/inference.py times the fused graphs against PyTorch.

The fp32 graphs are kept so that int8 can be compared with fp32 on the same runtime. An export whose
manifest names another source hash (the tagger was retrained, the settings changed) or misses a file is
stale: :func:`ensure_export` exports again. Graphs are written to a temporary folder and moved into
place before the manifest, which is written last, so an interrupted export is never taken for a
finished one. The export uses the TorchScript exporter (``dynamo=False``): the torch.export-based
default of torch 2.13 needs ``onnxscript``, which this project does not install.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipelines.inference import ENCODER_INPUTS, ENCODER_OUTPUTS, TAGGER_INPUTS, TAGGER_OUTPUTS

EXPORT_FORMAT = 3  # 3: one encoding per window, heads per candidate; 2: fused graphs, Attention quantized
OPSET = 17
TAGGER_FP32, TAGGER_INT8 = "tagger.fp32.onnx", "tagger.int8.onnx"
EMBEDDER_FP32, EMBEDDER_INT8 = "embedder.fp32.onnx", "embedder.int8.onnx"
GRAPHS = (TAGGER_FP32, TAGGER_INT8, EMBEDDER_FP32, EMBEDDER_INT8)
MANIFEST = "manifest.json"
# Only the weight matrices of MatMul and fused Attention nodes become int8; the embedding tables stay fp32 (quantizing
# their Gather moved claim probabilities by up to 0.45). One encoder layer per model stays fp32 too:
# the layer whose int8 version moved the outputs most, found on the dev split (never the seed test
# split) by leaving each layer in fp32 in turn and comparing with the fp32 model. Tagger, mean |change
# of the claim logit| over 573 dev candidates: 0.377 all int8, 0.298 with layer 1 in fp32 (lowest;
# others 0.319-0.376); for the tagger retrained in d10a9d4, 0.298 and 0.248 (layer 1 still lowest;
# others 0.268-0.294). For the 7-epoch tagger (3c08b31): 0.371 all int8, 0.290 with layer 1 (lowest
# single layer; others 0.330-0.373), yet one seed mention flipped (F1 0.947 vs 0.966), so the tagger
# keeps two layers: of pairs with layer 1, layers 0+1 moved the dev logits least (0.232; 1+2 0.248,
# 1+3 0.275). All-int8 was tried again on 2026-11-21 (merged-LoRA torch reference): the tagger runs 29%
# faster and matches torch on the five seeds scored together, but over the seeds repeated 27 times in
# one run it missed 84 of torch's 1,134 mentions (layers 0+1 in fp32: 27, one per copy), and which
# ones depends on the batch (activations are quantized per batch); it stays as it is.
# Embedder, mean cosine to fp32 over 348 dev sentences: 0.9917 all int8, 0.9941
# with layer 0 in fp32 (highest; others 0.9923-0.9933).
QUANTIZATION: dict[str, Any] = {
    "method": "quantize_dynamic",
    "per_channel": True,
    "weight_type": "QInt8",
    "op_types": ["MatMul", "Attention"],
    "fp32_layers": {"tagger": [0, 1], "embedder": [0]},
}
# Files of the packaged encoder that change what the graphs compute (the tokenizer runs outside them).
_BASE_FILES = ("config.json", "model.safetensors")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_hash(model_dir: Path) -> str:
    """SHA-256 over the tagger's files, the packaged encoder's weights and the export settings."""
    from pipelines.extract.tagger import base_model_path

    base = base_model_path()
    files = [(f"base/{name}", base / name) for name in _BASE_FILES]
    files += [
        (f"tagger/{p.relative_to(model_dir).as_posix()}", p)
        for p in sorted(model_dir.rglob("*"))
        if p.is_file() and (p.name.endswith((".json", ".safetensors", ".bin")) and p.name != "training_report.json")
    ]
    digest = hashlib.sha256()
    settings = {"format": EXPORT_FORMAT, "opset": OPSET, "quantization": QUANTIZATION}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for name, path in files:
        digest.update(f"{name}\0{_sha256(path)}\n".encode())
    return digest.hexdigest()


def default_onnx_dir(source: str) -> Path:
    """``$XDG_CACHE_HOME/claimgraph/onnx/<source hash>`` (``~/.cache`` by default), outside the repository."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "claimgraph" / "onnx" / source[:16]


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    try:
        manifest: dict[str, Any] = json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return manifest


def manifest_hash(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical JSON: equal for two exports of the same model, byte for byte."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def stale_reason(out_dir: Path, source: str) -> str | None:
    """Why the export in ``out_dir`` cannot be used for ``source`` (None: it can)."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        return f"no ONNX export in {out_dir}"
    if manifest.get("source_hash") != source:
        return f"the ONNX export in {out_dir} was made from another model or with other settings (source hash differs)"
    for name in GRAPHS:
        entry = manifest.get("files", {}).get(name)
        path = out_dir / name
        if entry is None or not path.is_file() or path.stat().st_size != entry.get("bytes"):
            return f"the ONNX export in {out_dir} is incomplete ({name})"
    return None


def ensure_export(
    model_dir: Path, out_dir: Path | None = None, *, force: bool = False, log: Callable[[str], None] = _stderr
) -> Path:
    """The folder of an up-to-date export of the tagger in ``model_dir``, exporting first when needed.

    ``out_dir`` defaults to :func:`default_onnx_dir`; ``force`` exports even over an up-to-date export.
    """
    source = source_hash(model_dir)
    out = out_dir or default_onnx_dir(source)
    reason = "export requested" if force else stale_reason(out, source)
    if reason is not None:
        log(f"{reason}: exporting the tagger and the embedder to ONNX int8 (takes a minute, done once)")
        export_onnx(model_dir, out, source=source, log=log)
    return out


def export_onnx(
    model_dir: Path, out_dir: Path, *, source: str | None = None, log: Callable[[str], None] = _stderr
) -> dict[str, Any]:
    """Export and quantize both models into ``out_dir``; returns the manifest written there."""
    source = source or source_hash(model_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out_dir) as tmp:
        work = Path(tmp)
        _export_tagger(model_dir, work / TAGGER_FP32)
        _export_embedder(work / EMBEDDER_FP32)
        _quantize(work / TAGGER_FP32, work / TAGGER_INT8, QUANTIZATION["fp32_layers"]["tagger"])
        _quantize(work / EMBEDDER_FP32, work / EMBEDDER_INT8, QUANTIZATION["fp32_layers"]["embedder"])
        manifest = _manifest(work, source)
        (out_dir / MANIFEST).unlink(missing_ok=True)  # no manifest while graphs are being replaced
        for name in GRAPHS:
            shutil.move(work / name, out_dir / name)
        # Write-then-rename: a manifest is either absent or whole.
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(work / MANIFEST, out_dir / MANIFEST)
    sizes = ", ".join(f"{n} {manifest['files'][n]['bytes'] / 1e6:.1f} MB" for n in GRAPHS)
    log(f"ONNX export written to {out_dir}: {sizes}")
    return manifest


def _manifest(work: Path, source: str) -> dict[str, Any]:
    import onnx
    import onnxruntime
    import torch

    return {
        "format": EXPORT_FORMAT,
        "source_hash": source,
        "opset": OPSET,
        "quantization": QUANTIZATION,
        "files": {name: {"bytes": (work / name).stat().st_size, "sha256": _sha256(work / name)} for name in GRAPHS},
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__},
    }


def _torch_export(
    module: Any, args: tuple[Any, ...], path: Path, inputs: tuple[str, ...], outputs: tuple[str, ...]
) -> None:
    import torch

    # Window, token and candidate axes are dynamic: per window (batch, tokens); per candidate (candidates);
    # tags per candidate and token.
    per_token = {"input_ids", "attention_mask", "token_type_ids", "last_hidden_state"}
    per_candidate = {"cand_window", "cand_marker", "claim", "metric", "form"}
    axes: dict[str, dict[int, str]] = {}
    for name in inputs + outputs:
        if name in per_token:
            axes[name] = {0: "batch", 1: "tokens"}
        elif name in per_candidate:
            axes[name] = {0: "candidates"}
        elif name == "tags":
            axes[name] = {0: "candidates", 1: "tokens"}
    with warnings.catch_warnings():
        # The TorchScript exporter announces its own deprecation and tracer details at every call.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=list(inputs),
            output_names=list(outputs),
            dynamic_axes=axes,
        )


def _check(path: Path, feeds: dict[str, Any], expected: list[Any], atol: float = 1e-3) -> None:
    """The fp32 graph must reproduce PyTorch on the (padded) example batch it was traced with."""
    import numpy as np

    from pipelines.inference import ort_session

    got = ort_session(path).run(None, {k: v.numpy() for k, v in feeds.items()})
    for g, e in zip(got, expected, strict=True):
        diff = float(np.abs(g - e.numpy()).max())
        if diff > atol:
            raise RuntimeError(f"ONNX export {path.name} differs from PyTorch by {diff:.2e} (> {atol})")


def _export_tagger(model_dir: Path, path: Path) -> None:
    import torch

    from pipelines.extract.tagger import CandidateSpan, ClaimTagger, WindowInput

    # Adapters merged into transformers' BertModel with eager attention: the graph the fusions recognise.
    tagger = ClaimTagger.load(model_dir, transformers=True)
    net = tagger.net
    net.eval()
    # Two windows of different lengths and candidate counts, so the graph uses the mask and the gathers.
    examples = [
        WindowInput(
            "PyTorch was used in 70% of the papers published in 2024.",
            "Framework share",
            [CandidateSpan(19, 22), CandidateSpan(51, 55)],
        ),
        WindowInput("TensorFlow has 180k stars.", "", [CandidateSpan(15, 19)]),
    ]
    batch = tagger.collate([w for windows in tagger.encode_many(examples) for w in windows])
    feeds = {name: batch[name] for name in TAGGER_INPUTS}
    with torch.inference_mode():
        expected = list(net(**feeds))
    _torch_export(net, tuple(feeds.values()), path, TAGGER_INPUTS, TAGGER_OUTPUTS)
    _fuse(path, net.encoder.config.to_dict())
    _check(path, feeds, expected)


def _export_embedder(path: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from pipelines.extract.tagger import base_model_path
    from pipelines.inference import TorchEncoder

    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    module = TorchEncoder(AutoModel.from_pretrained(base_model_path(), attn_implementation="eager")).eval()
    enc = tokenizer(["research paper share", "GitHub stars of the repository"], padding=True, return_tensors="pt")
    feeds = {name: enc[name] for name in ENCODER_INPUTS}
    with torch.inference_mode():
        expected = [module(**feeds)]
    _torch_export(module, tuple(feeds.values()), path, ENCODER_INPUTS, ENCODER_OUTPUTS)
    _fuse(path, module.model.config.to_dict())
    _check(path, feeds, expected)


def _fuse(path: Path, config: dict[str, Any]) -> None:
    """Rewrite the traced graph at ``path`` with ONNX Runtime's BERT fusions; every layer's attention
    must fuse (a trace the fusions do not recognise would silently run unfused and slower)."""
    from onnxruntime.transformers.optimizer import optimize_model

    with _quiet("onnxruntime.transformers"):  # it logs every fusion it tries
        model = optimize_model(
            str(path), model_type="bert", num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"]
        )
    fused = model.get_fused_operator_statistics().get("Attention", 0)
    layers = config["num_hidden_layers"]
    if fused != layers:
        raise RuntimeError(f"ONNX export {path.name}: {fused} of {layers} attention blocks fused")
    model.save_model_to_file(str(path))


def _quantize(fp32: Path, int8: Path, fp32_layers: list[int]) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(fp32, load_external_data=False).graph
    layers = node_layers(graph)
    keep = [n.name for n in graph.node if layers.get(n.name) in fp32_layers]
    # quantize_dynamic logs a generic "consider pre-processing" warning on the root logger every time.
    with _quiet(None):
        quantize_dynamic(
            fp32,
            int8,
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=QUANTIZATION["op_types"],
            nodes_to_exclude=keep,
            # Shape inference does not type the outputs of the fused (com.microsoft) nodes.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )


@contextlib.contextmanager
def _quiet(logger: str | None) -> Iterator[None]:
    """Only errors from the named logger (None: the root logger) while the block runs."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def node_layers(graph: Any) -> dict[str, int]:
    """The encoder layer of each node. Traced nodes are named after the module path
    (/encoder/encoder/layer.1/.../MatMul); a fused node (Attention_3) belongs to the layer of the node that
    reads its output (that layer's attention output projection)."""
    import re

    layers: dict[str, int] = {}
    for node in graph.node:
        found = re.search(r"/layer\.(\d+)/", node.name)
        if found:
            layers[node.name] = int(found.group(1))
    readers: dict[str, list[str]] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node.name)
    for node in graph.node:
        if node.name not in layers:
            below = {layers[r] for out in node.output for r in readers.get(out, []) if r in layers}
            if len(below) == 1:
                layers[node.name] = below.pop()
    return layers
