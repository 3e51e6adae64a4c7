"""The claim frame's slots that rules settle from the tagged spans: subject names and versions, the value's
unit dimension, and the period with its basis.

Subjects are an open list: the catalogue gives aliases (and a framework's parent), but a tagged subject
that names a library the catalogue does not know is still a subject, identified by a slug of its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pipelines.catalogue import Catalogue
from pipelines.quantities import find_quantities

# A version after a framework name: "TensorFlow 2.0", "Keras 3", "PyTorch v2.1", "TF 2.x", "JAX 0.4.30",
# "Transformers v5.0.0rc".
_VERSION = re.compile(
    r"(?i)^(?P<name>.*?[A-Za-z)\]])[\s-]*v?(?P<version>\d+(?:\.(?:\d+|x))+(?:[-.]?(?:rc|alpha|beta|dev)[-.]?\d*)?|\d+)$"
)
_PRONOUNS = frozenset(
    "it its it's they them their this that these those which who both each either neither one ones "
    "the a an framework frameworks library libraries tool tools toolkit platform project package".split()
)
# Names that look like a library's but are data types, units, serving metrics, hardware, models, data sets or
# bare numbers: never subjects.
_NOT_LIBRARIES = re.compile(
    r"(?i)^(?:fp|bf|int|uint|nf|tf)\d+|^(?:fp|bf|int)$|^(?:mx|nv)fp\d*|^w\d+a\d*$|^[gtpm]?flops?$|"
    r"^(?:qps|rps|fps|tps|ms|gb|mb|tb|kb|gib|mib|tib|s)$|^(?:ttft|tpot|itl|otps|e2el|tbt|p50|p90|p95|p99)$|"
    r"^[\W\d_]+$|"
    r"^(?:gpu|cpu|tpu|npu|ram|vram|ssd|nvme|cuda|rocm|a100|h100|h200|v100|t4|l4|mi\d+x?|b200|gb200)s?$|"
    r"^(?:bert|gpt|llama|mistral|mixtral|qwen|resnet|vgg|mobilenet|t5|opt|bloom|vit|yolo|gemma|phi|deepseek|"
    r"alexnet|googlenet|inception|stablediffusion|sdxl)\b|^whisper$|"
    r"^(?:imagenet|cifar|mnist|squad|glue|coco|higgs|wikitext|mmlu)\b"
)
_DETERMINERS = re.compile(r"(?i)^(?:the|a|an|its|their|our|new|latest|older|current)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")


def split_version(text: str) -> tuple[str, str | None]:
    """A subject's words and the version they name, if any: "TensorFlow 2.0" -> ("TensorFlow", "2.0")."""
    text = _POSSESSIVE.sub("", text.strip())
    m = _VERSION.match(text)
    if m is None:
        return text, None
    return m.group("name").strip(), m.group("version")


