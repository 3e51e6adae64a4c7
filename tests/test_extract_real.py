"""The shipped tagger on real text: the seeds (``CLAIMGRAPH_SEED_DIR``) and the team corpus."""

import json

import pytest

from pipelines.annotations import load_split
from pipelines.evaluate import evaluate
from pipelines.ingest import read_article


@pytest.fixture(scope="module")
def seed_mentions(extractor, seed_paths):
    articles = [read_article(p) for p in seed_paths]
    return list(zip(articles, extractor.run(articles), strict=True))


def test_every_offset_of_every_seed_mention_is_exact(seed_mentions):
    total = 0
    for article, mentions in seed_mentions:
        for m in mentions:
            total += 1
            assert article.original[m.value_start : m.value_end] == m.value_text
            assert article.original[m.sentence_start : m.sentence_end] == m.sentence
            assert m.sentence_start <= m.value_start < m.value_end <= m.sentence_end
            for spans in m.spans.values():
                for s in spans:
                    assert article.original[s.start : s.end] == s.text
    assert total >= 20


def test_no_claim_from_page_chrome(seed_mentions):
    article, mentions = seed_mentions[0]
    body = article.original.index("Frequently Used")
    # Everything before the article's first heading is publisher chrome: phone, address, ratings.
    assert not [m.value_text for m in mentions if m.value_start < body]
    chrome_words = ("subscribers", "reviews", "lesson", "Phone", "Avenue")
    assert not [m for m in mentions if any(w in m.sentence for w in chrome_words)]


def test_versions_and_numbering_are_not_claims(seed_mentions):
    texts = [m.value_text for _, ms in seed_mentions for m in ms]
    assert not [t for t in texts if t in ("2.x", "3", "1.", "2.1", "4.2")]


def test_known_seed_claims_are_found_with_their_slots(seed_mentions):
    found = {(m.value_text, m.subject, m.metric) for _, ms in seed_mentions for m in ms}
    assert ("74k+", "pytorch", "github_stars") in found
    assert ("180k+", "tensorflow", "github_stars") in found
    assert any(v == "8.41%" and s == "tensorflow" for v, s, _ in found)


@pytest.fixture(scope="module")
def seed_scores(extractor, gold_splits):
    return {s.system: s for s in evaluate(load_split("test"), ("tagger", "rules"), extractor=extractor)}


def test_tagger_scores_on_the_seed_test_split(seed_scores):
    tagger = seed_scores["tagger"]
    print(json.dumps(tagger.as_dict()))
    assert tagger.f1 >= SEED_F1_FLOOR
    assert tagger.accuracy("subject") >= SEED_SUBJECT_FLOOR
    assert tagger.accuracy("metric") >= SEED_METRIC_FLOOR


def test_comparatives_on_the_seed_test_split(seed_scores):
    comparatives = seed_scores["tagger:comp"]
    print(json.dumps(comparatives.as_dict()))
    assert comparatives.f1 >= SEED_COMPARATIVE_F1_FLOOR


def test_tagger_beats_rules_on_dev(extractor, gold_splits):
    scores = {s.system: s for s in evaluate(load_split("dev"), ("tagger", "rules"), extractor=extractor)}
    print(json.dumps([s.as_dict() for s in scores.values()]))
    assert scores["tagger"].f1 >= scores["rules"].f1 + DEV_MARGIN


# Floors this test holds: the figures measured for the shipped model on the seeds' schema-v2 gold (30 claims:
# F1 0.968, subject 0.967, metric 0.967; dev margin +0.10) less about one flipped prediction, so float noise
# on another CPU cannot fail it; subject accuracy is held at 0.95.
SEED_F1_FLOOR = 0.93
SEED_SUBJECT_FLOOR = 0.95
SEED_METRIC_FLOOR = 0.93
DEV_MARGIN = 0.07
# Comparative claims without a number, scored apart: the window tagger finds 5 of the seeds' 16 (F1 0.476;
# the per-candidate tagger found 11): a known regression, held so that it gets no worse.
SEED_COMPARATIVE_F1_FLOOR = 0.4


