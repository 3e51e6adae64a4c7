"""Scope phrases normalised and compared: the same population, a different one, one inside the other, unknown.

Rule-based, no model: a scope phrase ("70% of papers at NeurIPS 2024", "among professional developers")
becomes a population class (papers, people, models, repositories, organisations, jobs) and the qualifiers
that narrow it (content words, plurals folded, years dropped — a year is a period). Known hierarchies widen
the qualifiers: a named conference's papers are conference papers, which are research papers; the staff of
one lab or company are among all respondents. Then:

* ``same`` — one class, the same qualifiers;
* ``subset`` / ``superset`` — one class, one set of qualifiers inside the other ("NeurIPS papers" ⊂
  "conference papers" ⊂ "research papers"; "respondents at Google" ⊂ "all respondents");
* ``different`` — different classes (survey respondents vs papers) or qualifiers neither holds of the other
  ("ML developers" vs "professional developers", "NeurIPS papers" vs "ICML papers");
* ``unknown`` — a scope missing, or one phrase naming a population and the other only words it shares
  with it, so that they can be neither matched nor told apart.

Two stated scopes sharing no content word at all are different populations.

Checked against ``annotations/scope_pairs.jsonl`` (tests/pipelines/test_scopes.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class ScopeRelation(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    SUBSET = "subset"
    """The first population lies inside the second."""
    SUPERSET = "superset"
    UNKNOWN = "unknown"


# Names written in several words, joined before splitting ("Papers With Code" is a site, not papers).
_NAMES = [
    (re.compile(r"(?i)\bpapers\s+with\s+code\b"), "paperswithcode"),
    (re.compile(r"(?i)\bstack\s*overflow\b"), "stackoverflow"),
    (re.compile(r"(?i)\bhugging\s*face\b"), "huggingface"),
    (re.compile(r"(?i)\bdata\s+scientists?\b"), "datascientist"),
    (re.compile(r"(?i)\bmachine\s+learning\b"), "ml"),
    (re.compile(r"(?i)\bdeep\s+learning\b"), "ml"),
    (re.compile(r"(?i)\bartificial\s+intelligence\b"), "ai"),
    (re.compile(r"(?i)\bfortune\s+500\b"), "fortune500"),
]
_WORD = re.compile(r"[a-z0-9][a-z0-9+.#]*[a-z0-9+#]|[a-z0-9]")
_YEAR = re.compile(r"(?:19|20)\d\d")
"""Words of a scope, numbers and sizes included: "Llama 8B" and "Llama 70B", "1M rows" and "10M rows" differ."""
_STOP = frozenset(
    "a an the of in on at for to by and or all any every each new newly top leading major more most over about "
    "some among with from as its their this that these those published used using use who which that were was "
    "are is be been being per across total overall whole entire our your they them it than there here into "
    "based hosted listed submitted accepted surveyed polled asked sampled tracked counted only just various "
    "global worldwide world publicly available recent recently latest current created year month week".split()
)
# Population classes: the head words that name each, and the generic heads that add no qualifier.
_CLASSES: dict[str, dict[str, bool]] = {
    # word: generic (True: "papers", "respondents"; False: a narrower head, "developers", "workshops")
    "papers": {
        "paper": True,
        "publication": True,
        "research": True,
        "study": True,
        "implementation": True,
        "preprint": False,
        "submission": True,
        "article": True,
    },
    "people": {
        "respondent": True,
        "participant": True,
        "survey": True,
        "people": True,
        "person": True,
        "user": False,
        "developer": False,
        "engineer": False,
        "researcher": False,
        "practitioner": False,
        "programmer": False,
        "datascientist": False,
        "student": False,
        "professional": False,
        "employee": False,
        "staff": False,
        "team": False,
    },
    "models": {"model": True, "checkpoint": True},
    "repositories": {"repository": True, "repo": True, "project": True, "codebase": True},
    "organisations": {
        "company": True,
        "organisation": True,
        "organization": True,
        "enterprise": True,
        "business": True,
        "startup": False,
        "firm": True,
    },
    "jobs": {"job": True, "posting": True, "listing": True, "vacancy": True, "advert": True, "ad": True},
}
_HEADS = {word: (cls, generic) for cls, words in _CLASSES.items() for word, generic in words.items()}
CONFERENCES = frozenset(
    "neurips nips icml iclr cvpr iccv eccv acl emnlp naacl aaai ijcai kdd interspeech icassp coling sigir".split()
)
# Qualifiers that imply broader ones: a named conference is a conference, a lab or company is one employer.
_IMPLIES = {
    **{c: ("conference",) for c in CONFERENCES},
    "workshop": ("conference",),
    "lab": ("employer",),
    "company": ("employer",),
    "google": ("employer",),
    "meta": ("employer",),
    "microsoft": ("employer",),
    "openai": ("employer",),
    "deepmind": ("employer",),
    "amazon": ("employer",),
}
# Words of the field itself: every paper here is about ML, so "AI research papers" are research papers.
_FIELD = frozenset({"ai", "ml", "learning", "machine", "deep", "neural", "network", "networks"})
# Past participles folded to their verb ("papers with released code" ~ "code-release papers").
_LEMMA_E = frozenset({"release", "use", "license", "base", "create", "share"})
_LEMMA = frozenset({"train", "deploy", "host", "publish", "download", "install"})
_SINGULAR_EXCEPTIONS = {"analysis", "series", "news", "class", "process", "business", "address", "pass", "mass"}


def _singular(word: str) -> str:
    if word in _SINGULAR_EXCEPTIONS or len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stem(word: str) -> str:
    if word in CONFERENCES:
        return word
    word = _singular(word)
    if word in ("conferences", "conference", "conf", "venue", "venues", "proceedings"):
        return "conference"
    if word in ("laboratory", "lab"):
        return "lab"
    if word in ("organisation", "organization"):
        return "organisation"
    if word in ("people", "person"):
        return "people"
    if word in ("surveyed", "survey", "poll", "questionnaire"):
        return "survey"
    if word == "studies":
        return "study"
    if word.endswith("ed") and word[:-1] in _LEMMA_E:
        return word[:-1]  # "released" -> "release"
    if word.endswith("ed") and word[:-2] in _LEMMA:
        return word[:-2]  # "trained" -> "train"
    return word


@dataclass(frozen=True, slots=True)
class Scope:
    """A scope phrase normalised: its population class (None when no head word names one) and qualifiers."""

    population: str | None
    qualifiers: frozenset[str]

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Equal for two scopes exactly when ``relate_scopes`` says SAME."""
        return (self.population or "", tuple(sorted(self.qualifiers)))


