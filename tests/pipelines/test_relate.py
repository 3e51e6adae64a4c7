import pytest

from pipelines.relate import ClaimValue, relate, scope_words


def pct(surface, value, comparator="=", period=None, scope=None, high=None):
    return ClaimValue(
        surface=surface, value=value, value_high=high, unit="percent", comparator=comparator, period=period, scope=scope
    )


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        (pct("70%", 0.70), pct("about 80%", 0.80, "~"), "conflicts"),
        # "70%" is [69.5%, 70.5%] as written: it leaves room for "over 70%".
        (pct("70%", 0.70), pct("over 70%", 0.70, ">"), "agrees"),
        (pct("over 75%", 0.75, ">"), pct("about 80%", 0.80, "~"), "agrees"),
        (pct("70%", 0.70), pct("over 75%", 0.75, ">"), "conflicts"),
        (pct("62%", 0.62, period="2022"), pct("70%", 0.70, period="2025"), "trend"),
        (pct("70%", 0.70, period="2025"), pct("72%", 0.72, period="2025"), "conflicts"),
        (pct("70%", 0.70, period="2025"), pct("71%", 0.71, period="2025"), "agrees"),
        (pct("70%", 0.70, scope="NeurIPS papers"), pct("45%", 0.45, scope="arXiv preprints"), "different_scope"),
        (pct("70%", 0.70, scope="research papers"), pct("80%", 0.80, "~", scope="NeurIPS papers"), "conflicts"),
        (pct("18–25%", 0.18, "range", high=0.25), pct("about 20%", 0.20, "~"), "agrees"),
        (pct("up to 30%", 0.30, "up_to"), pct("12%", 0.12), "agrees"),
        (
            ClaimValue(surface="74k+", value=74000, unit="count", comparator=">="),
            ClaimValue(surface="180k+", value=180000, unit="count", comparator=">="),
            "agrees",
        ),
        (
            ClaimValue(surface="74k", value=74000, unit="count"),
            ClaimValue(surface="180k", value=180000, unit="count"),
            "conflicts",
        ),
        (
            ClaimValue(surface="2015", value=2015, unit="year"),
            ClaimValue(surface="2015", value=2015, unit="year"),
            "agrees",
        ),
        (
            ClaimValue(surface="2016", value=2016, unit="year"),
            ClaimValue(surface="2017", value=2017, unit="year"),
            "conflicts",
        ),
    ],
)
def test_relations(a, b, relation):
    result = relate(a, b)
    assert result.relation == relation, result.reason
    assert a.surface in result.reason and b.surface in result.reason
    assert relate(b, a).relation == relation


def test_reason_names_the_intervals():
    reason = relate(pct("70%", 0.70), pct("about 80%", 0.80, "~")).reason
    assert "disjoint" in reason and "69.5%" in reason and "76%" in reason


def test_scope_words_ignore_years_and_stop_words():
    assert scope_words("all NeurIPS 2024 papers") == {"neurips", "papers"}
    assert scope_words(None) == frozenset()


def test_ranks_are_exact():
    second = ClaimValue(surface="2nd", value=2, unit="rank")
    third = ClaimValue(surface="3rd", value=3, unit="rank")
    assert relate(second, third).relation == "conflicts"
    assert relate(second, ClaimValue(surface="second", value=2, unit="rank")).relation == "agrees"
