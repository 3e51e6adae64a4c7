"""What a person types as a subject or metric filter, turned into the ids the store keeps.

``PyTorch``, ``pytorch``, ``torch`` and ``Torch`` all mean the framework ``pytorch``; ``research paper share``,
``Research_Paper_Share`` and the alias ``papers`` all mean the metric ``research_paper_share``. Names are
compared case-insensitively, with spaces, hyphens and underscores taken as one. A name that means nothing
is an error that says so and suggests the nearest names, instead of a filter that silently finds nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pipelines.catalogue import Catalogue
from pipelines.errors import InputError


class UnknownName(InputError):
    """A subject or metric filter that names nothing in the catalogue (nor among the stored subjects)."""

    code = "unknown_name"


def fold(name: str) -> str:
    """The form names are compared in: case-folded, runs of spaces, ``-`` and ``_`` as one space."""
    return re.sub(r"[\s_\-]+", " ", name.casefold()).strip()


def _match(name: str, tiers: list[dict[str, set[str]]], what: str, hint: str) -> str:
    """The one id whose names hold ``name``, trying each tier of names in turn (ids and names before aliases)."""
    key = fold(name)
    for names_of in tiers:
        found = sorted(i for i, names in names_of.items() if key in names)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownName(f"{what} {name!r} is ambiguous: it may mean {', '.join(found)}", candidates=found)
    everything = {n: i for names_of in tiers for i, names in names_of.items() for n in names}
    near = sorted({everything[n] for n in difflib.get_close_matches(key, list(everything), n=5, cutoff=0.75)})
    suggestion = f" (did you mean {', '.join(near)}?)" if near else ""
    raise UnknownName(f"no {what} {name!r}{suggestion}; {hint}", candidates=near)


def subject_id(name: str, catalogue: Catalogue, stored: Iterable[str] = ()) -> str:
    """The subject id ``name`` means: a catalogue framework by id, name or alias, else a stored subject.

    Raises:
        UnknownName: nothing is called that (the message suggests near names).
    """
    frameworks = catalogue.frameworks.values()
    names = {fw.id: {fold(fw.id), fold(fw.name)} for fw in frameworks}
    # Subjects outside the catalogue are stored as written; they match by their own name only.
    names.update({s: {fold(s)} for s in stored if s not in names})
    aliases = {fw.id: {fold(a) for a in fw.aliases} for fw in frameworks}
    return _match(name, [names, aliases], "subject", "`claimgraph catalogue subjects` lists the known ones")


def metric_id(name: str, catalogue: Catalogue) -> str:
    """The metric id ``name`` means: a catalogue metric by id (with spaces or underscores) or by alias.

    Raises:
        UnknownName: nothing is called that (the message suggests near names).
    """
    metrics = catalogue.metrics.values()
    ids = {m.id: {fold(m.id)} for m in metrics}
    aliases = {m.id: {fold(a) for a in m.aliases} for m in metrics}
    return _match(name, [ids, aliases], "metric", "`claimgraph catalogue metrics` lists them")
