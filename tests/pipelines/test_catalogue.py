from pathlib import Path

import pytest

from pipelines.catalogue import DIMENSIONS, CatalogueError, default_catalogue, load_catalogue

REQUIRED_METRICS = """research_paper_share research_paper_ratio paper_mention_count paper_implementation_share
developer_usage_share developer_usage_ratio developer_count organization_count contributor_count
survey_preference_share survey_loved_rank popularity_rank user_migration_share qa_volume_ratio usage_growth
job_postings job_postings_growth ecosystem_growth search_interest_ratio github_stars github_forks github_commits
github_star_growth downloads model_hub_count model_hub_share citations codebase_loc release_count
training_speed_ratio inference_speed_ratio execution_speed_ratio runtime_seconds runtime_reduction
compile_time_seconds scaling_efficiency memory_reduction model_size_reduction backward_compatibility release_year
release_gap_years integration_year governance_transfer_year adoption_event_year support_duration_years
bot_pr_share pr_review_coverage community_pr_share pr_wait_time_hours other""".split()


def test_catalogue_has_the_required_metrics_each_with_a_dimension():
    cat = default_catalogue()
    assert set(REQUIRED_METRICS) <= set(cat.metrics)
    for metric in cat.metrics.values():
        assert metric.dimension in DIMENSIONS or (metric.id == "other" and metric.dimension == "any")
    assert cat.metrics["codebase_loc"].dimension == "count" and cat.metrics["release_year"].dimension == "date"
    for fw in ("pytorch", "tensorflow", "jax", "keras", "scikit_learn", "onnx", "hf_transformers", "vllm"):
        assert fw in cat.frameworks


def test_sub_products_are_their_own_subjects_linked_to_their_framework():
    cat = default_catalogue()
    assert cat.framework_of("TF Serving") == "tensorflow_serving"
    assert cat.frameworks["tensorflow_serving"].parent == "tensorflow"
    assert cat.root("tensorflow_lite") == "tensorflow" and cat.root("pytorch") == "pytorch"


def test_aliases_match_on_word_boundaries_longest_first():
    cat = default_catalogue()
    hits = cat.find_frameworks("TensorFlow Lite beats tf.keras; torch and TF too, but not tfx or https://x.tf/")
    assert [h.framework for h in hits] == ["tensorflow_lite", "tensorflow", "pytorch", "tensorflow"]


def test_short_aliases_are_case_sensitive():
    cat = default_catalogue()
    assert cat.framework_of("the tf of it") is None
    assert cat.framework_of("TF 2.x") == "tensorflow"


@pytest.mark.parametrize(
    ("name", "page", "framework"),
    [
        ("Transformers", "Hugging Face released Transformers v5.", "hf_transformers"),  # less its maker's name
        ("Face Transformers", "The Hugging Face Transformers library", "hf_transformers"),  # a span cut short
        ("MLlib", "Spark ships MLlib.", "spark_mllib"),
        ("Transformers", "Transformers reach 92% top-1 accuracy.", None),  # no Hugging Face: the architecture
        ("Transformers", None, None),
        ("Lite", "TensorFlow Lite and MindSpore Lite", None),  # an English word, whichever name ends with it
        ("Hub", "the Hugging Face Hub", None),  # too short to stand alone
        ("Serving", "TensorFlow Serving", None),
        ("Torch", "Lua Torch", None),  # a tail that is another framework's name names neither
    ],
)
def test_a_name_less_its_leading_words_stands_for_one_framework(name, page, framework):
    assert default_catalogue().short_name_of(name, page) == framework


@pytest.mark.parametrize(
    ("name", "framework"),
    [("DL4j", "deeplearning4j"), ("MXnet", "mxnet"), ("Py-Torch", "pytorch"), ("Accelerate", None), ("Jax", None)],
)
def test_a_known_name_in_other_case_or_separators_is_that_framework_but_never_a_plain_word(name, framework):
    assert default_catalogue().spelled(name) == framework


