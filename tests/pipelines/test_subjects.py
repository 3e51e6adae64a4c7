"""Subject resolution from tagged spans (the tagger's output written by hand; the real tagger runs on the
same path in tests/test_extract_real.py)."""

from pipelines.context import document_context
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
    subjects, _, _ = ex._subjects(article, cand, out, document_context(article))
    assert subjects == ["pytorch"]


def test_pronoun_resolves_to_the_framework_named_before_it():
    ex, article, cand = _setup(
        "JAX went public in 2018. It sits at roughly 29k stars, a third of PyTorch's.", "roughly 29k"
    )
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "It")])
    subjects, spans, _ = ex._subjects(article, cand, out, document_context(article))
    assert subjects == ["jax"]
    assert article.original[spans[0].start : spans[0].end] == "JAX"


def test_comparison_keeps_both_subjects():
    ex, article, cand = _setup("PyTorch trained 25.5% faster than TensorFlow.", "25.5% faster")
    cand = Candidate(cand.quantity, 0, len(article.clean), 0, 0)
    out = TaggerOutput(0.99, {}, [_tag(cand, article, "PyTorch"), _tag(cand, article, "TensorFlow", slot="SUBJECT2")])
    subjects, _, _ = ex._subjects(article, cand, out, document_context(article))
    assert subjects == ["pytorch", "tensorflow"]


def test_untagged_subject_is_never_a_framework_in_a_baseline_position():
    # Nothing tagged: the nearest framework to the value is the one being overtaken, not the subject.
    ex, article, cand = _setup(
        "Analysts say JAX is overtaking TensorFlow at several labs, with about 40% of new TPU projects in JAX.",
        "about 40%",
    )
    subjects, spans, _ = ex._subjects(article, cand, TaggerOutput(0.99, {}, []), document_context(article))
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
    subjects, _, _ = Extractor()._subjects(article, cand, out, document_context(article))
    assert subjects == ["mxnet", "pytorch"]


def _subjects_of(text: str, value: str, tags: list[tuple[str, str]], url: str | None = None):
    """Subjects decoded for ``value`` of ``text`` when the tagger tagged ``tags`` (phrase, slot)."""
    article = article_from_text(text, url=url)
    q = next(q for q in find_quantities(article.clean) if q.surface == value)
    stop = article.clean.rfind(". ", 0, q.start)
    start = stop + 2 if stop >= 0 else 0
    nxt = article.clean.find(". ", q.end)
    end = nxt + 1 if nxt >= 0 else len(article.clean)
    cand = Candidate(q, start, end, max(0, start - 240), start)
    out = TaggerOutput(0.99, {}, [_tag(cand, article, phrase, slot=slot) for phrase, slot in tags])
    return Extractor()._subjects(article, cand, out, document_context(article))


def test_in_a_list_each_value_takes_the_framework_of_its_clause():
    text = "In the survey, 61% use PyTorch, 35% use TensorFlow and 4% use JAX."
    # The tagger, surest of PyTorch, tagged only it: the clause of 35% names TensorFlow.
    assert _subjects_of(text, "35%", [("PyTorch", "SUBJECT")])[0] == ["tensorflow"]
    assert _subjects_of(text, "4%", [("PyTorch", "SUBJECT"), ("JAX", "SUBJECT")])[0] == ["jax"]


def test_a_library_the_catalogue_does_not_know_is_a_subject_by_its_name():
    subjects, spans, _ = _subjects_of(
        "Candle 0.4 decodes 2.5x faster than before.", "2.5x faster", [("Candle 0.4", "SUBJECT")]
    )
    assert subjects == ["candle"]
    versions = _subjects_of("Candle 0.4 decodes 2.5x faster than before.", "2.5x faster", [("Candle 0.4", "SUBJECT")])[
        2
    ]
    assert versions == ["0.4"]


def test_a_feature_of_a_known_framework_is_not_a_subject_of_its_own():
    text = "DeepSpeed adds ZenFlow: ZenFlow trains 5x faster with offloading."
    assert _subjects_of(text, "5x faster", [("ZenFlow", "SUBJECT")])[0] == ["deepspeed"]


def test_data_types_units_hardware_and_models_are_never_subjects():
    for name in (
        "FP8",
        "BF16",
        "TFLOPS",
        "A100",
        "Llama 3",
        "ResNet-50",
        "TTFT",
        "MXFP8",
        "W8A8",
        "GiB",
        "AlexNet",
        "0",
    ):
        text = f"{name} gives 2x higher throughput."
        assert _subjects_of(text, "2x", [(name, "SUBJECT")])[0] == [], name


def test_a_project_blog_that_never_names_the_project_takes_it_from_the_url():
    subjects, spans, _ = _subjects_of(
        "Our new scheduler gives 1.8x higher throughput.", "1.8x", [], url="https://blog.vllm.ai/2024/09/05/perf.html"
    )
    assert subjects == ["vllm"] and spans == []
    # In a code repository, the framework its path names most precisely: torchao, not its owner PyTorch.
    repo = "https://github.com/pytorch/ao/blob/main/torchao/prototype/README.md"
    assert _subjects_of("Our new scheduler gives 1.8x higher throughput.", "1.8x", [], url=repo)[0] == ["torchao"]


def test_a_framework_something_is_built_for_is_not_what_the_figure_is_about():
    text = "The Hugging Face Transformers library, which is optimized for PyTorch, offers 5,000 models."
    tags = [("PyTorch", "SUBJECT"), ("Hugging Face Transformers", "SUBJECT")]
    assert _subjects_of(text, "5,000", tags)[0] == ["hf_transformers"]


