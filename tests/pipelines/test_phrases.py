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


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("| aot_nvfuser | 1.12x |", 3, "aot_nvfuser"),  # kept to the cell its tagged words start in
        ("(CPU)", 1, "CPU"),
        ("ResNet-50 (batch 64)", 0, "ResNet-50 (batch 64)"),  # a parenthesis it opens is kept
        ("on H100 GPUs.", 0, "on H100 GPUs"),
        ("for 70B", 4, "for 70B"),
        ("(", 0, None),  # markup alone is no scope
        ("with", 0, None),  # nor a function word
        ("| 1.12x |", 2, None),  # nor another cell's figure
        ("| H100 | 1.12x |", 0, "H100"),  # a pipe belongs to the cell after it
        ("<1B parameters", 0, "<1B parameters"),  # signs that carry meaning stay
        ("ages 65+", 0, "ages 65+"),
        ('respondents to "State of AI"', 0, 'respondents to "State of AI"'),  # a quote it opens is closed
        ("中国开发者", 0, "中国开发者"),  # words need a letter, not a Latin one
        ("these", 0, None),  # a pronoun is no scope
    ],
)
def test_a_scope_is_kept_to_its_cell_and_stripped_of_markup(text, anchor, expected):
    from pipelines.extract.pipeline import phrase_within

    kept = phrase_within(text, 0, len(text), anchor)
    assert (None if kept is None else text[kept[0] : kept[1]]) == expected


def test_a_scope_cut_to_its_cell_from_an_anchor_outside_it():
    """The widened phrase may start after the tagged words ("on" dropped): the anchor is taken inside it."""
    from pipelines.extract.pipeline import phrase_within

    text = "on 8 GPUs | batch 64"
    assert phrase_within(text, 3, len(text), 0) == (3, 9)
    text = "62% of respondents in China (中国开发者)."  # the parser cut the closing parenthesis
    lo, hi = phrase_within(text, text.index("respondents"), text.index(")"), text.index("respondents"))
    assert text[lo:hi] == "respondents in China (中国开发者)"
