"""Subject resolution from tagged spans (the tagger's output written by hand; the real tagger runs on the
same path in tests/test_extract_real.py)."""

from pipelines.extract.pipeline import Candidate, Extractor
from pipelines.extract.tagger import TaggerOutput
from pipelines.ingest import article_from_text
from pipelines.quantities import find_quantities


def _setup(text: str, value: str):
    article = article_from_text(text)
    q = next(q for q in find_quantities(article.clean) if q.surface == value)
    sent_start = article.clean.rfind(". ", 0, q.start) + 2
    cand = Candidate(q, sent_start, len(article.clean), 0, sent_start)
    return Extractor(), article, cand


def _tag(cand, article, phrase, slot="SUBJECT", segment=0, confidence=0.9):
    base = cand.sent_start if segment == 0 else cand.ctx_start
    start = article.clean.index(phrase, base) - base
    return (segment, start, start + len(phrase), slot, confidence)


def test_named_subject_wins_over_a_pronoun():
    ex, article, cand = _setup(
        "JAX went public in 2018. It sits at roughly 29k stars, a third of PyTorch's.", "roughly 29k"
    )
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "It"), _tag(cand, article, "PyTorch", confidence=0.5)])
    subjects, _ = ex._subjects(article, cand, out)
    assert subjects == ["pytorch"]


def test_pronoun_resolves_to_the_framework_named_before_it():
    ex, article, cand = _setup(
        "JAX went public in 2018. It sits at roughly 29k stars, a third of PyTorch's.", "roughly 29k"
    )
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "It")])
    subjects, spans = ex._subjects(article, cand, out)
    assert subjects == ["jax"]
    assert article.original[spans[0].start : spans[0].end] == "JAX"


def test_comparison_keeps_both_subjects():
    ex, article, cand = _setup("PyTorch trained 25.5% faster than TensorFlow.", "25.5% faster")
    cand = Candidate(cand.quantity, 0, len(article.clean), 0, 0)
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "PyTorch"), _tag(cand, article, "TensorFlow", slot="SUBJECT2")])
    subjects, _ = ex._subjects(article, cand, out)
    assert subjects == ["pytorch", "tensorflow"]


def test_untagged_subject_is_never_a_framework_in_a_baseline_position():
    # Nothing tagged: the nearest framework to the value is the one being overtaken, not the subject.
    ex, article, cand = _setup(
        "Analysts say JAX is overtaking TensorFlow at several labs, with about 40% of new TPU projects in JAX.",
        "about 40%",
    )
    subjects, spans = ex._subjects(article, cand, TaggerOutput(0.99, {}, []))
    assert subjects == ["jax"]
    assert article.original[spans[0].start : spans[0].end] == "JAX"


def test_a_sentence_naming_only_the_baseline_takes_its_subject_from_the_paragraph_before():
    from pipelines.comparatives import find_comparatives

    text = "MXNet serving was tuned for months. The result gives lower latency than comparable PyTorch setups."
    article = article_from_text(text)
    cue = next(q for q in find_comparatives(article.clean) if q.surface == "lower")
    sent_start = article.clean.index("The result")
    # No context before the sentence: only the longer look-back for a claim with a baseline reaches MXNet.
    cand = Candidate(cue, sent_start, len(article.clean), sent_start, sent_start)
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "PyTorch", slot="SUBJECT2")])
    subjects, _ = Extractor()._subjects(article, cand, out)
    assert subjects == ["mxnet", "pytorch"]
