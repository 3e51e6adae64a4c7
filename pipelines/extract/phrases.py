"""Scope and source slots as whole phrases: the noun phrase a tagged word belongs to.

The tagger marks the words of a scope or a source, but often only one of them ("respondents" of "the 9,100
respondents", "active" of "the platform's 9,400 active developers", "With" of "Papers With Code"). A
fact-checker compares populations and sources as phrases, so the span is widened to the noun phrase it
belongs to: the dependency subtree of its head noun (climbing from a modifier such as "active" or "all" to
the noun it modifies), never crossing the value itself, without a leading preposition or trailing
punctuation, and at most ``MAX_WORDS`` words (a longer subtree is a clause, and the tagged words are kept).

The parser (spaCy ``en_core_web_sm`` with its tagger and parser) is loaded the first time a scope or source
is tagged, and each sentence is parsed once however many of its values ask.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

MAX_WORDS = 14
_MODIFIERS = frozenset({"amod", "det", "nummod", "compound", "poss", "predet", "quantmod", "nmod", "nounmod"})
_EDGE = frozenset({"ADP", "PUNCT", "CCONJ", "SCONJ"})
_NOUNS = ("NOUN", "PROPN")
_lock = threading.Lock()
_nlp: Any = None


def _parser() -> Any:
    global _nlp
    with _lock:
        if _nlp is None:
            import spacy

            from pipelines.extract.pipeline import SPACY_MODEL

            _nlp = spacy.load(SPACY_MODEL, exclude=["ner", "lemmatizer", "senter"])
        return _nlp


@lru_cache(maxsize=256)
def _parse(sentence: str) -> Any:
    return _parser()(sentence)


def whole_phrase(sentence: str, start: int, end: int, value_start: int, value_end: int) -> tuple[int, int]:
    """The noun phrase of ``sentence`` that the tagged words ``[start, end)`` belong to, as offsets into the
    sentence; ``(start, end)`` itself when there is none (no noun, or only a clause).

    ``[value_start, value_end)`` is the value the slot belongs to: the phrase never includes it."""
    doc = _parse(sentence)
    words = [
        t
        for t in doc
        if t.idx < end and t.idx + len(t) > start and not (t.idx < value_end and t.idx + len(t) > value_start)
    ]  # the tagged words, the value's own left out
    if not words:
        return start, end
    root = min(words, key=lambda t: sum(1 for _ in t.ancestors))
    for _ in range(3):  # "active" -> "developers", "all" -> "runs"
        if root.pos_ in _NOUNS or root.dep_ not in _MODIFIERS or root.head is root:
            break
        root = root.head
    if start < value_end and end > value_start and (_in_value(root, value_start, value_end) or root.pos_ not in _NOUNS):
        # Tagged with the value they hang on ("74% of respondents"): the phrase is their own noun's.
        nouns = [t for t in words if t.pos_ in _NOUNS]
        if not nouns:
            return start, end
        root = min(nouns, key=lambda t: sum(1 for _ in t.ancestors))
    if root.pos_ not in _NOUNS:
        return start, end
    inside = {t.i for t in root.subtree if not _in_value(t, value_start, value_end)}  # never the value itself
    lo = hi = root.i
    while lo - 1 in inside:
        lo -= 1
    while hi + 1 in inside:
        hi += 1
    phrase = doc[lo : hi + 1]
    while len(phrase) and phrase[0].pos_ in _EDGE:
        phrase = phrase[1:]
    while len(phrase) and phrase[-1].pos_ in ("PUNCT", "CCONJ"):
        phrase = phrase[:-1]
    if not len(phrase) or len(phrase) > MAX_WORDS:
        return start, end
    return phrase.start_char, phrase.end_char


def _in_value(token: Any, value_start: int, value_end: int) -> bool:
    return bool(token.idx < value_end and token.idx + len(token) > value_start)