def test_versions_and_list_numbers_never_reach_the_tagger(extractor, monkeypatch):
    from pipelines.ingest import article_from_text

    text = (
        "Framework notes\n\n"
        "1. PyTorch 2.1 shipped with a compiler; its share of papers reached 68% that year.\n"
        "2. ResNet-50 trains 1.4x faster on TensorFlow 2.15 than on the previous release.\n"
    )
    asked: list[str] = []
    predict = extractor.tagger.predict

    def spy(items, **kwargs):
        asked.extend(it.sentence[c.start : c.end] for it in items for c in it.candidates)
        return predict(items, **kwargs)

    monkeypatch.setattr(extractor.tagger, "predict", spy)
    mentions = extractor.run([article_from_text(text)])[0]
    # Proposed but not asked about: the list numbers 1 and 2, and 2.1, 50 and 2.15 (versions).
    assert asked == ["68%", "1.4x faster"]
    assert {m.value_text for m in mentions} == {"68%", "1.4x faster"}


def test_a_value_set_against_another_leaves_it_the_time_that_follows_it(extractor):
    from pipelines.ingest import article_from_text

    text = (
        "PyTorch is behind 70% of such papers, compared with 62% back in 2022. JAX has 25k stars and 3k forks in 2024."
    )
    [mentions] = extractor.run([article_from_text(text, published="2025-06-01")])
    times = {m.value_text: m.time for m in mentions}
    assert times.get("62%") == "2022" and "70%" in times and times["70%"] != "2022", times
    assert times.get("25k") == times.get("3k") == "2024", times  # coordinated values share the time after them


def test_a_table_column_measures_one_property(extractor):
    """Cells of one column are one property, whatever a cell's own reading, and a bare number under a
    heading of training results is a training throughput (without the column vote and the heading's stage,
    cells of this table come out as latencies, run times and inference throughputs)."""
    from pipelines.ingest import article_from_text

    text = (
        "# Performance\n\n### Training results\n\nMeasured with the example training script and cuDNN 8.\n\n"
        "- T4 (single GPU)\n\n| Batch | Alexnet(\\*8) | Inception-v3 | Resnet 50 |\n| --- | --- | --- | --- |\n"
        "|   1 | 212.40 | 9.70 | 12.70 |\n|   2 | 318.90 | 13.35 | 19.35 |\n|   4 | 377.25 | 18.10 | 26.10 |\n"
        "|   8 | 402.60 | 21.85 | 31.85 |\n|  16 | 415.05 | 24.20 | 35.20 |\n|  32 | 398.15 | 25.90 | 37.75 |\n"
    )
    url = "https://github.com/apache/mxnet/blob/main/docs/perf.md"
    [mentions] = extractor.run([article_from_text(text, url=url)])
    cells = {m.value_text: m.metric for m in mentions if "." in m.value_text}
    assert len(cells) >= 12, cells
    assert set(cells.values()) == {"training_throughput"}, cells


def test_a_column_of_frameworks_keeps_each_rows_own_property(extractor):
    """A table whose columns are frameworks lists one property a row: the column vote leaves it alone, so
    the forks and contributors rows stay forks and contributors under three rows of stars."""
    from pipelines.ingest import article_from_text

    text = (
        "# PyTorch and TensorFlow on GitHub\n\nRepository figures in June 2026:\n\n"
        "| Measure | PyTorch | TensorFlow |\n| --- | --- | --- |\n"
        "| GitHub stars | 91,200 | 188,400 |\n| Stars a year earlier | 84,900 | 185,100 |\n"
        "| Stars two years earlier | 77,300 | 181,000 |\n| Forks | 24,600 | 74,200 |\n"
        "| Contributors | 3,900 | 3,600 |\n"
    )
    [mentions] = extractor.run([article_from_text(text)])
    metrics = {m.value_text: m.metric for m in mentions}
    assert metrics.get("24,600") == metrics.get("74,200") == "github_forks", metrics
    assert metrics.get("3,900") == metrics.get("3,600") == "contributor_count", metrics
    assert metrics.get("91,200") == "github_stars", metrics


