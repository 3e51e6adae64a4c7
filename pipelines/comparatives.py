"""Comparative cues: the words that compare frameworks without a number of their own.

"PyTorch has surpassed TensorFlow in GitHub stars", "TensorFlow offers lower latency than PyTorch",
"the two perform on par". These functions only *propose* cue spans with the direction their words
carry; the claim tagger decides whether a cue states a claim about frameworks and tags who is compared
with whom and on what. The lexicon is general English comparison, not a list of any article's phrases.

Directions: ``>`` the first subject has more of the metric (or is ahead), ``<`` less (or behind),
``~`` about the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pipelines.types import Quantity

_DEGREE = (
    r"(?:(?:slightly|far|much|significantly|considerably|substantially|marginally|notably|noticeably|"
    r"dramatically|somewhat|vastly|a\s+bit|a\s+little|a\s+lot|way|even|still|consistently|generally)\s+)?"
)
_MORE = r"more|higher|faster|greater|larger|bigger|quicker|stronger|wider"
_LESS = r"fewer|less|lower|slower|smaller|weaker|narrower"

# (pattern, direction). Verb forms are spelled out so that nothing depends on a lemmatiser.
_CUES: list[tuple[str, str]] = [
    (
        r"(?:has\s+|have\s+|had\s+)?(?:since\s+|now\s+|already\s+|finally\s+|still\s+)?"
        r"(?:surpass(?:es|ed|ing)?|overt(?:ake|akes|ook|aken|aking)|outpac(?:e|es|ed|ing)|outnumber(?:s|ed|ing)?|"
        r"outperform(?:s|ed|ing)?|outstrip(?:s|ped|ping)?|outrank(?:s|ed|ing)?|outsell(?:s|ing)?|outsold|"
        r"eclips(?:e|es|ed|ing)|overshadow(?:s|ed|ing)?|dethron(?:e|es|ed|ing)|leapfrog(?:s|ged|ging)?|"
        r"out-?(?:search|sell|grow|rank|pace|number|perform|ship)(?:s|es|ed|ing)?|beat(?:s|ing|en)?|passed|"
        r"edg(?:e|es|ed|ing)\s+out|crossed\s+over|(?:leads|led|leading)(?!\s+(?:to|by\s+example)\b))",
        ">",
    ),
    (
        r"(?:(?:pull(?:s|ed|ing)?|move[sd]?|moving|edg(?:e|es|ed|ing)|stay(?:s|ed)?|remain(?:s|ed)?|is|are|was|were|"
        r"c(?:o|a)mes?\s+out)\s+)?(?:just\s+|narrowly\s+|well\s+|far\s+|slightly\s+|comfortably\s+)?ahead(?:\s+of)?",
        ">",
    ),
    (
        r"(?:trail(?:s|ed|ing)?|lag(?:s|ged|ging)?(?:\s+(?:well\s+|far\s+)?behind)?|f(?:a|e)ll(?:s|ing)?\s+behind|"
        r"(?:(?:is|are|was|were|remains?|remained)\s+)?(?:just\s+|well\s+|far\s+|slightly\s+)?behind)",
        "<",
    ),
    (r"(?:older|earlier)(?=\s+than\b)", "<"),
    (r"(?:newer|younger)(?=\s+than\b)", ">"),
    (
        r"(?:an?\s+)?(?:slight|narrow|clear|wide|big|commanding|small|modest|decisive|significant|sizeable|"
        r"comfortable|healthy)?\s?(?:edge|lead|advantage)(?=\s+(?:over|in|on|for|when|at)\b)",
        ">",
    ),
    (r"(?:the\s+)?(?:most|fastest|largest|biggest|highest|quickest|widest)", ">"),
    (r"(?:the\s+)?(?:least|slowest|smallest|lowest|fewest)", "<"),
    (_DEGREE + rf"(?:{_MORE})", ">"),
    (_DEGREE + rf"(?:{_LESS})", "<"),
    (
        r"(?:(?:roughly|about|nearly|almost|essentially|largely)\s+)?(?:on\s+par|comparabl[ey]|similar(?:ly)?|"
        r"neck\s+and\s+neck|level\s+with|the\s+same|equal(?:ly)?|identical(?:ly)?|indistinguishable|matche[sd]|"
        r"within\s+(?:a\s+)?(?:few|couple\s+of|handful\s+of)\s+percent(?:age\s+points?)?|"
        r"(?:a|only\s+a|just\s+a)\s+(?:few|couple\s+of)\s+percentage\s+points?)",
        "~",
    ),
]
_CUE_RE = re.compile(
    "|".join(f"(?P<c{i}>(?<![\\w-]){pattern}(?![\\w-]))" for i, (pattern, _) in enumerate(_CUES)), re.IGNORECASE
)
# "more than 75%", "less than a year": the comparison belongs to a number or a time, not to frameworks.
_NUMBERISH_AFTER = re.compile(
    r"\s*(?:than\s+|as\s+)?(?:\d|one\b|two\b|three\b|four\b|five\b|ten\b|a\s+(?:dozen|decade|year|month|week|"
    r"hundred|thousand|million|billion)|half\b|twice\b|double\b|ever\b|before\b|usual\b|expected\b)",
    re.IGNORECASE,
)
# "is not faster than", "isn't evenly split", "never overtook", "no more than": a negated cue states no order.
_NEGATED_BEFORE = re.compile(
    r"(?i)(?:\bnot|n[’']t|\bnever|\bno)\s+(?:(?:(?!only\b)\w+ly|quite|yet|even|much|any|always)\s+)?$"
)
# Hyphenated or compound uses that describe, not compare: "higher-level APIs", "lower-level control".
_DESCRIPTIVE_AFTER = re.compile(r"-(?:level|order|end|tier|profile|quality|resolution|performance)", re.IGNORECASE)


def find_comparatives(text: str, quantities: Sequence[Quantity] = ()) -> list[Quantity]:
    """Comparative cue spans of ``text`` that do not overlap a quantity, as value-less ``Quantity``s.

    Args:
        text: Any text, e.g. an article's clean view.
        quantities: Number-like mentions already found; a cue inside or touching one ("25.5% faster",
            "more than 75%") belongs to that number.

    Returns:
        Cues in text order, ``kind="comparative"``, ``value`` NaN, ``comparator`` the direction the
        words carry (``>``, ``<`` or ``~``) before the metric's sense is known.
    """
    taken = [(q.start, q.end) for q in quantities]
    # "75% more", "2x higher": a cue right after a share or a ratio belongs to that number.
    touching = {q.end for q in quantities if q.unit in ("percent", "ratio")}
    out: list[Quantity] = []
    for m in _CUE_RE.finditer(text):
        start, end = m.span()
        if _NUMBERISH_AFTER.match(text, end) or _DESCRIPTIVE_AFTER.match(text, end):
            continue
        if _NEGATED_BEFORE.search(text[max(0, start - 40) : start]):
            continue
        if any(s < end and start < e for s, e in taken) or start in touching or start - 1 in touching:
            continue
        group = next(name for name, value in m.groupdict().items() if value is not None)
        direction = _CUES[int(group[1:])][1]
        out.append(
            Quantity(
                start=start,
                end=end,
                surface=text[start:end],
                value=math.nan,
                unit="comparison",
                comparator=direction,
                kind="comparative",
            )
        )
    return out


# Metric words whose quantity is a cost: less of it is more speed ("lower latency" = faster inference).
_COST_WORDS = re.compile(r"(?i)\b(latenc\w*|time|times|duration|delay|overhead|wait\w*|lag)\b")
_GAIN_WORDS = re.compile(r"(?i)\b(throughput|speed\w*|performance|fast\w*|quick\w*|rate|samples|tokens|images)\b")


def directed(direction: str, metric_unit_kind: str, after: str, before: str = "") -> str:
    """The cue's direction on the catalogue metric: a speed ratio measured by a cost flips its sign.

    Args:
        direction: What the cue's words say (``>``, ``<``, ``~``).
        metric_unit_kind: The unit kind of the metric the claim was resolved to.
        after: The words right after the cue ("latency and higher throughput than …").
        before: The words right before it ("… whose latency is"), read when nothing follows.
    """
    if direction not in (">", "<") or metric_unit_kind != "ratio":
        return direction
    for words, nearest_first in ((after, True), (before, False)):
        found = [(m.start(), "cost") for m in _COST_WORDS.finditer(words)]
        found += [(m.start(), "gain") for m in _GAIN_WORDS.finditer(words)]
        if found:
            _, kind = min(found) if nearest_first else max(found)
            if kind == "cost":
                return "<" if direction == ">" else ">"
            return direction
    return direction
