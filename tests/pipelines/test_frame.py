"""The claim frame's rule-settled slots: versions, open-list subjects, dimensions, stage-specific metrics."""

import pytest

from pipelines.catalogue import default_catalogue
from pipelines.extract.frame import (
    claim_dimension,
    completed_version,
    named_version,
    split_version,
    stage_family,
    staged_metric,
    stated_version,
    subject_of,
    version_after,
    versioned_frameworks,
)
from pipelines.headings import HeadingIndex, find_headings


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TensorFlow 2.0", ("TensorFlow", "2.0")), ("Keras 3", ("Keras", "3")), ("PyTorch's", ("PyTorch", None))],
)
def test_a_subject_phrase_splits_into_name_and_version(text, expected):
    assert split_version(text) == expected


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("TensorFlow 2.0 arrived", "2.0"),
        ("vLLM v0.6.0 is", "0.6.0"),
        ("TF 2.x was", "2.x"),
        ("Keras 3 shipped", "3"),
        ("PyTorch 70% of", None),
        ("TensorFlow 180k stars", None),
        ("PyTorch 12 times", None),
        ("lightgbm 2.6 4.2 20 0.765", None),
        ("xgboost 0.6\t3.5\t40", None),
        ("PyTorch 2.0 was", "2.0"),
    ],
)
def test_a_version_written_after_a_name_is_read_but_never_a_figure(text, version):
    assert version_after(text, text.index(" ")) == version


def test_the_claims_own_value_is_never_its_version():
    text = "CatBoost 3.8"
    assert version_after(text, 8) == "3.8"
    assert version_after(text, 8, (9, 12)) is None


def test_subject_phrases_map_to_catalogue_ids_or_slugs_never_to_pronouns():
    cat = default_catalogue()
    assert subject_of("TensorFlow 2.0", cat) == ("tensorflow", "2.0")
    assert subject_of("llama.cpp", cat) == ("llama_cpp", None)
    assert subject_of("Candle", cat) == ("candle", None)
    assert subject_of("its", cat) is None and subject_of("the framework", cat) is None
    page = "Hugging Face released Transformers v5.0.0rc, then Transformers v5.0.0rc-0."
    assert subject_of("Transformers v5.0.0rc", cat, page) == ("hf_transformers", "5.0.0rc")
    assert subject_of("Transformers v5.0.0rc", cat) == ("transformers", "5.0.0rc")  # no maker named
    assert subject_of("transformers", cat) is None  # the architecture's plural, not a name
    assert subject_of("Transformers v5.0.0rc-0", cat, page) == ("hf_transformers", "5.0.0rc-0")
    assert subject_of("DL4j", cat) == ("deeplearning4j", None)  # a known name in other case


def test_dimension_follows_the_value_except_through_explicit_conversions():
    assert claim_dimension("share", "percent", "share", "single") == "share"
    assert claim_dimension("share", "percent", "change", "single") == "change"  # 12% growth
    assert claim_dimension("ratio", "ratio", "change", "single") == "change"  # "grew 2.3x"
    assert claim_dimension("ratio", "ratio", "count", "versus") == "ratio"  # "3x as many stars as"
    assert claim_dimension("share", "percent", "count", "single") == "share"  # never a percent as a count
    assert claim_dimension(None, "other", "date", "single") == "date"


@pytest.mark.parametrize(
    ("metric", "dimension", "texts", "expected"),
    [
        ("inference_speed_ratio", "ratio", ["PyTorch trained ResNet-50 25% faster"], "training_speed_ratio"),
        ("training_speed_ratio", "ratio", ["vLLM serves requests 2x faster"], "inference_speed_ratio"),
        (
            "inference_speed_ratio",
            "ratio",
            ["JAX ran the benchmark 3x faster", "", "Benchmarks"],
            "execution_speed_ratio",
        ),
        ("runtime_seconds", "duration", ["", "", "Compile times"], "compile_time_seconds"),
        ("github_stars", "count", ["trained 74k"], "github_stars"),
        # a bare number (a table cell): re-read only by a stage its words name, never made stage-less
        ("inference_throughput", None, ["| 4 | 377.25 |", "", "Training results"], "training_throughput"),
        ("inference_throughput", None, ["| 4 | 377.25 |", "", "Results"], "inference_throughput"),
    ],
)
def test_speed_time_and_throughput_metrics_follow_the_stage_their_nearest_words_name(
    metric, dimension, texts, expected
):
    assert staged_metric(metric, dimension, texts) == expected


