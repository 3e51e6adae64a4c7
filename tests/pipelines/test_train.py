"""Training is deterministic for a seed and produces a loadable, small artifact (real encoder, tiny data)."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from pipelines.annotations import build, load_split
from pipelines.extract.tagger import ClaimTagger, TaggerInput
from pipelines.train import TrainConfig, build_examples, train


@pytest.fixture(scope="module")
def records():
    build()
    return load_split("train")[:2]


def test_examples_mark_gold_claims_and_their_slots(records):
    from pipelines.extract.pipeline import load_nlp

    examples, stats = build_examples(records, load_nlp())
    assert stats["positives"] > 0 and stats["negatives"] > 0
    positives = [e for e in examples if e.is_claim]
    assert any(slot == "SUBJECT" for e in positives for _, _, _, slot in e.slots)
    for e in positives:
        for seg, start, end, _ in e.slots:
            text = e.sentence if seg == 0 else e.context
            assert 0 <= start < end <= len(text)


def test_same_seed_same_weights(records, tmp_path: Path):
    config = TrainConfig(epochs=1, seed=7)
    train(records, tmp_path / "a", config, log=lambda s: None)
    train(records, tmp_path / "b", config, log=lambda s: None)
    for name in ("heads.safetensors", "adapter/adapter_model.safetensors"):
        a, b = load_file(str(tmp_path / "a" / name)), load_file(str(tmp_path / "b" / name))
        assert a.keys() == b.keys()
        assert all(torch.equal(a[k], b[k]) for k in a)
    size = sum(f.stat().st_size for f in (tmp_path / "a").rglob("*") if f.is_file())
    assert size < 8 * 1024 * 1024
    tagger = ClaimTagger.load(tmp_path / "a")
    out = tagger.predict([TaggerInput(sentence="PyTorch has 74k stars.", value_start=12, value_end=15)])
    assert 0.0 <= out[0].claim_prob <= 1.0
