"""A cluster judged: own figures related, comparatives checked against both subjects' figures with the other
subject's figures capped, the verdict and the consensus over the cluster's own figures."""

from pipelines.claims import Claim, Cluster, Comparator, Kind, TimeBasis, Unit, Verdict
from pipelines.context import Period
from pipelines.relations.comparative_figures import MAX_COUNTERPARTS
from pipelines.relations.judge import judge_cluster
from pipelines.serialize import cluster_dict


def stars(id, subject, value, doc, year=2025, scope="GitHub repositories"):
    return Claim(
        id=id,
        document_id=doc,
        kind=Kind.NUMERIC,
        subjects=(subject,),
        metric="github_stars",
        value_text=f"{value // 1000}k",
        value=float(value),
        unit=Unit.COUNT,
        comparator=Comparator.EQ,
        time=str(year),
        time_basis=TimeBasis.SENTENCE,
        period=Period.year(year).anchored("sentence"),
        scope=scope,
    )


def test_counterparts_are_capped_and_consensus_is_the_clusters_own():
    own = [stars("p1", "pytorch", 74_000, "d1"), stars("p2", "pytorch", 75_000, "d2")]
    comp = Claim(
        id="c",
        document_id="d1",
        kind=Kind.COMPARATIVE,
        subjects=("pytorch", "tensorflow"),
        metric="github_stars",
        value_text="has surpassed",
        value=None,
        unit=Unit.OTHER,
        comparator=Comparator.GT,
        time="2025",
        time_basis=TimeBasis.SENTENCE,
        period=Period.year(2025).anchored("sentence"),
        scope="GitHub repositories",
    )
    theirs = [stars(f"t{n}", "tensorflow", 180_000 + 1000 * (n % 40), f"e{n}") for n in range(300)]
    theirs.append(stars("t-same", "tensorflow", 180_000, "d1"))
    judged = judge_cluster(
        Cluster(id="k", subject="pytorch", metric="github_stars", key="pytorch|github_stars"), own, [comp], theirs
    )
    shown_theirs = [c for c in judged.claims if c.extra.get("counterpart")]
    assert 0 < len(shown_theirs) <= MAX_COUNTERPARTS
    assert "t-same" in {c.id for c in shown_theirs}  # the figure of the comparative's own article is checked
    assert judged.verdict == Verdict.CONFLICTS  # 'has surpassed' vs 74k and 180k, one stated period and population
    view = cluster_dict(judged)
    assert view["consensus"]["documents"] == 2 and view["consensus"]["best_estimate"] == 74_500
    assert {"cluster_id", "verdict", "reason", "consensus", "claims", "relations", "relation_counts"} <= set(view)
    assert sum(c["counterpart"] for c in view["claims"]) == len(shown_theirs)


def test_a_comparative_alone_with_an_unresolved_figure_is_not_single():
    comp = Claim(
        id="c",
        document_id="d9",
        kind=Kind.COMPARATIVE,
        subjects=("pytorch", "tensorflow"),
        metric="github_stars",
        value_text="trails",
        value=None,
        unit=Unit.OTHER,
        comparator=Comparator.LT,
    )
    judged = judge_cluster(
        Cluster(id="k", subject="pytorch", metric="github_stars", key="k"),
        [stars("p", "pytorch", 200_000, "d1")],
        [comp],
        [stars("t", "tensorflow", 100_000, "d2")],
    )
    assert judged.verdict == Verdict.UNRESOLVED