def test_stages_of_one_measure_are_one_family():
    assert stage_family("training_throughput") == stage_family("inference_throughput") == "rate"
    assert stage_family("compile_time_seconds") == "duration"
    assert stage_family("github_stars") == "github_stars"


def test_a_version_cut_short_is_completed_from_the_text():
    text = "TensorRT 10.2 delivers 2,400 tokens/sec"
    assert completed_version(text, len("TensorRT 10"), "10") == "10.2"
    assert completed_version("Keras 3 shipped", len("Keras 3"), "3") == "3"
    assert completed_version("Keras 3. It shipped", len("Keras 3"), "3") == "3"  # a full stop is no version
    assert completed_version(text, len("TensorRT"), None) is None
    assert completed_version("TensorRT 10.2. It", len("TensorRT 10"), "10") == "10.2"  # a full stop after it
    assert completed_version("Keras 3.5% share", len("Keras 3"), "3") == "3"  # never into a figure


@pytest.mark.parametrize(
    ("text", "framework", "version"),
    [
        ("vLLM v0.6.0: 2.7x Throughput Improvement", "vllm", "0.6.0"),
        ("PyTorch 2.5 Release Blog", "pytorch", "2.5"),
        ("jaxlib 0.1.49 (June 19, 2020)", "jaxlib", "0.1.49"),  # a name the catalogue does not know
        ("v1.4.0 (2021.04.12)", "xgboost", "1.4.0"),  # a release's own heading
        ("10.13.2 GA - 2025-8-18", "tensorrt", "10.13.2"),
        ("1.2.0", "onnx_runtime", "1.2.0"),
        ("Release 2.7rc1", "cntk", "2.7rc1"),
        ("9.0.0 EA - 2023-08-06", "tensorrt", "9.0.0"),
        ("[2.6.4] - 2026-05-20", "pytorch_lightning", "2.6.4"),  # a "Keep a Changelog" heading
        ("[Unreleased]", "pytorch_lightning", None),
        ("1.2 Background", "keras", None),  # a section number
        ("2.1 Installation", "keras", None),
        ("TensorFlow 2.0 vs PyTorch 1.3", "pytorch", "1.3"),
        ("TensorFlow 2.0 vs PyTorch", "pytorch", None),  # another framework's version
        ("v2.0: PyTorch and TensorFlow", "pytorch", None),  # a bare version, but two frameworks named
        ("Results", "keras", None),
        ("PyTorch 70% of papers", "pytorch", None),
        ("v1.4.0: Faster histograms", "xgboost", "1.4.0"),  # a v and a dotted number: any title after it
        ("v4 (2021-05-01)", "xgboost", "4"),
        # Parents and sub-products are released on their own numbering: never one's version for the other.
        ("PyTorch 2.1 Release Notes", "torchao", None),
        ("PyTorch Lightning 2.6", "pytorch", None),
        ("TensorFlow Lite 2.16 on Android", "tensorflow", None),
        ("JAX 0.4.30", "flax", None),
        # Machines, section numbers, dates, addresses, years, a guide's own version.
        ("V100 results", "pytorch", None),
        ("v4 TPU pods", "jax", None),
        ("3.1: Experimental setup", "keras", None),
        ("1.2 - Background", "keras", None),
        ("2.3 (Optional) GPU setup", "keras", None),
        ("2.1 — Installing CUDA", "keras", None),
        ("[1.2] - Background", "keras", None),
        ("2021.04.12", "keras", None),
        ("192.168.0.1", "keras", None),
        ("Release 2024 highlights", "keras", None),
        ("Version 2 of this guide", "keras", None),
        # A figure after the name is no version.
        ("TensorFlow 12 hours on 8 GPUs", "tensorflow", None),
        ("PyTorch 12 GB of memory", "pytorch", None),
        ("PyTorch 16 GPUs", "pytorch", None),
        ("Training with PyTorch 2 weeks", "pytorch", None),
        ("PyTorch 8 GPUs", "pytorch", None),  # a small count the scanner alone would call a version
        ("JAX 4 TPUs", "jax", None),
        ("PyTorch -12 hours", "pytorch", None),
        # Release headings with dates, and section titles that only start like one.
        ("2.0.0 (2023-03-15)", "xgboost", "2.0.0"),
        ("1.13.0 - 2022-10-28", "pytorch", "1.13.0"),
        ("Version 2.1 (March 2024)", "keras", "2.1"),
        ("1.2.0 (3 March 2020)", "xgboost", "1.2.0"),
        ("[8.5.1 GA](https://docs.nvidia.com/tensorrt/release-notes/#rel-8-5-1) - 2022-11-01", "tensorrt", "8.5.1"),
        ("3.2 Final results", "keras", None),
        ("1.2 Releases", "keras", None),
        ("3.1: March 2020 results", "keras", None),
        ("1.2 - May 5 results", "keras", None),
    ],
)
def test_a_heading_gives_the_version_it_names_for_the_subject(text, framework, version):
    assert named_version(text, framework, default_catalogue()) == version


