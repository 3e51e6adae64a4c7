"""Clusters never mix apples and oranges: a claim meets only claims of its subject key (subject with its
version; the other subjects of a comparison), its property and its unit dimension; ``other`` metrics meet
on their phrase without the framework's name, and only when close to every phrase a cluster holds."""

import numpy as np
import pytest

from pipelines.catalogue import load_catalogue
from pipelines.cluster import (
    OTHER_SIMILARITY,
    ClaimFrame,
    ClusterRef,
    OtherIndex,
    assign,
    metric_text,
    subject_key,
)
from pipelines.embed import MiniLMEmbedder
from pipelines.types import content_id


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def minilm():
    embedder = MiniLMEmbedder()
    embedder.warm_up()
    return embedder


class TableEmbedder:
    """Fixed unit vectors per text, to set up exact cosines between phrases."""

    def __init__(self, table):
        self.table = {k: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for k, v in table.items()}

    def embed(self, texts):
        return np.stack([self.table[t] for t in texts])


def place(catalogue, embedder, frames, index=None):
    return assign(catalogue, embedder, frames, index if index is not None else OtherIndex())


def test_a_version_is_its_own_subject(catalogue):
    tf20 = ClaimFrame("tensorflow", "release_year", "released", version="2.0", dimension="date")
    tf = ClaimFrame("tensorflow", "release_year", "released", dimension="date")
    a, b = place(catalogue, None, [tf20, tf])
    assert a.id != b.id
    assert b.id == content_id("tensorflow", "release_year", prefix="k_")  # the id stores always had
    assert a.subject == b.subject == "tensorflow" and a.subject_key == "tensorflow@2.0"
    assert "TensorFlow 2.0" in a.key and a.dimension == b.dimension == "date"


def test_a_comparison_is_not_its_first_subject(catalogue):
    versus = ClaimFrame(
        "pytorch",
        "training_speed_ratio",
        "faster",
        form="versus",
        subjects=("pytorch", "tensorflow"),
        dimension="ratio",
    )
    single = ClaimFrame("pytorch", "training_speed_ratio", "speed", dimension="ratio")
    either = ClaimFrame(
        "pytorch",
        "training_speed_ratio",
        "faster",
        form="either",
        subjects=("pytorch", "tensorflow"),
        dimension="ratio",
    )
    vs_jax = ClaimFrame(
        "pytorch", "training_speed_ratio", "faster", form="versus", subjects=("pytorch", "jax"), dimension="ratio"
    )
    a, b, c, d = place(catalogue, None, [versus, single, either, vs_jax])
    assert len({a.id, b.id, c.id, d.id}) == 4
    assert subject_key(versus) == "pytorch|versus|tensorflow" and a.key.startswith("PyTorch vs TensorFlow — ")
    # Versions of both sides are part of the key ("1.4x faster than 1.13").
    v1 = ClaimFrame(
        "pytorch", "training_speed_ratio", None, version="2.0", form="versus", subjects=("pytorch", "pytorch")
    )
    v2 = ClaimFrame(
        "pytorch",
        "training_speed_ratio",
        None,
        version="2.0",
        version2="1.13",
        form="versus",
        subjects=("pytorch", "pytorch"),
    )
    assert subject_key(v2) == "pytorch@2.0|versus|pytorch@1.13"
    assert place(catalogue, None, [v1])[0].id != place(catalogue, None, [v2])[0].id


def test_a_versus_figure_that_is_no_ratio_is_its_first_subjects_own(catalogue):
    """ "over 75% of papers use PyTorch, replacing TensorFlow": a share is no ratio of two subjects."""
    share = ClaimFrame("pytorch", "research_paper_share", None, form="versus", subjects=("pytorch", "tensorflow"))
    own = ClaimFrame("pytorch", "research_paper_share", None, dimension="share")
    either = ClaimFrame("pytorch", "research_paper_share", None, form="either", subjects=("pytorch", "tensorflow"))
    a, b, c = place(catalogue, None, [share, own, either])
    assert a.id == b.id == content_id("pytorch", "research_paper_share", prefix="k_")
    assert c.id != a.id and c.subject_key == "pytorch|either|tensorflow"


def test_two_dimensions_of_one_metric_never_share_a_cluster(catalogue):
    count = ClaimFrame("pytorch", "github_stars", "stars", dimension="count")
    bare = ClaimFrame("pytorch", "github_stars", "stars")  # older claims: the catalogue's dimension
    share = ClaimFrame("pytorch", "github_stars", "stars", dimension="share")
    a, b, c = place(catalogue, None, [count, bare, share])
    assert a.id == b.id == content_id("pytorch", "github_stars", prefix="k_")
    assert c.id != a.id and c.dimension == "share" and a.dimension == "count"


def test_other_clusters_are_split_by_dimension_and_subject_key(catalogue):
    v = [1.0, 0.0, 0.0]
    embedder = TableEmbedder({"monthly downloads": v})
    frames = [
        ClaimFrame("pytorch", "other", "monthly downloads", dimension="count"),
        ClaimFrame("pytorch", "other", "monthly downloads", dimension="share"),
        ClaimFrame("pytorch", "other", "monthly downloads", dimension="count", version="2.0"),
        ClaimFrame("pytorch", "other", "monthly downloads", dimension="count"),
    ]
    refs = place(catalogue, embedder, frames)
    assert len({r.id for r in refs[:3]}) == 3 and refs[3].id == refs[0].id
    index = OtherIndex(refs)
    again = place(catalogue, embedder, [ClaimFrame("pytorch", "other", "monthly downloads", dimension="share")], index)
    assert again[0].id == refs[1].id


