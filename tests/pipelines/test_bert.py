"""The inference encoder and tokenizer compute exactly what transformers' BertModel and fast tokenizer do."""

import torch
from transformers import AutoModel, AutoTokenizer

from pipelines.bert import Tokenizer, load_bert
from pipelines.extract.tagger import base_model_path

TEXTS = [
    "PyTorch has 74k stars — and TensorFlow 2.0’s “180k”!",
    "naïve café ÄÖÜ 中文 tf.keras 0.004s 12h 21.3kstars",
    "x " * 300,
]


def test_encoder_matches_transformers_bert_model():
    mine = load_bert(base_model_path())
    theirs = AutoModel.from_pretrained(base_model_path(), attn_implementation="eager").eval()
    batch = Tokenizer(base_model_path()).batch(TEXTS, max_length=128)
    with torch.inference_mode():
        a = mine(**batch).last_hidden_state
        b = theirs(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).bool()
    assert torch.allclose(a.masked_select(mask), b.masked_select(mask), atol=1e-5)


def test_tokenizer_matches_the_fast_tokenizer():
    mine, theirs = Tokenizer(base_model_path()), AutoTokenizer.from_pretrained(base_model_path())
    got = mine(TEXTS)
    want = theirs(TEXTS, add_special_tokens=False, return_offsets_mapping=True)
    assert got["input_ids"] == want["input_ids"]
    assert [[tuple(o) for o in row] for row in got["offset_mapping"]] == [
        [tuple(o) for o in row] for row in want["offset_mapping"]
    ]
    padded, ref = (
        mine.batch(TEXTS, max_length=128),
        theirs(TEXTS, padding=True, truncation=True, max_length=128, return_tensors="pt"),
    )
    assert all(torch.equal(padded[k], ref[k]) for k in padded)
    tokens = ["[unused0]", "[unused1]", "[CLS]", "[SEP]", "[PAD]"]
    assert mine.convert_tokens_to_ids(tokens) == theirs.convert_tokens_to_ids(tokens)
