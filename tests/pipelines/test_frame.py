"""The claim frame's rule-settled slots: versions, open-list subjects, dimensions, stage-specific metrics."""

import pytest

from pipelines.catalogue import default_catalogue
from pipelines.extract.frame import (
    claim_dimension,
    split_version,
    stage_family,
    staged_metric,
    subject_of,
    version_after,
)


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