def test_metric_text_leaves_framework_names_out(catalogue):
    frame = ClaimFrame("pytorch", "other", "PyTorch's monthly downloads on PyPI")
    assert metric_text(catalogue, frame) == "monthly downloads on PyPI"
    frame = ClaimFrame("tensorflow", "other", "TF 2.0 lines of code vs JAX", version="2.0")
    assert metric_text(catalogue, frame) == "lines of code vs"
    assert metric_text(catalogue, ClaimFrame("pytorch", "other", "PyTorch")) == "PyTorch"  # nothing else left


def test_complete_link_a_chain_of_neighbours_does_not_drift(catalogue):
    """b is close to a and c, but a and c are far apart: c joins nothing that holds a."""
    angle = np.deg2rad(35)  # cos 35° ≈ 0.82 ≥ 0.75; cos 70° ≈ 0.34 < 0.75
    embedder = TableEmbedder(
        {"a": [1, 0, 0], "b": [np.cos(angle), np.sin(angle), 0], "c": [np.cos(2 * angle), np.sin(2 * angle), 0]}
    )
    frames = [ClaimFrame("pytorch", "other", p) for p in ("a", "b", "c")]
    within = place(catalogue, embedder, frames)  # one article
    assert within[0].id == within[1].id != within[2].id
    assert within[1].member is not None  # b is kept with the cluster's members
    index = OtherIndex()
    for frame in frames:  # one article each, committed in between
        for ref in place(catalogue, embedder, [frame], index):
            index.add(ref)
    assert [r.id for r in index.refs("pytorch")] == [within[0].id, within[2].id]
    # Single link would have put c with a: c is at least OTHER_SIMILARITY to b, a member.
    assert float(embedder.embed(["b"])[0] @ embedder.embed(["c"])[0]) >= OTHER_SIMILARITY


def test_members_are_bounded_and_duplicates_not_kept(catalogue):
    rng = np.random.default_rng(3)
    base = np.zeros(16)
    base[0] = 1
    table = {f"p{n}": base + 0.12 * rng.normal(size=16) for n in range(100)}
    table["p0"] = base
    embedder = TableEmbedder(table)
    index = OtherIndex()
    joined = 0
    for n in range(100):
        for ref in place(catalogue, embedder, [ClaimFrame("jax", "other", f"p{n}")], index):
            index.add(ref)
            joined += ref.member is not None
    group = index.group("jax", None)
    assert group is not None and all(len(m) <= 64 for m in group.members)
    again = place(catalogue, embedder, [ClaimFrame("jax", "other", "p0")], index)[0]
    assert again.id in {r.id for r in index.refs("jax")}  # joins the cluster whose least similar member is closest
    index.add(again)
    twice = place(catalogue, embedder, [ClaimFrame("jax", "other", "p0")], index)[0]
    assert twice.id == again.id and twice.member is None  # a phrase it already keeps: nothing new to keep
    assert joined > 10


def test_real_minilm_keeps_different_properties_of_one_framework_apart(catalogue, minilm):
    """The framework's name no longer dominates: lines of code, stars and contributors of PyTorch are three
    clusters, two wordings of monthly downloads are one."""
    phrases = [
        "PyTorch lines of code",
        "GitHub stars of PyTorch",
        "PyTorch's contributors",
        "PyTorch monthly downloads",
        "downloads per month",
    ]
    index = OtherIndex()
    refs = []
    for phrase in phrases:
        (ref,) = place(catalogue, minilm, [ClaimFrame("pytorch", "other", phrase)], index)
        index.add(ref)
        refs.append(ref)
    loc, stars, contributors, monthly, per_month = (r.id for r in refs)
    assert len({loc, stars, contributors, monthly}) == 4
    assert per_month == monthly and refs[4].member is not None
    # With the name in the embedded text, as keys were embedded before, stars and contributors met.
    named = minilm.embed(["PyTorch — GitHub stars", "PyTorch — contributors"])
    assert float(named[0] @ named[1]) >= OTHER_SIMILARITY


def test_index_from_refs_with_members_matches_the_live_index(catalogue):
    embedder = TableEmbedder({"a": [1, 0], "b": [0.8, 0.6], "c": [0.6, 0.8]})
    live = OtherIndex()
    log: list[ClusterRef] = []
    for p in ("a", "b"):
        for ref in place(catalogue, embedder, [ClaimFrame("jax", "other", p)], live):
            live.add(ref)
            log.append(ref)
    rebuilt = OtherIndex(log)
    probe = [ClaimFrame("jax", "other", "c")]
    assert [r.id for r in place(catalogue, embedder, probe, rebuilt)] == [
        r.id for r in place(catalogue, embedder, probe, live)
    ]
    assert place(catalogue, embedder, probe, live)[0].id != log[0].id  # c is far from a, a member


def test_each_distinct_phrase_is_embedded_once(catalogue):
    """Clustering embeds only ``other`` phrases, each distinct one once however many claims share it."""
    seen: list[str] = []

    class Counting(TableEmbedder):
        def embed(self, texts):
            seen.extend(texts)
            return super().embed(texts)

    embedder = Counting({"lines of code": [1, 0], "commits": [0, 1]})
    frames = [ClaimFrame("jax", "other", "lines of code")] * 3 + [ClaimFrame("jax", "other", "commits")]
    frames.append(ClaimFrame("jax", "github_stars", "stars"))
    refs = place(catalogue, embedder, frames)
    assert sorted(seen) == ["commits", "lines of code"]
    assert refs[0].id == refs[1].id == refs[2].id != refs[3].id