def slug(name: str) -> str:
    """The id of a subject the catalogue does not know: its name in lowercase, other characters as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def subject_of(text: str, catalogue: Catalogue, page: str | None = None) -> tuple[str, str | None] | None:
    """(subject id, version) named by a tagged subject phrase, or None when it names nothing.

    A catalogue alias wins; then a known name in other case ("DL4j"), or a full name less leading words
    that ``page`` (the text the phrase was tagged in) names elsewhere ("Transformers" on a page naming
    Hugging Face); else the phrase is taken as a library's name when it looks like one (a capital letter,
    a digit or a dot inside a word, not a pronoun or a generic noun).
    """
    name, version = split_version(text)
    known = catalogue.framework_of(name) or catalogue.framework_of(text)
    if known:
        return known, version
    name = _DETERMINERS.sub("", name).strip(" ,.;:()[]\"'")
    known = catalogue.spelled(name) or catalogue.short_name_of(name, page)
    if known and any(ch.isupper() for ch in name):
        return known, version
    words = name.split()
    if not words or len(words) > 4 or len(name) > 40:
        return None
    if all(w.lower() in _PRONOUNS for w in words) or _NOT_LIBRARIES.match(name.replace(" ", "")):
        return None
    if not any(ch.isupper() or ch.isdigit() for ch in name) and not re.search(r"\w[.\-]\w", name):
        return None  # an ordinary lowercase word ("framework", "models") is no name
    ident = slug(name)
    return (ident, version) if ident else None


# The dimension a quantity's own unit implies before the metric is known.
_UNIT_DIMENSION = {
    "percent": "share",
    "count": "count",
    "ratio": "ratio",
    "year": "date",
    "rank": "rank",
    "usd": "money",
}


def claim_dimension(quantity_dimension: str | None, unit: str, metric_dimension: str, form: str) -> str | None:
    """The unit dimension of a claim's value.

    The quantity's own dimension (a percentage, a duration, a rate…) decides, except where the metric
    reads it otherwise through one of the explicit conversions (``quantities.value_as``): a percentage of
    a growth metric is a relative change; a multiple of a growth metric ("grew 2.3x") is a change and a
    change of a speed metric ("43% more throughput") a ratio; a bare count of a per-period metric a rate.
    A comparison of two subjects keeps its ratio whatever the property compared ("3x as many stars").
    """
    own = quantity_dimension or _UNIT_DIMENSION.get(unit)
    if form == "versus" and own in ("ratio", "change"):
        return own
    if own is None:
        return None if metric_dimension == "any" else metric_dimension
    conversions = {("share", "change"), ("ratio", "change"), ("change", "ratio"), ("count", "rate")}
    if (own, metric_dimension) in conversions:
        return metric_dimension
    return own


# A version right after a subject's name: "2.0", "v0.6.0", "2.x", or a small whole number not followed by
# a unit or a multiplier ("Keras 3 shipped", never "PyTorch 70% share" or "TensorFlow 180k stars"), nor by
# another number on its line: "lightgbm 2.6 4.2 20" is a table row whose first cell is a figure.
_VERSION_AFTER = re.compile(
    r"[ \t]?[-]?v?(?P<version>\d+\.(?:\d+|x)(?:\.(?:\d+|x))*|\d{1,2}(?![\d,.]))"
    r"(?!\s*(?:%|percent|per\b|x\b|×|times|[kKmMbB]\b|k\+|million|billion|thousand))(?![\w%+])"
    r"(?![ \t]+[-+~]?\.?\d)"
)


def version_after(text: str, end: int, value: tuple[int, int] | None = None) -> str | None:
    """The version written right after a subject's name ending at ``end`` in ``text``, if any; never the
    claim's own value (``value``: its start and end), which a row header's name may stand right before."""
    m = _VERSION_AFTER.match(text, end)
    if m is None:
        return None
    if value is not None and m.start("version") < value[1] and value[0] < m.end("version"):
        return None
    return m.group("version")


def completed_version(text: str, end: int, version: str | None) -> str | None:
    """A version a tagged name cut short ("TensorRT 10" of "TensorRT 10.2"), completed from the text after
    the name's end at ``end`` (never into a figure: "Keras 3.5% share")."""
    if version is None:
        return None
    rest = _VERSION_REST.match(text, end)
    return version + rest.group(0) if rest else version


_PRE_RELEASE = r"(?:[-.]?(?:rc|alpha|beta|dev|post)[-.]?\d*)?"
_VERSION_END = r"(?![\w%]|\.\w|\s*(?:%|x\b|×|times\b))"
_VERSION_REST = re.compile(rf"\.(?:\d+|x)(?:\.(?:\d+|x))*{_PRE_RELEASE}{_VERSION_END}")
# What may follow a release's own version in its heading, up to its end: nothing, a release word, a date
# after a bracket, a dash or a colon, or both ("10.13.2 GA - 2025-8-18", "[2.6.4] - 2026-05-20", "1.2.0
# (3 March 2020)", "Version 2.1 (March 2024)"); any other word makes a section number's title ("1.2
# Background", "3.1: March 2020 results", "3.2 Final results").
_DATE = (
    r"(?:\d{4}(?:[-/.]\d{1,2}(?:[-/.]\d{1,2})?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"
    r"|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{4})"
)
_RELEASE_FOLLOWS = rf"(?=\]?\s*(?:(?i:ga|ea|lts|stable|final|released?)\s*)?(?:[(\[\-–—:]\s*{_DATE}\s*[)\]]?)?\s*$)"
# A heading that is a release's own: a version at its start, marked as one ("v1.4.0: …", a lower-case v and
# a dotted number, any title after it) or followed by what ``_RELEASE_FOLLOWS`` allows (a bare "1.2.0",
# "v4 (2021-05-01)", "Release 2.7rc1"); never a machine ("V100", "v4 TPU pods"), a year ("Release 2024"),
# a date or an address (a bare version has at most three parts and a first part of at most three digits).
_RELEASE_HEADING = re.compile(
    rf"^\W{{0,3}}(?:v(?P<dotted>\d+(?:\.\d+)+{_PRE_RELEASE}){_VERSION_END}"
    rf"|(?:v|(?i:version|release)\s+v?)(?P<marked>(?!\d{{4}}(?!\d))\d+(?:\.\d+)*{_PRE_RELEASE}){_VERSION_END}{_RELEASE_FOLLOWS}"
    rf"|(?P<bare>\d{{1,3}}\.\d+(?:\.\d+)?{_PRE_RELEASE})(?![\w.]){_RELEASE_FOLLOWS})"
)
# A version stated as one in a sentence: "version 1.0", "the latest version is 1.24.1", "Stable version:
# 1.17.0", "the release of version v4", "release 2.7", "first official version (v1.0)", "as version 0.5.",
# or a dotted version marked with a v ("the first public release (v0.1 beta)"; never "TPU v4", a machine).
_STATED_VERSION = re.compile(
    rf"(?:(?P<owner>[\w.+-]+?)(?:['’]s)?,?\s+)?(?:\b(?i:version|release)\s*(?:is\s+|:\s*|\(\s*)?v?"
    rf"(?P<worded>\d+(?:\.\d+)*{_PRE_RELEASE})|(?<![\w.])v(?P<marked>\d+(?:\.\d+)+{_PRE_RELEASE})){_VERSION_END}"
)
# Words before "version" that make it some other product's: a language, a toolkit, a machine, a licence.
_OTHER_OWNERS = frozenset(
    "python cuda cudnn rocm nccl java node nodejs ubuntu debian windows macos ios android linux tpu gpu "
    "api license licence apache gpl mit bsd driver firmware kernel compiler gcc clang llvm protobuf".split()
)


