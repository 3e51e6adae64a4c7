"""The catalogue of frameworks and metrics claims are about (data in ``catalogue.toml``).

Framework aliases are matched case-sensitively for short all-caps forms (``TF``, ``JAX``) and
case-insensitively otherwise, always on word boundaries, longest alias first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")


@dataclass(frozen=True, kw_only=True, slots=True)
class Framework:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Metric:
    id: str
    description: str
    unit_kind: str
    aliases: tuple[str, ...]


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

        def _alt(aliases: list[str]) -> str:
            return "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))

        self._sensitive = re.compile(rf"(?<![\w.])(?:{_alt(sensitive)})(?![\w])")
        self._insensitive = re.compile(rf"(?<![\w.])(?:{_alt(insensitive)})(?![\w])", re.IGNORECASE)

    def find_frameworks(self, text: str) -> list[FrameworkHit]:
        """Every framework alias in ``text``, longest match first, without overlaps, in text order."""
        hits = [(m.start(), m.end(), self._alias_to_id[m.group(0).lower()]) for m in self._insensitive.finditer(text)]
        hits += [(m.start(), m.end(), self._alias_to_id[m.group(0)]) for m in self._sensitive.finditer(text)]
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[FrameworkHit] = []
        last_end = -1
        for start, end, fw in hits:
            if start >= last_end:
                out.append(FrameworkHit(fw, start, end))
                last_end = end
        return out

    def framework_of(self, phrase: str) -> str | None:
        """The framework a phrase names (its first alias hit), or None."""
        hits = self.find_frameworks(phrase)
        return hits[0].framework if hits else None

    def metric_texts(self) -> dict[str, list[str]]:
        """Texts that describe each metric (description + aliases), for embedding similarity."""
        return {m.id: [m.description, *m.aliases] for m in self.metrics.values() if m.id != "other"}


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read a catalogue TOML file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    frameworks = {
        fid: Framework(id=fid, name=f["name"], aliases=tuple(f.get("aliases", [])))
        for fid, f in data["frameworks"].items()
    }
    metrics = {
        mid: Metric(id=mid, description=m["description"], unit_kind=m["unit_kind"], aliases=tuple(m.get("aliases", [])))
        for mid, m in data["metrics"].items()
    }
    return Catalogue(frameworks, metrics)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with the package (read once)."""
    return load_catalogue()