def test_a_tagged_name_cut_short_is_the_name_that_holds_it(extractor):
    """The tagger may mark only "pytorch" of "pytorch/ao" (a repository the catalogue lists): the name the
    sentence writes whole is the subject, with the version after it."""
    from pipelines.ingest import article_from_text

    [mentions] = extractor.run([article_from_text("With pytorch/ao 0.5, float8 training runs 1.9x faster on H100.")])
    assert [(m.subject, m.version) for m in mentions if m.value_text.startswith("1.9x")] == [("torchao", "0.5")]


def test_a_figure_takes_the_version_its_context_gives(extractor):
    """A figure whose own words name no version is about the one its heading, its release-date clause or
    the title gives (as the annotation guideline reads a subject); a first-release date under a heading
    naming a later version keeps none, and a version cut short by the tagger is read whole."""
    from pipelines.ingest import article_from_text

    notes = (
        "# XGBoost release notes\n\n## v1.4.0 (2021.04.12)\n\n"
        "XGBoost now builds histograms 2x faster than before on CPU.\n\n"
        "## v1.3.0 (2020.12.08)\n\nXGBoost GPU training is 1.5x faster than in the previous release.\n"
    )
    post = (
        "# What is coming in TensorFlow 2.0\n\nTensorFlow was first released on November 9, 2015, under the "
        "Apache License 2.0. Its first public release (version 1.0) came in February 2017. TensorRT 10.2 "
        "delivers 2,400 tokens/sec for Llama 3 8B on one H100.\n"
    )
    other = (
        "# vLLM release notes\n\n## v0.6.0 (2024-09-05)\n\nWith PyTorch 2.4, torch.compile now runs 1.3x faster "
        "than before on H100 GPUs.\n\nPyTorch compiled graphs also load 2.5x faster from the cache.\n\n"
        "### PyTorch integration\n\nPyTorch eager mode now starts 1.7x faster than in the last release.\n"
    )
    headline = (
        "# Benchmark notes: PyTorch 2.4 vs TensorFlow 2.17\n\nWe keep seeing the claim that PyTorch trains a "
        "convolutional network 31.5% faster than TensorFlow.\n"
    )
    section = (
        "## PyTorch 2.4 vs TensorFlow 2.17\n\nOne survey says PyTorch runs inference 2.8x faster than TensorFlow.\n"
    )
    found = extractor.run([article_from_text(t) for t in (notes, post, other, headline, section)])
    versions = {m.value_text: (m.subject, m.version) for mentions in found for m in mentions}
    assert versions.get("2x faster") == ("xgboost", "1.4.0"), versions
    assert versions.get("1.5x faster") == ("xgboost", "1.3.0"), versions
    assert versions.get("2021.04.12") == ("xgboost", "1.4.0"), versions  # the date in the heading itself
    assert versions.get("November 9, 2015") == ("tensorflow", None), versions
    assert versions.get("February 2017") == ("tensorflow", "1.0"), versions
    assert versions.get("2,400 tokens/sec") == ("tensorrt", "10.2"), versions
    # A vLLM changelog's release heading gives a PyTorch figure under it no version of vLLM's.
    assert versions.get("2.5x faster") == ("pytorch", None), versions
    # A headline naming several frameworks says what a benchmark compared, not the version of a quoted claim.
    assert versions.get("31.5% faster") == ("pytorch", None), versions
    assert versions.get("2.8x faster") == ("pytorch", None), versions  # the outermost heading, not an H1
    assert versions.get("1.7x faster") == ("pytorch", None), versions  # a sub-heading under vLLM's release
