"""Scope and source spans widened to the noun phrase they belong to (real spaCy parser, shipped model)."""

import pytest

from pipelines.extract.phrases import whole_phrase


def _phrase(sentence: str, tagged: str, value: str) -> str:
    start = sentence.index(tagged)
    v = sentence.index(value)
    lo, hi = whole_phrase(sentence, start, start + len(tagged), v, v + len(value))
    assert 0 <= lo <= hi <= len(sentence)
    return sentence[lo:hi]


@pytest.mark.parametrize(
    ("sentence", "tagged", "value", "expected"),
    [
        (
            "Of the platform's 9,400 active developers, 71% now use PyTorch as their main framework.",
            "active",
            "71%",
            "the platform's 9,400 active developers",
        ),
        ("Among the 9,100 respondents, 74% said they use PyTorch.", "respondents", "74%", "the 9,100 respondents"),
    ],
)
def test_a_tagged_word_becomes_its_noun_phrase(sentence, tagged, value, expected):
    assert _phrase(sentence, tagged, value) == expected


def test_the_value_is_never_part_of_its_scope():
    phrase = _phrase("PyTorch was used by 71% of respondents in 2024.", "respondents", "71%")
    assert "71%" not in phrase and "respondents" in phrase


def test_without_a_noun_the_tagged_words_are_kept():
    sentence = "PyTorch runs 25% faster here."
    start = sentence.index("faster")
    assert whole_phrase(sentence, start, start + 6, 13, 16) == (start, start + 6)


def test_an_extracted_scope_and_source_are_whole_phrases_with_exact_offsets():
    from pipelines.extract.pipeline import Extractor
    from pipelines.ingest import article_from_text

    text = "In the survey, 74% of the 9,100 respondents said they use PyTorch."
    [m] = [m for m in Extractor().extract(article_from_text(text, name="x")) if m.value_text == "74%"]
    assert m.scope == "the 9,100 respondents" and m.source == "the survey"
    for slot in ("scope", "source"):
        span = m.spans[slot][0]
        assert text[span.start : span.end] == span.text == getattr(m, slot)


def test_the_phrase_never_holds_the_value_even_when_the_tagged_words_do():
    assert _phrase("74% of respondents said they use PyTorch.", "74% of respondents", "74%") == "respondents"
