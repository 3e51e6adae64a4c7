"""Every spaCy registration of the project, in one place (as spaCy's own ``pipeline/factories.py``)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

# List markers that separate items written on one line ("• a • b", or the repaired "‒" of a seed).
BULLETS = frozenset("•‒▪●◦·►▶✓✔")


@Language.component("claimgraph_breaks")
def line_and_bullet_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break and at every list bullet.

    Headings, table rows and list items carry no final full stop; without this a heading and the
    paragraph after it become one sentence and claims borrow the wrong subject.
    """
    for i, token in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if ("\n" in token.text and token.is_space) or token.text in BULLETS:
            nxt.is_sent_start = True
        elif token.whitespace_ and "\n" in token.whitespace_:
            nxt.is_sent_start = True
        elif nxt.text in BULLETS and i + 1 > 0:
            nxt.is_sent_start = True
    return doc


MAX_SENTENCE_TOKENS = 1000
"""Longest sentence the later stages see, in tokens; a longer run of text without an end is cut."""


@Language.component("claimgraph_sentence_limit")
def sentence_limit(doc: Doc) -> Doc:
    """Start a sentence after every MAX_SENTENCE_TOKENS tokens without one.

    Each candidate number costs work in proportion to its sentence (its text, the frameworks named in
    it), so one endless "sentence" full of numbers would cost time quadratic in its length. Natural
    sentences stay far below the limit; the tagger itself reads only a window around the value.
    """
    run = 0
    for token in doc:
        if token.is_sent_start:
            run = 0
        elif run >= MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
            run = 0
        run += 1
    return doc
