"""The catalogue of frameworks and metrics claims are about (data in ``catalogue.toml``).

Framework aliases are matched case-sensitively for short all-caps forms (``TF``, ``JAX``) and
case-insensitively otherwise, always on word boundaries, longest alias first.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>\"'`*]+")
"""A web address, up to the space, bracket, quote or emphasis mark that ends it."""
URL_REACH = 2048
"""How far back ``inside_url`` looks for the start of a web address."""


def url_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every web address in ``text``, in text order."""
    if "://" not in text and "www." not in text:
        return []
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


def in_spans(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether position ``at`` lies inside one of ``spans`` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, (at, math.inf)) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def inside_url(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` lies inside a web address (one starting at most ``URL_REACH``
    characters before it), in time bounded by that reach whatever the text's length."""
    return in_spans(url_spans(text[max(0, at - URL_REACH) : at + 1]), min(at, URL_REACH))


CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
SHORT_NAME_MIN = 4
"""Characters a name's tail needs to stand for the framework alone ("Hub" is too generic, "MLlib" is not)."""
REPOSITORY_NAME_MIN = 3
"""Letters a repository's name needs to name a framework by spelling it ("mlx", "jax"; not "tf")."""
_GENERIC_WORDS = frozenset(
    "accelerate extended extension for inference kernel learn library lite mobile model models optimizer "
    "runtime serve server serving toolkit train tuner hub".split()
)
"""English words a tail made only of can never stand for a framework ("Kernel", "Serving", "Runtime")."""


DIMENSIONS = ("share", "count", "rate", "duration", "ratio", "change", "date", "rank", "money", "size")
"""Unit dimensions a value can have; claims of two dimensions are never compared (see ``catalogue.toml``)."""
RATE_PERIODS = ("second", "minute", "hour", "day", "week", "month", "year")


_SLUG = re.compile(r"(?<![\w./@-])(?P<owner>[A-Za-z0-9][\w.-]*)/(?P<name>[A-Za-z0-9][\w-]*(?:\.[\w-]+)*)(?![\w/])")
"""A repository written owner/name outside a web address."""


@lru_cache(maxsize=64)
def _names(text: str, words: str) -> bool:
    """Whether ``text`` holds ``words`` as whole words, in any case (read once per page and words; the
    last few pages only are kept)."""
    return re.search(rf"(?i)(?<!\w){re.escape(words)}(?!\w)", text) is not None


def _compact(name: str) -> str:
    """A name in lowercase letters and digits only: "ONNX Runtime" and "onnxruntime" are one."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the entry."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Framework:
    id: str
    name: str
    aliases: tuple[str, ...]
    parent: str | None = None
    """The framework this one belongs to (TensorFlow Lite -> TensorFlow), if any."""
    repositories: tuple[str, ...] = ()
    """Its code repositories ("owner/name" on GitHub or GitLab) whose name does not say it: pytorch/ao."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    id: str
    description: str
    dimension: str
    """One of DIMENSIONS; ``any`` only for ``other``, whose dimension comes from each claim."""
    aliases: tuple[str, ...]
    measurement: bool = False
    """A benchmark measurement: it holds for its own setup (model, hardware, settings), not for a period."""

    @property
    def unit_kind(self) -> str:
        return self.dimension


@dataclass(frozen=True, slots=True)
class FrameworkHit:
    framework: str
    start: int
    end: int


class Catalogue:
    """Frameworks and metrics, with an alias matcher for framework names."""

    def __init__(self, frameworks: dict[str, Framework], metrics: dict[str, Metric]) -> None:
        self.frameworks = frameworks
        self.metrics = metrics
        alias_to_id: dict[str, str] = {}
        sensitive: list[str] = []
        insensitive: list[str] = []
        for fw in frameworks.values():
            for alias in (fw.name, *fw.aliases):
                # Short or all-caps aliases ("TF", "JAX") must match exactly, or "tf" in a URL matches.
                if len(alias) <= 3 or alias.isupper():
                    sensitive.append(alias)
                    alias_to_id[alias] = fw.id
                else:
                    insensitive.append(alias)
                    alias_to_id[alias.lower()] = fw.id
        self._alias_to_id = alias_to_id
        # A name or repository spelling a framework, case and separators aside ("DL4j", "jax"), is it; a name
        # less its leading words ("Transformers" for "Hugging Face Transformers", "MLlib" for "Spark MLlib")
        # is the framework whose name or alias alone ends so, on a page naming those words.
        tails: dict[str, dict[str, set[str]]] = {}
        compact: dict[str, set[str]] = {}
        for fw in frameworks.values():
            for alias in (fw.name, *fw.aliases):
                if key := _compact(alias):
                    compact.setdefault(key, set()).add(fw.id)
                words = alias.split()
                for k in range(1, len(words)):
                    tail = " ".join(words[k:])
                    if len(tail) >= SHORT_NAME_MIN and not set(tail.lower().split()) <= _GENERIC_WORDS:
                        tails.setdefault(tail.lower(), {}).setdefault(fw.id, set()).add(" ".join(words[:k]))
        self._compact = {key: next(iter(ids)) for key, ids in compact.items() if len(ids) == 1}
        # A tail that two frameworks share, or that is itself another framework's name ("Torch"), names none.
        self._tails: dict[str, tuple[str, set[str]]] = {}
        for tail, by in tails.items():
            if len(by) == 1:
                ((owner, leads),) = by.items()
                if alias_to_id.get(tail, alias_to_id.get(tail.title(), owner)) == owner:
                    self._tails[tail] = (owner, leads)
        self._repositories = {repo.lower(): fw.id for fw in frameworks.values() for repo in fw.repositories}

        def _alt(aliases: list[str]) -> str:
            return "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))

        self._sensitive = re.compile(rf"(?<![\w.])(?:{_alt(sensitive)})(?![\w])")
        self._insensitive = re.compile(rf"(?<![\w.])(?:{_alt(insensitive)})(?![\w])", re.IGNORECASE)

    def find_frameworks(self, text: str) -> list[FrameworkHit]:
        """Every framework alias in ``text`` (and every repository the catalogue lists, written owner/name),
        longest match first, without overlaps, in text order.

        A name inside a web address ("https://pytorch.org/blog/…", the target of a Markdown link) is not a
        mention: it says where a figure was published, not what it is about."""
        hits = [(m.start(), m.end(), self._alias_to_id[m.group(0).lower()]) for m in self._insensitive.finditer(text)]
        hits += [(m.start(), m.end(), self._alias_to_id[m.group(0)]) for m in self._sensitive.finditer(text)]
        if self._repositories and "/" in text:
            # A repository written owner/name in prose ("huggingface/transformers") names the framework the
            # catalogue lists it for; the longer match wins over an owner that is a name ("pytorch/ao").
            for m in _SLUG.finditer(text):
                listed = self._repositories.get(f"{m['owner']}/{m['name']}".lower())
                if listed is not None:
                    hits.append((m.start(), m.end(), listed))
        urls = url_spans(text)
        if urls:
            hits = [h for h in hits if not in_spans(urls, h[0])]
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[FrameworkHit] = []
        last_end = -1
        for start, end, fw in hits:
            if start >= last_end:
                out.append(FrameworkHit(fw, start, end))
                last_end = end
        return out

    def repository_of(self, owner: str, name: str) -> str | None:
        """The framework whose code repository ``owner/name`` is: one the catalogue lists for it, else the
        one the repository's name spells, three letters at least (pytorch/ao -> torchao; ml-explore/mlx ->
        MLX; never someone/tf); None otherwise."""
        listed = self._repositories.get(f"{owner}/{name}".lower())
        key = _compact(name)
        return listed or (self._compact.get(key) if len(key) >= REPOSITORY_NAME_MIN else None)

    def spelled(self, name: str) -> str | None:
        """The framework a name spells in other case or separators ("DL4j", "MXnet", "Py-Torch"); None for
        a plain word ("Accelerate" may open a sentence), names shorter than ``SHORT_NAME_MIN`` letters and
        digits, or names two frameworks share."""
        key = _compact(name)
        if len(key) < SHORT_NAME_MIN or re.fullmatch(r"[A-Z]?[a-z]+", name.strip()):
            return None
        return self._compact.get(key)

    def short_name_of(self, name: str, text: str | None = None) -> str | None:
        """The framework a name stands for when it is a framework's full name less its leading words
        ("Transformers", "Face Transformers" -> Hugging Face Transformers) and ``text`` (the page) names
        those words somewhere ("Hugging Face"): else "Transformers" is as likely the architecture. None
        when no framework, or two, end so."""
        found = self._tails.get(" ".join(name.split()).lower())
        if found is None or not text:
            return None
        framework, leads = found
        return framework if any(_names(text, lead) for lead in leads) else None

    def names_of(self, framework: str) -> tuple[str, ...]:
        """A listed framework's name and aliases; empty for an id the catalogue does not list."""
        fw = self.frameworks.get(framework)
        return (fw.name, *fw.aliases) if fw is not None else ()

    def framework_of(self, phrase: str) -> str | None:
        """The framework a phrase names (its first alias hit), or None."""
        hits = self.find_frameworks(phrase)
        return hits[0].framework if hits else None

    def lineage(self, framework: str) -> list[str]:
        """The framework and the ones it belongs to, up its sub-product chain (TensorFlow Lite, TensorFlow)."""
        chain = [framework]
        fw = self.frameworks.get(framework)
        while fw is not None and fw.parent is not None and fw.parent not in chain:
            chain.append(fw.parent)
            fw = self.frameworks.get(fw.parent)
        return chain

    def root(self, framework: str) -> str:
        """The top framework of a sub-product chain (TensorFlow Lite -> TensorFlow); itself when none."""
        return self.lineage(framework)[-1]

    def within(self, framework: str, ancestor: str) -> bool:
        """Whether ``framework`` is ``ancestor`` or one of its sub-products, at any depth."""
        return ancestor in self.lineage(framework)

    def metric_texts(self) -> dict[str, list[str]]:
        """Texts that describe each metric (description + aliases), for embedding similarity."""
        return {m.id: [m.description, *m.aliases] for m in self.metrics.values() if m.id != "other"}


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read a catalogue TOML file; raises CatalogueError naming every entry that cannot be used."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read the catalogue ({exc})") from exc
    problems: list[str] = []
    frameworks: dict[str, Framework] = {}
    for fid, f in data.get("frameworks", {}).items():
        if not isinstance(f.get("name"), str):
            problems.append(f"framework {fid!r} has no name")
            continue
        frameworks[fid] = Framework(
            id=fid,
            name=f["name"],
            aliases=tuple(f.get("aliases", [])),
            parent=f.get("parent"),
            repositories=tuple(f.get("repositories", [])),
        )
    for fw in frameworks.values():
        if fw.parent is not None and fw.parent not in frameworks:
            problems.append(f"framework {fw.id!r} names an unknown parent {fw.parent!r}")
    metrics: dict[str, Metric] = {}
    for mid, m in data.get("metrics", {}).items():
        dimension = m.get("dimension")
        if dimension is None:
            problems.append(f"metric {mid!r} declares no unit dimension (dimension = one of {', '.join(DIMENSIONS)})")
            continue
        if dimension not in DIMENSIONS and not (mid == "other" and dimension == "any"):
            choices = ", ".join(DIMENSIONS)
            problems.append(f"metric {mid!r} has an unknown unit dimension {dimension!r} (one of {choices})")
            continue
        measurement = m.get("measurement", False)
        if not isinstance(measurement, bool):
            problems.append(f"metric {mid!r} has measurement = {measurement!r} (true or false)")
            continue
        metrics[mid] = Metric(
            id=mid,
            description=m.get("description", ""),
            dimension=dimension,
            aliases=tuple(m.get("aliases", [])),
            measurement=measurement,
        )
    if "other" not in metrics:
        problems.append("the catalogue needs the metric 'other'")
    if problems:
        raise CatalogueError(f"{path}: " + "; ".join(problems))
    return Catalogue(frameworks, metrics)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with the package (read once)."""
    return load_catalogue()