def _version_at(text: str, start: int, *, worded: bool = False) -> bool:
    """Whether the number at ``start`` of ``text`` is a version as the number scanner reads it ("Keras 3
    benchmarks"), not a figure ("TensorFlow 12 hours", "PyTorch 16 GPUs") or a year; after the word
    "version" a plain number is one too ("version 1.0")."""
    if _COUNTED.match(text, start):
        return False
    for q in find_quantities(text):
        if q.start <= start < q.end:
            return q.kind == "version" or (worded and q.kind == "number" and q.unit != "percent")
        if q.start > start:
            break
    return True


# A small number followed by what it counts is a figure, whatever the scanner's reading ("PyTorch 8 GPUs").
_COUNTED = re.compile(
    r"\d+\s+(?i:gpus?|tpus?|cpus?|cores?|nodes?|machines?|servers?|workers?|devices?|chips?|seeds?|runs?|"
    r"epochs?|layers?|models?|steps?|[a-z]?\d{2,3}s)\b"
)


def versioned_frameworks(text: str, catalogue: Catalogue) -> set[str]:
    """The frameworks ``text`` (a headline) names with a version ("PyTorch 2.4 vs TensorFlow 2.17")."""
    return {h.framework for h in catalogue.find_frameworks(text) if named_version(text, h.framework, catalogue)}


_LINK = re.compile(r"\[([^\]\n]{0,200})\]\([^)\s]{0,500}\)")


def named_version(text: str, framework: str, catalogue: Catalogue, *, release_heading: bool = True) -> str | None:
    """The version ``text`` (a heading or a title) gives ``framework``: written after its own name ("vLLM
    v0.6.0: …", "## jaxlib 0.1.49 (June 19, 2020)" — never a parent's or a sub-product's, released on their
    own numbering), or — with ``release_heading``, when the text names no other framework — a version the
    text opens with as a release's own heading ("## v1.4.0 (2021.04.12)")."""
    text = _LINK.sub(r"\1", text)  # "[8.5.1 GA](https://…) - 2022-11-01" is read as its words
    if len(text) > MAX_HEADLINE_CHARS:
        return None
    return _named_version(text, framework, catalogue, release_heading)


MAX_HEADLINE_CHARS = 300
"""No heading or title that names a release is longer: a longer one gives no version (nor a cache entry)."""


@lru_cache(maxsize=4096)
def _named_version(text: str, framework: str, catalogue: Catalogue, release_heading: bool) -> str | None:
    hits = catalogue.find_frameworks(text)
    ends = [h.end for h in hits if h.framework == framework]
    if framework not in catalogue.frameworks:  # a name the catalogue does not know, by its slug's words
        words = re.escape(framework).replace("_", r"[\W_]+")
        ends += [m.end() for m in re.finditer(rf"(?i)(?<!\w){words}(?!\w)", text)]
    for end in sorted(ends):
        version = version_after(text, end)
        if version is not None and _version_at(text, text.index(version, end)):
            return version
    if not release_heading or any(h.framework != framework for h in hits):
        return None
    m = _RELEASE_HEADING.match(text)
    if m is None:
        return None
    return m.group("dotted") or m.group("marked") or m.group("bare")


