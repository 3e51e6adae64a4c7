"""The text path under hostile input: decoding, the clean view, tokenization, sentences, candidates.

Property tests (Hypothesis, derandomized so a run is repeatable) over text made of the characters that
cost most (affixes, markup, digits, white space, non-ASCII), and the structure that keeps the work linear:
bounded chunks, bounded sentences, unclosed HTML dropped at once. Timings are bench/hostile_input.py's.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.errors import InputError
from pipelines.extract.bounded import MAX_CHUNK, BoundedTokenizer
from pipelines.extract.factories import MAX_SENTENCE_TOKENS
from pipelines.extract.pipeline import SPACY_MODEL, candidates, load_nlp
from pipelines.ingest import LONG_CHUNK_CHARS, article_from_text, decode_bytes, read_article

HOSTILE = "<>()[]{}\"'$%&#;:!?.,-_/\\|*+=~`^@ \n\t\r\xa0…’“”€£¥°²½0123456789aZé\u200b\u2028\ufeff"
FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def _texts(max_size: int = 3000) -> st.SearchStrategy[str]:
    runs = st.tuples(st.sampled_from(HOSTILE), st.integers(1, 400)).map(lambda p: p[0] * p[1])
    pieces = st.one_of(st.text(alphabet=HOSTILE, max_size=60), runs, st.sampled_from(["<a ", "<!--", "<![x[", "70% "]))
    return st.lists(pieces, max_size=40).map("".join).map(lambda t: t[:max_size])


@FUZZ
@given(data=st.binary(max_size=2000))
def test_any_bytes_decode_to_clean_text_or_an_input_error(data):
    for blob in (data, b"\xff\xfe" + data, b"\xff\xfe\x00\x00" + data, b'<meta charset="unicode_escape">' + data):
        try:
            text = decode_bytes(blob, "fuzz.txt")
        except InputError as exc:
            assert "fuzz.txt" in exc.message
            continue
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogate


@FUZZ
@given(text=_texts(), fmt=st.sampled_from([None, "text", "html"]))
def test_any_text_gives_an_article_whose_clean_view_maps_back(text, fmt, nlp):
    try:
        article = article_from_text(text, fmt=fmt)
    except InputError:
        assert not text.strip()
        return
    assert len(article.clean) == len(article.starts) == len(article.ends)
    assert all(0 <= s <= e <= len(text) for s, e in zip(article.starts, article.ends, strict=True))
    assert max((len(c) for c in article.clean.split()), default=0) <= LONG_CHUNK_CHARS
    doc = nlp(article.clean)
    assert doc.text == article.clean
    assert all(len(sentence) <= MAX_SENTENCE_TOKENS for sentence in doc.sents)
    for cand in candidates(doc, article.clean):
        value = article.clean[cand.quantity.start : cand.quantity.end]
        assert value and cand.sent_start <= cand.quantity.start < cand.quantity.end <= cand.sent_end


def test_the_bounded_tokenizer_equals_spacys_on_real_text(nlp, seed_paths):
    import spacy

    reference = spacy.load(SPACY_MODEL).tokenizer  # spaCy's own, unbounded
    assert not isinstance(reference, BoundedTokenizer)
    for path in seed_paths:
        text = read_article(path).clean
        assert [(t.idx, t.text) for t in nlp.tokenizer(text)] == [(t.idx, t.text) for t in reference(text)]


@pytest.mark.parametrize("char", ["<", "(", '"', "$", "%", "7", ".", "a"])
def test_a_long_chunk_is_tokenized_in_pieces_with_its_text_intact(nlp, char):
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, BoundedTokenizer)
    text = f"PyTorch holds 70% {char * (3 * MAX_CHUNK + 17)} of papers."
    doc = tokenizer(text)
    assert doc.text == text
    assert max(len(t) for t in doc) <= MAX_CHUNK
    assert [t.text for t in doc][:4] == ["PyTorch", "holds", "70", "%"]


def test_a_run_longer_than_the_limit_is_one_space_of_the_clean_view():
    run = "%" * (LONG_CHUNK_CHARS + 1)
    text = f"PyTorch holds 70% of papers. {run} JAX holds 9%."
    article = article_from_text(text)
    assert article.clean == "PyTorch holds 70% of papers.   JAX holds 9%."
    i = article.clean.index("   ") + 1
    assert article.to_original(i, i + 1) == (text.index(run), text.index(run) + len(run))
    j = article.clean.index("9%")
    assert article.original_span_text(j, j + 2)[2] == "9%"
    just_under = "%" * LONG_CHUNK_CHARS
    assert article_from_text(f"a {just_under} b").clean == f"a {just_under} b"


def test_a_sentence_without_an_end_is_cut(nlp):
    doc = nlp("word " * (3 * MAX_SENTENCE_TOKENS))
    assert [len(s) for s in doc.sents] == [MAX_SENTENCE_TOKENS] * 3


@pytest.mark.parametrize(
    "tail",
    ["<a" * 500, '<a href="' * 300, "<!--" * 500, "</" * 500, "<![CDATA[" * 300, "<?x" * 300, "<!x" * 300],
)
def test_html_cut_off_by_an_unclosed_construct_keeps_what_came_before(tail):
    page = "<html><body><article><p>PyTorch was used in 70% of the research papers we read in 2024.</p>"
    article = article_from_text(page + tail, fmt="html")
    assert "70%" in article.clean
    i = article.clean.index("70%")
    assert article.original_span_text(i, i + 3)[2] == "70%"


def test_html_marked_sections_of_any_name_are_skipped():
    page = "<html><body><p>JAX holds 9% of papers.</p><![foo[ hidden ]]><![if !IE]><p>Keras 12%.</p><![endif]></body>"
    article = article_from_text(page, fmt="html")
    assert "9%" in article.clean and "hidden" not in article.clean and "12%" in article.clean


def test_headings_stay_on_their_text_when_a_long_run_before_them_becomes_one_space():
    page = (
        "<html><body><article><p>" + "x" * (LONG_CHUNK_CHARS + 500) + "</p><h2>GitHub stars</h2>"
        "<p>PyTorch has about 80k stars on GitHub, according to the repository page.</p></article></body></html>"
    )
    article = article_from_text(page, fmt="html")
    assert [article.clean[start:end] for start, end, _ in article.headings] == ["GitHub stars"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 5000, []),
        ("# " + "#" * 5000 + "x", [("#" * 5000 + "x", 1, "markdown")]),
        ("<h1>" * 2000, []),
        ("Title\n" + "=" * 3000 + "x", [("Title", 7, "line")]),
    ],
    ids=["setext line without a rule", "atx line of hashes", "unclosed html headings", "setext rule run"],
)
def test_heading_patterns_on_texts_that_defeat_backtracking(text, expected):
    """Texts on which the patterns written for the common case took time quadratic in their length."""
    from pipelines.headings import find_headings

    assert [(h.text, h.level, h.source) for h in find_headings(text)] == expected


def test_heading_patterns_read_headings_as_before():
    from pipelines.headings import find_headings

    found = find_headings("## C# is #1 ##\nbody text\n\nTitle #\n\nSetext\n======\n<h2 class=x>Stars <b>now</b></h2>\n")
    assert [(h.text, h.level, h.source) for h in found] == [
        ("C# is #1", 2, "markdown"),
        ("Setext", 1, "setext"),
        ("Stars now", 2, "html"),
    ]