def test_a_listed_repository_written_in_prose_names_its_framework():
    cat = default_catalogue()
    text = "About 160k stars (huggingface/transformers, June 2026); see pytorch/ao, not https://github.com/pytorch/ao."
    assert [(h.framework, text[h.start : h.end]) for h in cat.find_frameworks(text)] == [
        ("hf_transformers", "huggingface/transformers"),
        ("torchao", "pytorch/ao"),  # the whole repository, not its owner PyTorch
    ]
    assert [h.framework for h in cat.find_frameworks("JAX/Flax over TCP/IP")] == ["jax", "flax"]  # no repository
    assert cat.find_frameworks("npm install @huggingface/transformers") == []  # a package, not the repository


def test_a_tail_two_frameworks_share_names_neither(tmp_path: Path):
    path = tmp_path / "catalogue.toml"
    path.write_text(
        '[frameworks.acme]\nname = "Acme Turbo"\n[frameworks.zeta]\nname = "Zeta Turbo"\n'
        '[frameworks.nova]\nname = "Nova Sparkle"\nrepositories = ["nova-labs/nsp"]\n'
        '[metrics.other]\ndescription = "o"\ndimension = "any"\n'
    )
    cat = load_catalogue(path)
    assert cat.short_name_of("Turbo", "Acme Turbo and Zeta Turbo") is None
    assert cat.short_name_of("Sparkle", "Nova ships Sparkle.") == "nova"
    assert cat.repository_of("Nova-Labs", "NSP") == "nova"  # listed repositories match in any case


def test_a_repository_named_for_a_framework_is_its_own():
    cat = default_catalogue()
    assert cat.repository_of("pytorch", "ao") == "torchao"  # listed in the catalogue
    assert cat.repository_of("ml-explore", "mlx") == "mlx" and cat.repository_of("microsoft", "onnxruntime")
    assert cat.repository_of("someone", "tf") is None  # too short to name one by spelling
    assert cat.within("torchao", "pytorch") and not cat.within("pytorch", "torchao")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('[metrics.stars]\ndescription = "stars"\n', "metric 'stars' declares no unit dimension"),
        ('[metrics.stars]\ndescription = "stars"\ndimension = "furlongs"\n', "unknown unit dimension 'furlongs'"),
        ('[metrics.speed]\ndimension = "ratio"\nmeasurement = "yes"\n', "metric 'speed' has measurement = 'yes'"),
    ],
)
def test_a_metric_without_a_known_unit_is_refused_by_name(tmp_path: Path, entry: str, message: str):
    path = tmp_path / "catalogue.toml"
    path.write_text('[frameworks.x]\nname = "X"\n[metrics.other]\ndescription = "o"\ndimension = "any"\n' + entry)
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_benchmark_metrics_are_marked_measurements():
    metrics = default_catalogue().metrics
    assert metrics["inference_speed_ratio"].measurement and metrics["runtime_seconds"].measurement
    assert not metrics["github_stars"].measurement and not metrics["research_paper_share"].measurement


def test_a_name_inside_a_web_address_is_not_a_mention():
    cat = default_catalogue()
    text = "See [the benchmark](https://pytorch.org/blog/x) and www.tensorflow.org/guide: JAX wins."
    assert [h.framework for h in cat.find_frameworks(text)] == ["jax"]
    assert [h.framework for h in cat.find_frameworks("PyTorch (https://github.com/pytorch/pytorch)")] == ["pytorch"]


@pytest.mark.parametrize(
    "text",
    ["Source:https://pytorch.org/a", "**https://pytorch.org/a**", "url=https://pytorch.org/x.", "(www.pytorch.org)"],
)
def test_a_web_address_is_found_wherever_it_starts(text):
    assert default_catalogue().find_frameworks(f"JAX leads. {text}") == default_catalogue().find_frameworks(
        "JAX leads."
    )


def test_names_of_a_framework():
    cat = default_catalogue()
    assert cat.names_of("keras")[0] == "Keras" and "keras" in cat.names_of("keras")
    assert cat.names_of("no_such_library") == ()