def stated_version(text: str, names: Iterable[str] = (), catalogue: Catalogue | None = None) -> str | None:
    """The one version ``text`` (a clause) states as one ("the first public release (version 1.0) …");
    None when it states none or several, or when the word before it makes it another product's: a
    language, toolkit, machine or licence ("Python version 3.11", "CUDA v12.1", "Apache License, Version
    2.0"), a framework of ``catalogue`` other than the subject ("numpy version 1.26"), or another name
    written with a capital inside the sentence; ``names`` are the subject's own names, which may stand there.
    """
    own = {n.lower() for n in names}
    found = set()
    for m in _STATED_VERSION.finditer(text):
        word = m.group("owner") or ""
        owner = word.lower()
        if owner and owner not in own:
            before = text[: m.start("owner")].rstrip()
            initial = not before or before[-1] in '.!?:;("“'
            other = catalogue is not None and catalogue.framework_of(word) is not None
            if owner in _OTHER_OWNERS or other or (any(ch.isupper() for ch in word) and not initial):
                continue
        worded = m.group("worded") is not None
        version = m.group("worded") or m.group("marked")
        if _version_at(text, m.start("worded" if worded else "marked"), worded=worded):
            found.add(version)
    return found.pop() if len(found) == 1 else None


# Metrics that differ only in the stage they measure: training, inference (serving), compiling, or none said.
STAGE_FAMILIES: dict[str, dict[str, str]] = {
    "ratio": {
        "training": "training_speed_ratio",
        "inference": "inference_speed_ratio",
        "none": "execution_speed_ratio",
    },
    "duration": {
        "training": "runtime_seconds",
        "inference": "inference_latency_seconds",
        "compile": "compile_time_seconds",
        "none": "runtime_seconds",
    },
    "rate": {"training": "training_throughput", "inference": "inference_throughput"},
}
_STAGE_CUES = (
    ("compile", re.compile(r"(?i)\b(?:compil\w*|warm[- ]?up|start[- ]?up|cold start|build time|tracing)\b")),
    (
        "inference",
        re.compile(
            r"(?i)\b(?:inference|infer\w*|serv(?:e|es|ed|ing)|latenc\w*|decod\w*|generat\w*|prefill|ttft|tpot|itl|"
            r"predict\w*|requests?|qps|rps|queries|first token|output tokens?|chat|deploy\w*)\b"
        ),
    ),
    (
        "training",
        re.compile(
            r"(?i)\b(?:train\w*|fine[- ]?tun\w*|pre[- ]?train\w*|epochs?|backward|back-?prop\w*|optimi[sz]er|"
            r"gradient\w*|convergence|samples?/s\w*)\b"
        ),
    ),
)


def stage_of(texts: list[str]) -> str | None:
    """The stage the nearest text with a cue names (texts nearest first): compile, inference or training;
    None when none of them says."""
    for text in texts:
        found = [(m.start(), stage) for stage, cue in _STAGE_CUES for m in [cue.search(text)] if m]
        if found:
            return min(found)[1]
    return None


def _family_of(metric: str) -> tuple[str, dict[str, str]] | None:
    """The ``STAGE_FAMILIES`` entry a metric is a stage of, or None."""
    return next(((key, family) for key, family in STAGE_FAMILIES.items() if metric in family.values()), None)


def stage_family(metric: str) -> str:
    """The measure a metric is a stage of ("rate" for training and inference throughput: the key of its
    ``STAGE_FAMILIES`` entry), or the metric itself when it has no stages."""
    found = _family_of(metric)
    return found[0] if found else metric


def staged_metric(metric: str, dimension: str | None, texts: list[str]) -> str:
    """A speed, time or throughput metric re-read by the stage its words name (the catalogue separates
    training from inference and both from an unspecified run); any other metric unchanged."""
    if dimension is None:
        # A bare number (a table cell) has no dimension of its own: the family its metric is of, re-read only
        # by a stage its words name ("Training results" over a table of throughputs).
        found, stage = _family_of(metric), stage_of(texts)
        return found[1].get(stage, metric) if found is not None and stage is not None else metric
    family = STAGE_FAMILIES.get(dimension)
    if family is None or metric not in family.values():
        return metric
    stage = stage_of(texts) or "none"
    return family.get(stage, metric)