def test_a_feature_inside_a_frameworks_own_repository_is_that_frameworks():
    text = "ZenFlow trains 5x faster with offloading."
    own = "https://github.com/deepspeedai/DeepSpeed/blob/0123abc/blogs/zenflow/README.md"
    assert _subjects_of(text, "5x faster", [("ZenFlow", "SUBJECT")], url=own)[0] == ["deepspeed"]
    # The repository's path names a framework more precisely than its owner: torchao, not PyTorch.
    nested = "https://github.com/pytorch/ao/blob/main/torchao/prototype/zenflow/README.md"
    assert _subjects_of(text, "5x faster", [("ZenFlow", "SUBJECT")], url=nested)[0] == ["torchao"]
    # In a repository that is no framework's own (whatever its files compare it with), or on another site,
    # the name is the subject; a framework named by a file or a folder of another framework's repository
    # does not own it either.
    for url in (
        "https://github.com/someone/zenflow",
        "https://github.com/someone/zenflow/blob/main/compare_with_deepspeed.md",
        "https://example.com/posts/zenflow.html",
        None,
    ):
        assert _subjects_of(text, "5x faster", [("ZenFlow", "SUBJECT")], url=url)[0] == ["zenflow"], url


def test_a_name_in_a_web_address_is_not_a_subject():
    text = "Float8 training in TorchAO yielded [1.4x speedup](https://pytorch.org/blog/float8) on Llama."
    # Tagged or not, "pytorch" in the link's address says where the figure was published.
    assert _subjects_of(text, "1.4x", [("pytorch", "SUBJECT")])[0] == ["torchao"]
    assert _subjects_of(text, "1.4x", [])[0] == ["torchao"]


def test_a_repository_is_owned_by_the_framework_it_is_named_for():
    text = "ZenFlow trains 5x faster with offloading."
    for url, owner in (
        ("https://github.com/microsoft/onnxruntime/blob/main/docs/pytorch.md", "onnx_runtime"),
        ("https://github.com/keras-team/keras/blob/master/benchmarks/jax_vs_torch.md", "keras"),
        ("https://github.com/pytorch/torchtitan/blob/0a1/torchtitan/components/quantization/mxfp8.md", "torchtitan"),
        # named as the framework is written, case and separators aside
        ("https://github.com/jax-ml/jax/blob/main/docs/gpu_memory_allocation.rst", "jax"),
        ("https://github.com/ml-explore/mlx/blob/main/README.md", "mlx"),
        # a repository the catalogue lists for the framework, its name spelling it or not
        ("https://github.com/pytorch/ao/blob/36027d8/README.md", "torchao"),
        ("https://github.com/huggingface/transformers/blob/main/README.md", "hf_transformers"),
        # a folder naming a framework above the repository's own never takes it back
        ("https://github.com/pytorch/serve/blob/master/examples/pt2/torch_compile/README.md", "torchserve"),
        ("https://github.com/pytorch/ao/blob/main/benchmarks/pytorch_vs/README.md", "torchao"),
    ):
        assert _subjects_of(text, "5x faster", [("ZenFlow", "SUBJECT")], url=url)[0] == [owner], url


def test_an_unnamed_figure_on_a_frameworks_own_page_is_that_frameworks():
    text = "The baseline is plain PyTorch in bfloat16. The float8 recipe reaches 1.25x."
    repo = "https://github.com/pytorch/torchtitan/blob/0a1/docs/float8.md"
    assert _subjects_of(text, "1.25x", [], url=repo)[0] == ["torchtitan"]
    assert _subjects_of(text, "1.25x", [])[0] == ["pytorch"]  # elsewhere: the framework named before it


def test_a_table_cell_is_the_figure_of_the_framework_its_column_names():
    """The tagger marked LightGBM, another column's name: the cell under "xgboost" is XGBoost's."""
    from pipelines.extract.pipeline import _table_context

    text = (
        "Peak memory while training:\n\n| Data | xgboost | LightGBM (col-wise) |\n|---|---|---|\n"
        "| Higgs | 3.912GB | 0.815GB |\n| Epsilon | 5.118GB | 1.632GB |\n"
    )
    article = article_from_text(text)
    q = next(q for q in find_quantities(article.clean) if q.surface == "3.912GB")
    q, pieces = _table_context(article.clean, q)
    line = article.clean.rfind("\n", 0, q.start) + 1
    cand = Candidate(q, line, article.clean.find("\n", q.end), line, line, pieces)
    start = article.clean.index("LightGBM")
    out = TaggerOutput(0.99, {}, [(0, start - line, start - line + len("LightGBM"), "SUBJECT", 0.9)])
    subjects, spans, _ = Extractor()._subjects(article, cand, out, document_context(article))
    assert subjects == ["xgboost"] and article.original[spans[0].start : spans[0].end] == "xgboost"
    # A row header and a column title naming two frameworks (a matrix) decide nothing by themselves.
    matrix = "| vs | PyTorch |\n|---|---|\n| JAX | 1.2x |\n| TensorFlow | 0.9x |\n"
    article = article_from_text(matrix)
    q = next(q for q in find_quantities(article.clean) if q.surface == "1.2x")
    q, pieces = _table_context(article.clean, q)
    line = article.clean.rfind("\n", 0, q.start) + 1
    cand = Candidate(q, line, article.clean.find("\n", q.end), line, line, pieces)
    assert Extractor()._cell_framework(article, cand, set(), sure=True) is None
