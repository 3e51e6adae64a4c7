"""Keep spaCy's tokenizer linear in its input, whatever the input.

spaCy splits text at white space, then peels prefixes and suffixes off each chunk one at a time; every
step copies and hashes the rest of the chunk and runs the suffix expression (anchored at its end, but
tried from every position) over all of it. A chunk made of affix characters (``<<<<``, ``((((``,
``$$$$``, ``%%%%``) therefore costs time quadratic in its length: 8,000 ``%`` took 17 s, 32,000 took
176 s. Two changes bound the work per character:

- the suffix expression sees only the last ``SUFFIX_WINDOW`` characters of a chunk (a suffix is a few
  characters long; only a run of dots longer than the window comes out as two tokens instead of one);
- a chunk longer than ``MAX_CHUNK`` characters is tokenized ``MAX_CHUNK`` characters at a time, each
  piece as if white space stood around it. The text of the Doc is unchanged (offsets stay exact); only
  a chunk no natural text holds gets different token boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

SUFFIX_WINDOW = 64
MAX_CHUNK = 256
# Anchored at a chunk's start, so each chunk is scanned once (``\S{257,}`` alone would rescan each run
# of 256 from every one of its positions).
_LONG_CHUNK = re.compile(rf"(?<!\S)\S{{{MAX_CHUNK + 1},}}")


def _tail_search(search: Callable[[str], Any]) -> Callable[[str], Any]:
    """``search`` over the last SUFFIX_WINDOW characters: spaCy reads only the length of the match."""

    def tail(text: str) -> Any:
        return search(text[-SUFFIX_WINDOW:] if len(text) > SUFFIX_WINDOW else text)

    return tail


class BoundedTokenizer:
    """spaCy's tokenizer with the work per character bounded (see the module's docstring).

    Text without a chunk over MAX_CHUNK characters is tokenized exactly as the wrapped tokenizer does it.
    """

    def __init__(self, tokenizer: Any) -> None:
        if tokenizer.suffix_search is not None:
            tokenizer.suffix_search = _tail_search(tokenizer.suffix_search)
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        long_chunks = list(_LONG_CHUNK.finditer(text))
        if not long_chunks:
            return self.tokenizer(text)
        docs: list[Doc] = []
        pos = 0
        for chunk in long_chunks:
            if chunk.start() > pos:
                docs.append(self.tokenizer(text[pos : chunk.start()]))
            for start in range(chunk.start(), chunk.end(), MAX_CHUNK):
                docs.append(self.tokenizer(text[start : min(start + MAX_CHUNK, chunk.end())]))
            pos = chunk.end()
        if pos < len(text):
            docs.append(self.tokenizer(text[pos:]))
        # ensure_whitespace=False: the pieces' texts joined are the text, character for character.
        return Doc.from_docs(docs, ensure_whitespace=False)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)


def bound(nlp: Any) -> Any:
    """Give ``nlp`` the bounded tokenizer (once); returns ``nlp``."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
