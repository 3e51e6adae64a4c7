from pipelines.catalogue import default_catalogue

REQUIRED_METRICS = """research_paper_share developer_usage_share survey_preference_share github_stars github_forks
contributor_count downloads model_hub_share model_hub_count job_postings search_interest_ratio usage_growth
training_speed_ratio inference_speed_ratio model_size_reduction release_year citations organization_count
popularity_rank other""".split()


def test_catalogue_has_the_required_metrics_and_frameworks():
    cat = default_catalogue()
    assert set(REQUIRED_METRICS) <= set(cat.metrics)
    for fw in (
        "pytorch",
        "tensorflow",
        "jax",
        "keras",
        "scikit_learn",
        "mxnet",
        "caffe",
        "theano",
        "onnx",
        "hf_transformers",
        "tensorflow_lite",
    ):
        assert fw in cat.frameworks


def test_aliases_match_on_word_boundaries_longest_first():
    cat = default_catalogue()
    hits = cat.find_frameworks("TensorFlow Lite beats tf.keras; torch and TF too, but not tfx or https://x.tf/")
    assert [h.framework for h in hits] == ["tensorflow_lite", "tensorflow", "pytorch", "tensorflow"]


def test_short_aliases_are_case_sensitive():
    cat = default_catalogue()
    assert cat.framework_of("the tf of it") is None
    assert cat.framework_of("TF Serving") == "tensorflow"