def test_a_title_gives_only_a_version_written_after_the_subjects_name():
    cat = default_catalogue()
    assert named_version("v1.4.0 (2021.04.12)", "xgboost", cat, release_heading=False) is None
    assert named_version("Introducing Keras 3", "keras", cat, release_heading=False) == "3"


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("The first public release (version 1.0) occurred in April 2015", "1.0"),
        ("the latest version is 1.24.1, released on February 6, 2026", "1.24.1"),
        ("Stable version: 1.17.0 (March 2024)", "1.17.0"),
        ("since the release of version v4 in November 2020", "4"),
        ("the first public release (v0.1 beta) was published in late January 2010", "0.1"),
        ("its first official version (v1.0) launched in October 2019", "1.0"),
        ("TPU v4 arrived in 2021", None),  # a machine's generation, not a dotted release
        ("version 1.0 (v1.0) in 2019", "1.0"),  # one version written twice
        ("it was released under the Apache License 2.0 on November 9, 2015", None),
        ("released in 2016", None),
        ("version 2 and version 3 shipped that year", None),  # two: neither is the clause's
        ("release 20% faster", None),
        ("TensorFlow's first release to support Python version 3.11 came in May 2023", None),  # Python's
        ("CUDA v12.1 support arrived in June 2023", None),
        ("its first public release (2015) came on November 9, 2015", None),  # a year
        ("release 10 days later", None),
        ("Version 3 years later", None),
        ("It first shipped in November 2015 as version 0.5.", "0.5"),
        ("in version 1.0.0-rc1", "1.0.0-rc1"),
        ("TensorFlow version 2.0 arrived in 2019", "2.0"),  # the subject's own name before it
        ("TensorFlow's version 2.0 arrived in 2019", "2.0"),
        ("Python's version 3.11 came out in October 2022", None),  # another's, possessive or not
        ("CUDA's v12.1 arrived in June 2023", None),
        ("PyTorch's version 2.0 shipped in March 2023", None),
        ("numpy version 1.26 shipped in 2023", None),  # a framework the catalogue knows, not the subject
        ("under the Apache License, Version 2.0 released 2004", None),
        ("In version 2.0, the API changed in 2019", "2.0"),  # a capital that only starts the sentence
        ("Since version 1.0 in 2017", "1.0"),
        ("Version 1.0 of TensorFlow was released in 2015", "1.0"),
    ],
)
def test_a_clause_states_a_version_as_one(text, version):
    assert stated_version(text, ("TensorFlow", "tensorflow"), default_catalogue()) == version


def test_the_heading_holding_a_position():
    text = "# Release notes\n\n## v1.4.0 (2021.04.12)\n\nFaster histograms.\n"
    index = HeadingIndex(find_headings(text))
    date = text.index("2021.04.12")
    assert index.holding(date).text == "v1.4.0 (2021.04.12)"
    assert index.holding(text.index("Faster")) is None
    assert [h.text for h in index.above(text.index("Faster"))] == ["Release notes", "v1.4.0 (2021.04.12)"]


def test_a_headline_comparing_versions_names_them_all():
    cat = default_catalogue()
    assert versioned_frameworks("Benchmark notes: PyTorch 2.4 vs TensorFlow 2.17 vs JAX 0.4.31", cat) == {
        "pytorch",
        "tensorflow",
        "jax",
    }
    assert versioned_frameworks("Keras 3 is faster than the reference PyTorch implementations", cat) == {"keras"}


def test_a_text_longer_than_any_headline_gives_no_version():
    cat = default_catalogue()
    assert named_version("PyTorch 2.1 " + "word " * 40, "pytorch", cat) == "2.1"
    assert named_version("PyTorch 2.1 " + "word " * 80, "pytorch", cat) is None