@lru_cache(maxsize=65536)
def normalise_scope(phrase: str | None) -> Scope | None:
    """The population a scope phrase names; None when there is no phrase or no content word in it."""
    if not phrase or not phrase.strip():
        return None
    text = phrase.lower()
    for pattern, name in _NAMES:
        text = pattern.sub(name, text)
    words = [_stem(w) for w in _WORD.findall(text) if w not in _STOP]
    # A year in a scope ("ICML 2023 papers") is the claim's time, compared as its period, not a population.
    words = [w for w in words if w not in _STOP and not _YEAR.fullmatch(w)]
    population: str | None = None
    qualifiers: set[str] = set()
    for w in words:
        head = _HEADS.get(w)
        if head is not None and (population is None or population == head[0]):
            population = head[0]
            if not head[1]:
                qualifiers.add(w)
            continue
        qualifiers.add(w)
    named = qualifiers & CONFERENCES
    if len(named) > 1:
        # "ICLR and NeurIPS papers": papers of several conferences are conference papers, not each one's.
        qualifiers -= named
        qualifiers.add("conference")
    for q in list(qualifiers):
        qualifiers.update(_IMPLIES.get(q, ()))
    if population is None and "conference" in qualifiers:
        population = "papers"  # "at NeurIPS", "top AI conferences": a conference's output is its papers
    if population == "papers":
        qualifiers -= _FIELD
    if population is None and not qualifiers:
        return None
    return Scope(population, frozenset(qualifiers))


def relate_scope_records(a: Scope | None, b: Scope | None) -> ScopeRelation:
    """``relate_scopes`` on scopes already normalised."""
    if a is None or b is None:
        return ScopeRelation.UNKNOWN
    if a.population != b.population:
        if a.population is None or b.population is None:
            # One names a population, the other only qualifiers: different when they share no word at all,
            # else they cannot be matched ("ResNet-50 on GPUs" vs "image models on GPUs").
            return ScopeRelation.UNKNOWN if a.qualifiers & b.qualifiers else ScopeRelation.DIFFERENT
        return ScopeRelation.DIFFERENT
    if a.qualifiers == b.qualifiers:
        return ScopeRelation.SAME
    if a.qualifiers < b.qualifiers:
        return ScopeRelation.SUPERSET
    if b.qualifiers < a.qualifiers:
        return ScopeRelation.SUBSET
    return ScopeRelation.DIFFERENT


def relate_scopes(a: str | None, b: str | None) -> ScopeRelation:
    """How the population of scope phrase ``a`` stands to that of ``b``."""
    return relate_scope_records(normalise_scope(a), normalise_scope(b))


DIFFERENT = frozenset({ScopeRelation.DIFFERENT, ScopeRelation.SUBSET, ScopeRelation.SUPERSET})
