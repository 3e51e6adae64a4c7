"""Training is deterministic for a seed, runs the same from an exported set, and produces a small artifact
that loads without an adapter library (real encoder, tiny data)."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from pipelines.annotations import load_split
from pipelines.extract.tagger import CandidateSpan, ClaimTagger, LoRALinear, WindowInput, add_lora, merge_lora
from pipelines.train import TrainConfig, build_examples, export_training_set, prepare, train, train_exported


@pytest.fixture(scope="module")
def records(gold_splits):
    return load_split("train")[:2]


def test_examples_mark_gold_claims_and_their_slots(records):
    from pipelines.extract.pipeline import load_nlp

    windows, stats = build_examples(records, load_nlp())
    assert stats["positives"] > 0 and stats["negatives"] > 0
    assert stats["windows"] == len(windows) < stats["positives"] + stats["negatives"]  # sentences share windows
    positives = [c for w in windows for c in w.candidates if c.is_claim]
    assert any(slot == "SUBJECT" for c in positives for _, _, _, slot in c.slots)
    for w in windows:
        for c in w.candidates:
            assert 0 <= c.start < c.end <= len(w.sentence)
            for seg, start, end, _ in c.slots:
                text = w.sentence if seg == 0 else w.context
                assert 0 <= start < end <= len(text)


def test_same_seed_same_weights_and_the_exported_set_trains_the_same(records, tmp_path: Path):
    config = TrainConfig(epochs=1, seed=7)
    train(records, tmp_path / "a", config, log=lambda s: None)
    train(records, tmp_path / "b", config, log=lambda s: None)
    _, data = prepare(records, config)
    export_training_set({"x": data}, tmp_path / "set", config)
    train_exported(tmp_path / "set", "x", tmp_path / "c", log=lambda s: None)
    for name in ("heads.safetensors", "lora.safetensors"):
        a = load_file(str(tmp_path / "a" / name))
        for other in ("b", "c"):
            b = load_file(str(tmp_path / other / name))
            assert a.keys() == b.keys()
            assert all(torch.equal(a[k], b[k]) for k in a), (name, other)
    size = sum(f.stat().st_size for f in (tmp_path / "a").rglob("*") if f.is_file())
    assert size < 8 * 1024 * 1024
    tagger = ClaimTagger.load(tmp_path / "a")
    out = tagger.predict([WindowInput("PyTorch has 74k stars.", "", [CandidateSpan(12, 15)])])
    assert len(out) == 1 and len(out[0]) == 1
    assert 0.0 <= out[0][0].claim_prob <= 1.0


def test_merged_adapters_compute_what_the_adapted_layers_compute():
    from transformers import AutoModel

    from pipelines.extract.tagger import base_model_path, lora_state

    torch.manual_seed(0)
    adapted = AutoModel.from_pretrained(base_model_path(), attn_implementation="eager").eval()
    add_lora(adapted, [2, 5], rank=4, alpha=8.0, dropout=0.0)
    for module in adapted.modules():
        if isinstance(module, LoRALinear):
            torch.nn.init.normal_(module.lora_B, std=0.02)  # B starts at zero: make the update visible
    plain = AutoModel.from_pretrained(base_model_path(), attn_implementation="eager").eval()
    assert merge_lora(plain, lora_state(adapted), scale=2.0) == 12
    ids = torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102]])
    with torch.inference_mode():
        a = adapted(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
        b = plain(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
    assert torch.allclose(a, b, atol=1e-4)
    assert not any(isinstance(m, LoRALinear) for m in plain.modules())
