"""The ONNX int8 backend against PyTorch fp32, on the real models and real text.

One export per module (into a temporary folder); the seed articles are read from ``CLAIMGRAPH_SEED_DIR`` at
run time, the team's articles from corpus/.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from pipelines.annotations import load_split
from pipelines.embed import MiniLMEmbedder
from pipelines.evaluate import evaluate
from pipelines.extract.pipeline import DEFAULT_MODEL_DIR, Extractor, candidates, group_windows
from pipelines.extract.tagger import ClaimTagger
from pipelines.inference import ENCODER_INPUTS, ENCODER_OUTPUTS, OrtEncoder, OrtTagger
from pipelines.ingest import read_article
from pipelines.onnx_export import (
    EMBEDDER_INT8,
    GRAPHS,
    MANIFEST,
    OPSET,
    QUANTIZATION,
    TAGGER_FP32,
    TAGGER_INT8,
    default_onnx_dir,
    ensure_export,
    export_onnx,
    manifest_hash,
    node_layers,
    read_manifest,
    source_hash,
    stale_reason,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("onnx") / "export"
    manifest = export_onnx(DEFAULT_MODEL_DIR, out, log=lambda _: None)
    return out, manifest


@pytest.fixture(scope="module")
def sentences(seed_paths) -> list[str]:
    """Sentences of the five seeds and of the team corpus (lines and sentence ends; 4+ words)."""
    paths = list(seed_paths) + sorted(p for p in (REPO / "corpus").iterdir() if p.name[:2].isdigit())
    out = []
    for path in paths:
        text = read_article(path).clean
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 4]
    # Distinct sentences sorted by length (batches carry little padding), every second one: the test's
    # run time; every length and every article is still represented.
    distinct = sorted(set(out), key=lambda s: (len(s), s))[::2]
    assert len(distinct) > 400
    return distinct


def test_manifest_describes_the_export(export):
    out, manifest = export
    assert manifest == read_manifest(out)
    assert manifest["source_hash"] == source_hash(DEFAULT_MODEL_DIR)
    assert manifest["opset"] == OPSET
    assert stale_reason(out, manifest["source_hash"]) is None
    for name in GRAPHS:
        assert (out / name).stat().st_size == manifest["files"][name]["bytes"]
    assert manifest["files"][TAGGER_INT8]["bytes"] < 0.8 * manifest["files"][TAGGER_FP32]["bytes"]
    # Outside the repository by default, one folder per model.
    assert not default_onnx_dir(manifest["source_hash"]).is_relative_to(REPO)


def test_int8_weights_are_quantized_per_output_channel(export):
    out, _ = export
    model = onnx.load(out / TAGGER_INT8)
    weights = {t.name: t for t in model.graph.initializer}
    layers = node_layers(model.graph)
    kept = QUANTIZATION["fp32_layers"]["tagger"]
    ops = ("MatMulInteger", "QAttention", "Attention")
    nodes = {op: [n for n in model.graph.node if n.op_type == op] for op in ops}
    plain = [n for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    # Each layer: one fused attention (query, key, value) and 3 weight matrices (attention output,
    # feed-forward in and out); the 6 heads' matrices are int8 too (claim, metric, form; the slot head's token,
    # candidate and tag projections). The layers of QUANTIZATION["fp32_layers"] stay fp32.
    assert len(nodes["MatMulInteger"]) == (6 - len(kept)) * 3 + 6
    assert sorted(layers[n.name] for n in nodes["QAttention"]) == [i for i in range(6) if i not in kept]
    assert sorted(layers[n.name] for n in nodes["Attention"]) == kept
    assert len(plain) == 3 * len(kept) and {layers[n.name] for n in plain} == set(kept)
    for node in nodes["MatMulInteger"] + nodes["QAttention"]:
        weight = numpy_helper.to_array(weights[node.input[1]])
        assert weight.dtype == np.int8
        scale = numpy_helper.to_array(weights[node.input[1].replace("_quantized", "_scale")])
        assert scale.shape == (weight.shape[1],)  # one scale per output channel


def test_fp32_graph_reproduces_pytorch_on_seed_candidates(export, extractor, seed_paths):
    out, _ = export
    articles = [read_article(p) for p in seed_paths]
    docs = extractor.nlp.pipe([a.clean for a in articles])
    inputs = [
        window
        for a, d in zip(articles, docs, strict=True)
        for window, _ in group_windows(a.clean, candidates(d, a.clean))
    ]
    torch_tagger = extractor.tagger
    onnx_tagger = ClaimTagger(
        None, torch_tagger.tokenizer, torch_tagger.metrics, torch_tagger.config, OrtTagger(out / TAGGER_FP32)
    )
    expected = [o for per in torch_tagger.predict(inputs) for o in per]
    got = [o for per in onnx_tagger.predict(inputs) for o in per]
    assert len(inputs) > 30 and len(expected) > len(inputs)  # windows hold several candidates
    assert max(abs(a.claim_prob - b.claim_prob) for a, b in zip(expected, got, strict=True)) < 1e-3
    assert [[s[:4] for s in a.slots] for a in expected] == [[s[:4] for s in b.slots] for b in got]


def test_seed_f1_with_int8_within_001_of_fp32(export, extractor, gold_splits):
    out, _ = export
    records = load_split("test")
    fp32 = next(s for s in evaluate(records, ("tagger",), extractor=extractor) if s.system == "tagger")
    int8_extractor = Extractor(inference="onnx-int8", onnx_dir=out)
    int8 = next(s for s in evaluate(records, ("tagger",), extractor=int8_extractor) if s.system == "tagger")
    assert isinstance(int8_extractor.tagger.forward, OrtTagger)
    assert int8_extractor.tagger.forward.path == out / TAGGER_INT8
    assert fp32.f1 >= 0.9
    # int8 quantizes activations batch by batch: at most one of the seeds' 30 claim decisions may flip.
    assert abs(int8.tp - fp32.tp) + abs(int8.fp - fp32.fp) <= 1, (fp32.as_dict(), int8.as_dict(), int8.errors)
    assert abs(int8.f1 - fp32.f1) <= 0.02


def test_embedding_cosine_to_fp32_averages_at_least_099(export, sentences):
    out, _ = export
    fp32 = MiniLMEmbedder().embed(sentences)
    int8_embedder = MiniLMEmbedder(inference="onnx-int8", onnx_dir=out)
    int8 = int8_embedder.embed(sentences)
    assert isinstance(int8_embedder._model, OrtEncoder) and int8_embedder._model.path == out / EMBEDDER_INT8
    cosine = (fp32 * int8).sum(axis=1)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    assert cosine.mean() >= 0.99, (cosine.mean(), cosine.min())
    assert cosine.min() > 0.9


def test_stale_manifest_is_reexported_on_first_use_and_the_export_is_deterministic(export, capsys):
    out, manifest = export
    stale = dict(manifest, source_hash="0" * 64)
    (out / MANIFEST).write_text(json.dumps(stale))
    assert stale_reason(out, manifest["source_hash"]) is not None
    # Loading the int8 tagger finds the stale export, says so on stderr and exports again.
    tagger = ClaimTagger.load(DEFAULT_MODEL_DIR, inference="onnx-int8", onnx_dir=out)
    assert "exporting" in capsys.readouterr().err
    assert isinstance(tagger.forward, OrtTagger)
    again = read_manifest(out)
    assert again is not None and manifest_hash(again) == manifest_hash(manifest)
    # Up to date now: nothing is exported.
    messages: list[str] = []
    assert ensure_export(DEFAULT_MODEL_DIR, out, log=messages.append) == out
    assert messages == []


def test_source_hash_follows_the_model_files(tmp_path):
    copy = tmp_path / "tagger"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    assert source_hash(copy) == source_hash(DEFAULT_MODEL_DIR)
    config = json.loads((copy / "tagger_config.json").read_text())
    (copy / "tagger_config.json").write_text(json.dumps(config | {"seed": config["seed"] + 1}))
    assert source_hash(copy) != source_hash(DEFAULT_MODEL_DIR)


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_export_fuses_every_attention_block_or_refuses(tmp_path, attention):
    """A small random BERT: traced with eager attention every block fuses; the SDPA trace does not fuse,
    and the export says so instead of writing a slower graph."""
    import torch
    from transformers import BertConfig, BertModel

    from pipelines.inference import TorchEncoder
    from pipelines.onnx_export import _fuse, _torch_export

    config = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
    model = BertModel(config)
    model.set_attn_implementation(attention)
    module = TorchEncoder(model).eval()
    ids = torch.tensor([[2, 5, 7, 3], [2, 9, 3, 0]])
    feeds = (ids, (ids > 0).long(), torch.zeros_like(ids))
    path = tmp_path / "tiny.onnx"
    _torch_export(module, feeds, path, ENCODER_INPUTS, ENCODER_OUTPUTS)
    if attention == "sdpa":
        with pytest.raises(RuntimeError, match="0 of 2 attention blocks fused"):
            _fuse(path, config.to_dict())
        return
    _fuse(path, config.to_dict())
    assert [n.op_type for n in onnx.load(path).graph.node].count("Attention") == 2
