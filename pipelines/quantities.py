"""Find number-like mentions in text and normalise them, following ``annotations/README.md``.

Pure functions: every pattern is compiled once at import, a call allocates only match objects, and
``dateparser`` runs only on spans a regex has already recognised as dates (results are cached).

The value span is the comparator words, the number, its multiplier and unit, and a speed word that
changes the unit ("over 75%", "74k+", "25.5% faster", "three times faster", "18–25%"). Numbers inside
URLs, e-mail addresses, hex ids, phone numbers and clock times are dropped whole.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from text_to_num import text2num

from pipelines.types import Quantity

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

__all__ = ["find_quantities", "interval", "parse_quantity"]

# --- pattern building blocks ---------------------------------------------------------------------
# Whitespace inside a span may hold one line break (hard-wrapped text) but never a blank line, and
# includes NBSP / thin spaces because Python's \s is Unicode-aware.
_W = r"(?=\s)[^\S\n]*\n?[^\S\n]*"
_W0 = r"[^\S\n]?"
_DASH = r"[-\u2010-\u2015\u2212]"
# Grouped thousands ("22,000", "22 000" with a thin/no-break space); the lookarounds stop a match
# from starting or ending inside a longer token ("A100", "2.1.0", "1,2,3").
_NUM = (
    r"(?<![\w.])(?<!\d,)(?:\d{1,3}(?:[,\u00a0\u2009\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?![.,]?\d)"
)
_GUNIT = r"(?:GB|MB|TB|KB|GiB|MiB|TiB|ms|fps)"
_END = rf"(?=x(?!\w)|{_GUNIT}(?!\w)|(?!\w))"
_CODES = r"(?:USD|EUR|GBP|CHF|NOK|SEK|DKK|JPY|CNY|RMB|INR|CAD|AUD|NZD|SGD|HKD)"
_UNITS_W = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS_W = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES_W = "hundred thousand million billion trillion".split()
_WTOK = "(?:" + "|".join(_TENS_W + _UNITS_W[::-1] + _SCALES_W) + r")\b"
_WORDNUM = (
    rf"(?i:\b(?:a{_W}(?=(?:{'|'.join(_SCALES_W)})\b))?{_WTOK}"
    rf"(?:(?:[^\S\n]+|-|(?<=hundred)[^\S\n]+and[^\S\n]+){_WTOK}){{0,7}})"
)
_YR = r"(?:1[89]\d\d|20\d\d|2100)"
_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_ORD_W = "first second third fourth fifth sixth seventh eighth ninth tenth".split()

# Comparator phrases -> comparator. Intensifiers ("well over", "just under") stay in the span.
_COMPARATORS = {
    ">": [
        "over",
        "more than",
        "above",
        "upwards of",
        "exceeding",
        "in excess of",
        "greater than",
        "higher than",
        "north of",
    ],
    "~": [
        "approximately",
        "approx.",
        "nearly",
        "almost",
        "about",
        "around",
        "roughly",
        "close to",
        "some",
        "circa",
        "ca.",
        "near",
        "just about",
        "closer to",
        "something like",
    ],
    ">=": ["at least", "no fewer than", "no less than", "a minimum of"],
    "<": ["under", "less than", "below", "fewer than", "lower than"],
    "<=": ["at most", "no more than", "a maximum of"],
    "up_to": ["up to", "as many as", "as much as"],
}
_COMP_OF = {p: c for c, ps in _COMPARATORS.items() for p in ps}
_SYMBOLS = {"~": "~", "≈": "~", "∼": "~", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">="}
_INTENS = r"(?:(?:well|just|slightly|far|much|a{_W}little|a{_W}bit){_W})?".replace("{_W}", _W)
_PHRASES = "|".join(_W.join(map(re.escape, p.split())) for p in sorted(_COMP_OF, key=len, reverse=True))
_COMP = rf"(?:(?i:\b{_INTENS}(?:{_PHRASES})){_W}|(?:<=|>=|[~≈∼<>≤≥]){_W0})"
_SPEED = r"(?i:faster|quicker|speedier|slower|ahead|behind)\b"


def _atom(s: str) -> str:
    """One number with its currency, multiplier, unit and speed word; group names end in ``s``."""
    return (
        rf"(?:(?P<cur{s}>US\$|[$€£¥₹]|{_CODES}(?=[^\S\n]?\d)){_W0})?"
        rf"(?P<sign{s}>(?<![\w.,%)])[-\u2212])?"
        rf"(?:(?P<num{s}>{_NUM})(?P<gm{s}>(?:k|K|M|B|bn|mn|tn)(?!\w))?(?P<gu{s}>{_GUNIT}(?!\w))?{_END}"
        rf"|(?P<word{s}>{_WORDNUM}))"
        rf"(?P<wm{s}>{_W}(?i:thousand|million|billion|trillion)\b)?"
        rf"(?:(?P<pct{s}>{_W0}%|{_W}(?i:percent(?:age{_W}points?)?|per{_W}cent|pct|points?|pts|pp)\b)"
        rf"|(?P<times{s}>x(?!\w)|{_W0}×|:1(?![\d:])|(?P<tword{s}>{_W}(?i:times)\b)|{_W0}-?(?i:fold)\b)"
        rf"|(?P<csfx{s}>{_W}(?:{_CODES}|(?i:dollars|euros?))\b)"
        # Short timings keep their unit, as the gold spans do ("roughly 95 seconds", "41 min", "58 s");
        # hours and calendar durations do not ("a median of 6.5 hours" -> "6.5").
        rf"|(?P<mu{s}>{_W}(?i:(?:milli|micro|nano)?seconds?|secs?|minutes?|mins?|ms|s)\b))?"
        # A speed word only belongs to the span after a percent or a multiplier ("30% slower").
        rf"(?P<speed{s}>(?(pct{s})|(?(times{s})|(?!))){_W}{_SPEED})?"
    )


_TAIL = (
    rf"(?:(?P<plus>\+)(?![\w+])|(?P<ormore>{_W}or{_W}(?:more|greater|higher|above)\b)"
    rf"|(?P<orless>{_W}or{_W}(?:less|fewer|lower|below)\b))?"
)

# --- candidate recognisers -----------------------------------------------------------------------
# No match starts right after a word character; testing that first lets `re` reject most positions
# (those inside words) in one step instead of trying every alternative (~5x faster on prose).
_START = r"(?<!\w)"
_SINGLE = re.compile(rf"{_START}(?P<pre>{_COMP})?{_atom('')}{_TAIL}")
_RANGE = re.compile(
    rf"{_START}(?:(?P<btw>(?i:\bbetween)){_W})?(?P<pre>{_COMP})?{_atom('a')}"
    rf"(?(btw){_W}(?i:and){_W}|(?:{_W0}(?P<dash>{_DASH}){_W0}|{_W}(?i:to|through){_W})){_atom('b')}{_TAIL}"
)
_SHARE = re.compile(
    rf"{_START}(?P<pre>{_COMP})?(?P<a>(?<![\w.])\d+|{_WORDNUM}){_W}(?i:in|(?:out{_W})?of{_W}every|out{_W}of){_W}"
    rf"(?P<b>\d+(?![\w.])|{_WORDNUM}\b)"
)
_FRACTION = re.compile(
    rf"{_START}(?P<pre>{_COMP})?(?i:\b(?P<fa>a|one|two|three|four|five|six|seven|eight|nine)[-\s]"
    rf"(?P<fb>half|halves|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?|twentieths?|hundredths?)\b)"
)
_FRACTION_CONTEXT = re.compile(rf"{_W}(?:of|the|as|more|less|fewer)\b|[^\S\n]*(?:[.,;:!?)\n]|$)", re.I)
_WORD_RATIO = re.compile(
    rf"{_START}(?P<pre>{_COMP})?(?i:\b(?P<w>twice|doubl(?:e[sd]?|ing)|tripl(?:e[sd]?|ing)|quadrupl(?:e[sd]?|ing)|half"
    r"|(?:two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)fold)\b)(?!-)"
)
_RATIO_SKIP = re.compile(rf"{_W}(?:precision|digits?|click|check|quotes?|agent)\b", re.I)
_HALF_CONTEXT = re.compile(rf"{_W}(?:of|the)\b", re.I)
_RANK = re.compile(
    rf"{_START}(?:(?<![\w&])#(?P<r1>\d+)|\b[Nn][Oo]\.{_W0}(?P<r2>\d+)|(?<![\w.])(?P<r3>\d+)(?:st|nd|rd|th)"
    rf"|(?i:\b(?P<r4>{'|'.join(_ORD_W)})\b|\btop[-\s](?P<r5>\d+)))(?!\w)"
)
_DATE_FULL = re.compile(
    rf"\b(?:{_MON}{_W}\d{{1,2}}(?:st|nd|rd|th)?,?{_W}{_YR}|\d{{1,2}}(?:st|nd|rd|th)?{_W}(?:of{_W})?"
    rf"{_MON},?{_W}{_YR}|{_MON},?{_W}{_YR}|{_YR}-\d\d-\d\d|\d{{1,2}}/\d{{1,2}}/{_YR}|{_YR}/\d{{1,2}}/\d{{1,2}})"
    rf"(?![\w/-]|[.,]\d)"
)
_DATE_PART = re.compile(
    rf"\b(?:(?P<p1>[QH][1-4]){_W0}[-/]?{_W0}(?P<y1>{_YR})|(?P<y2>{_YR}){_W0}[-/]?{_W0}(?P<p2>[QH][1-4])"
    rf"|(?i:(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th){_W}quarter{_W}(?:of{_W})?)(?P<y3>{_YR}))\b"
)
_DECADE = re.compile(r"(?<![\w.])(?P<d>(?:19[5-9]|20\d)0)['’]?s\b")
# Product-name stop words: capitalised function words and document furniture are not products.
_NOT_NAMES = (
    "In On At By For Of To And But Or Nor The A An As If So Is Was Are With From Since Until "
    "After Before Between Than Top Step Figure Fig Table Chapter Section Page Part Level Day "
    "Week Month Year No Number Rank Group Phase Round Stage Season Vol Volume Issue Item Tip "
    "Lesson Module Unit Type Class Grade Tier Appendix Eq Equation Only Just Up We I It Slide "
    "Edition Episode Lecture Exercise Example Note Question Problem Task Epoch Layer Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday"
).split()
_VERSION = re.compile(
    rf"{_START}(?:(?<![\w.])(?:(?!(?:{'|'.join(_NOT_NAMES)})\b|{_MON})[A-Z][\w+#.-]*|(?i:torch|jax|numpy|pandas|python"
    rf"|pytorch|tensorflow|keras|cuda|sklearn|scikit-learn|flax|onnx|mxnet|triton))[^\S\n]"
    rf"(?P<v1>\d+(?:\.(?:\d+|x))+|\d)(?!\w|\.\w)"
    rf"|(?<![\w.])v?(?P<v2>(?<=v)\d+(?:\.(?:\d+|x))*|\d+\.x(?:\.x)?|\d+\.\d+\.\d+(?:\.\d+)*)(?!\w|\.\w)"
    rf"|(?<![\w.])(?!(?i:mid|pre|post|early|late|end|top|over|under|since|fy|year|week|day|q[1-4]|h[12])-)"
    rf"[A-Za-z][\w]*-(?P<v3>\d+(?:\.\d+)?)(?!\w|%|[.,]\d))"
)
_ORDINAL = re.compile(
    r"(?m)^[^\S\n]*(?:(?P<o1>\d{1,3}(?:\.\d{1,3})*)[.)](?=[^\S\n])"
    r"|#{1,6}[^\S\n]*(?P<o2>\d{1,3}(?:\.\d{1,3})*)\.?(?=[^\S\n]))"
)
# Each pattern starts only at a token start, so a 30k-character token costs one linear scan, not n².
_BLOCKED = [
    re.compile(p)
    for p in (
        r"(?i)\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+",
        r"(?i)(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|ai|dev|edu|gov|co|info|app|html?|php|pdf)\b"
        r"(?:/[^\s<>\"')\]]*)?",
        r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w])",
        r"(?<!\w)\(\d{3}\)[^\S\n]?\d{3}[ .-]\d{4}(?!\d)",
        r"(?<![\w.-])(?:1[ .-])?\d{3}[.-]\d{3}[.-]\d{4}(?![\w-])",
        r"(?<![\w-])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}(?![\w-])",
        r"(?<![\w-])[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?![\w-])",
        r"(?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:])",
        r"(?i)\barxiv:\S+|\b10\.\d{4,}/\S+",
    )
]
# "around 2016" is a count unless a time preposition or "circa" says it is a year.
_YEAR_PREP = re.compile(r"(?i)\b(?:in|since|until|by|from|before|after)\s+$")
_YEAR_AFTER = re.compile(
    r"[^\S\n]*(?:[,.;:)!?\n]|$)|\s+(?:and|or|when|to|until|onwards?|on|in|at|as|with"
    r"|for|but|after|before|the|we|it|they|he|she|this|that)\b",
    re.I,
)
_RATIO_AFTER_TIMES = re.compile(
    rf"{_W}(?:faster|slower|quicker|more|less|fewer|larger|bigger|smaller|higher|lower|greater|as|the|that|than"
    rf"|over|what|its|their)\b",
    re.I,
)
_GT_VERB = re.compile(
    r"(?i)\b(?:passe[sd]|tops|topped|surpass(?:es|ed)?|exceed(?:s|ed)|cross(?:es|ed)"
    r"|eclipsed)"
    r"\s+$"
)
_RELATIVE = re.compile(rf"{_W}of{_W}(?:what|that|those|\w+['’]s)\b", re.I)
_FROM_BEFORE = re.compile(r"(?i)\bfrom\s*$")
_WORD_IDIOM_AFTER = re.compile(r"-(?:shot|way|sided|liner|off)\b", re.I)

_GLUED_MULT = {"k": 10**3, "K": 10**3, "M": 10**6, "mn": 10**6, "B": 10**9, "bn": 10**9, "tn": 10**12}
_WORD_MULT = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "hundred": 100}
_RATIO_WORDS = {"twi": 2, "dou": 2, "tri": 3, "qua": 4, "hal": 0.5}
_FOLD = {w: i for i, w in enumerate(_UNITS_W[:11])} | {"hundred": 100, "thousand": 1000}
_DENOM = {
    "half": 2,
    "halv": 2,
    "thir": 3,
    "quar": 4,
    "fift": 5,
    "sixt": 6,
    "eigh": 8,
    "tent": 10,
    "twen": 20,
    "hund": 100,
}
_ORD_N = {w: i + 1 for i, w in enumerate(_ORD_W)} | {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}

# A candidate: (start, end, priority, fields for Quantity, rounding step of the written number).
_Cand = tuple[int, int, int, dict, float]


def _comparator(pre: str | None) -> str:
    """Comparator of the words before a number ("well over " -> ">", "" -> "=")."""
    if not pre:
        return "="
    p = " ".join(pre.lower().split())
    if p in _SYMBOLS:
        return _SYMBOLS[p]
    p = re.sub(r"^(?:well|just|slightly|far|much|a little|a bit) (?=.)", "", p)
    return _COMP_OF.get(p, "~")


@functools.lru_cache(maxsize=4096)
def _words_value(words: str) -> tuple[int, int] | None:
    """Number words -> (value, rounding step); the step is the trailing scale ("eighty thousand")."""
    toks = re.sub(r"[\s-]+", " ", words.lower()).strip().split(" ")
    if toks[0] == "a":
        toks[0] = "one"
    try:
        value = int(text2num(" ".join(toks), "en"))
    except ValueError:
        return None
    return value, _WORD_MULT.get(toks[-1], 1)


def _atom_value(m: re.Match[str] | _Lend, s: str) -> tuple[Decimal, Decimal, dict] | None:
    """Value, rounding step and Quantity fields (unit, kind) of one ``_atom`` match."""
    if num := m[f"num{s}"]:
        digits = re.sub(r"[,\u00a0\u2009\u202f]", "", num)
        value = Decimal(digits)
        step = Decimal(1).scaleb(-len(digits.partition(".")[2]))
    else:
        parsed = _words_value(m[f"word{s}"])
        if parsed is None:
            return None
        value, step = Decimal(parsed[0]), Decimal(parsed[1])
    mult = _GLUED_MULT.get(m[f"gm{s}"] or "", 1) * _WORD_MULT.get((m[f"wm{s}"] or "").strip().lower(), 1)
    value, step = value * mult, step * mult
    if m[f"sign{s}"]:
        value = -value
    speed = (m[f"speed{s}"] or "").strip().lower()
    slower = speed in ("slower", "behind")
    if m[f"pct{s}"]:
        value, step = value / 100, step / 100
        if not speed:
            return value, step, {"unit": "percent", "kind": "percent"}
        value = 1 - value if slower else 1 + value
        return value, step, {"unit": "ratio", "kind": "ratio"}
    if m[f"times{s}"]:
        if slower and value:  # "3x slower" is a speed ratio of 1/3
            value, step = 1 / value, step / (value * value)
        return value, step, {"unit": "ratio", "kind": "ratio"}
    if m[f"cur{s}"] or m[f"csfx{s}"]:
        sfx = (m[f"csfx{s}"] or "").strip().lower()
        usd = (m[f"cur{s}"] or "").strip() in ("$", "US$", "USD") or sfx in ("usd", "dollars")
        return value, step, {"unit": "usd" if usd else "other", "kind": "money"}
    if m[f"gu{s}"] or m[f"mu{s}"]:
        return value, step, {"unit": "other", "kind": "number"}
    counted = bool(mult > 1 or m[f"word{s}"] or re.search(r"\d[,\u00a0\u2009\u202f]\d", m[f"num{s}"] or ""))
    # "2.0" is written as a measurement, not a count; "1.2M" expands to a whole count.
    whole = value == value.to_integral_value() and ("." not in (m[f"num{s}"] or "") or mult > 1)
    unit = "count" if whole else "other"
    return value, step, {"unit": unit, "kind": "count" if counted else "number"}


def _is_bare_year(m: re.Match, s: str) -> bool:
    num = m[f"num{s}"] or ""
    bare = not any(m[f"{g}{s}"] for g in ("cur", "sign", "gm", "gu", "wm", "pct", "times", "csfx", "mu"))
    return bare and len(num) == 4 and num.isdigit() and 1950 <= int(num) <= 2100


def _single(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    got = _atom_value(m, "")
    if got is None:
        return []
    value, step, fields = got
    if (
        m["tword"]
        and not m["speed"]
        and not _RATIO_AFTER_TIMES.match(text, m.end())
        and (value >= 1000 or m["gm"] or m["wm"])
    ):
        # "downloaded 14 million times" counts occurrences: the span stops before "times".
        again = _SINGLE.match(text, m.start(), m.start("times"))
        return _single(again, text, strict) if again else []
    tail = bool(m["plus"] or m["ormore"] or m["orless"])
    comparator, pre = _comparator(m["pre"]), (m["pre"] or "").lower()
    start = m.start()
    if (
        _is_bare_year(m, "")
        and not tail
        and (
            comparator == "="
            or pre.startswith(("circa", "ca."))
            or (
                comparator == "~"
                and (_YEAR_PREP.search(text, max(0, start - 7), start) or (strict and _YEAR_AFTER.match(text, m.end())))
            )
        )
    ):
        # "in around 2015," is a year; gold spans keep only its digits (a lone span keeps its words).
        fields, step = {"unit": "year", "kind": "year"}, Decimal(0)
        start = m.start("num") if strict else start
    elif m["word"] and strict:
        # "one of the", "no one": a lone word below two is an idiom, not a quantity.
        if (value < 2 and fields["kind"] in ("count", "number")) or _WORD_IDIOM_AFTER.match(text, m.end()):
            return []
    if comparator == "=" and tail:
        comparator = "<=" if m["orless"] else ">="
    elif comparator == "=" and _GT_VERB.search(text, max(0, start - 12), start):
        comparator = ">"  # "passed 150,000", "tops 560": the verb is not part of the span
    if comparator != "=" and fields["kind"] == "number" and fields["unit"] == "count":
        fields = fields | {"kind": "count"}
    return [(start, m.end(), 8, fields | {"value": float(value), "comparator": comparator}, float(step))]


def _range(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    if not m["dash"] and _FROM_BEFORE.search(text, max(0, m.start() - 8), m.start()):
        return []  # "from 62 to 70" is a change, not a range
    if _is_bare_year(m, "a"):
        if not (m["dash"] and _is_bare_year(m, "b")) or m["plus"] or int(m["numa"]) >= int(m["numb"]):
            return []  # "2011-12" is a fiscal year; "between 2020 and 2023" two time anchors
        fields = {
            "value": float(m["numa"]),
            "value_high": float(m["numb"]),
            "unit": "year",
            "kind": "year",
            "comparator": "range",
        }
        return [(m.start(), m.end(), 7, fields, 0.0)]
    if (m["pcta"] and not m["pctb"]) or (m["timesa"] and not m["timesb"]):
        return []
    # A currency, unit, speed word or multiplier written once applies to both ends: "$2–3 million",
    # "18–25%", "2-3x faster", "10-20k" (but "500 to 2 million" keeps 500 as written).
    hi = _atom_value(_Lend(m, {"curb": "cura"} if m["cura"] and not m["curb"] else {}), "b")
    lend = {"cura": "curb"} if m["curb"] and not m["cura"] else {}
    if not (m["pcta"] or m["timesa"]):
        lend |= {"pcta": "pctb", "timesa": "timesb", "speeda": "speedb"}
    lo = None
    for extra in ({"gma": "gmb", "wma": "wmb"} if not (m["gma"] or m["wma"]) else {}, {}):
        lo = _atom_value(_Lend(m, lend | extra), "a")
        if lo is None or hi is None or lo[0] < hi[0]:
            break
    if lo is None or hi is None or lo[0] >= hi[0] or lo[2]["unit"] != hi[2]["unit"]:
        return []
    fields = hi[2] | {"value": float(lo[0]), "value_high": float(hi[0]), "comparator": "range"}
    return [(m.start(), m.end(), 7, fields, 0.0)]


class _Lend:
    """Match view that reads some of one side's groups from the other side."""

    def __init__(self, m: re.Match, mapping: dict[str, str]) -> None:
        self.m, self.mapping = m, mapping

    def __getitem__(self, key: str) -> str | None:
        return self.m[self.mapping.get(key, key)]


def _share_step(den: int) -> float:
    """Rounding step of "a in b" / "a third": to the nearest 1/b, but never coarser than 10 points."""
    return min(1 / den, 0.1)


def _share(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    a, b = (_words_value(x) if x[0].isalpha() else (int(x), 1) for x in (m["a"], m["b"]))
    if a is None or b is None or not 0 < a[0] < b[0] <= 1000:
        return []
    fields = {"value": a[0] / b[0], "unit": "percent", "kind": "share", "comparator": _comparator(m["pre"])}
    return [(m.start(), m.end(), 4, fields, _share_step(b[0]))]


def _fraction(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    if strict and not _FRACTION_CONTEXT.match(text, m.end()):
        return []  # "a third party", "a quarter mile"
    num = 1 if m["fa"].lower() in ("a", "one") else _FOLD[m["fa"].lower()]
    den = _DENOM[m["fb"].lower()[:4]]
    if num >= den:
        return []
    fields = {"value": num / den, "unit": "percent", "kind": "share", "comparator": _comparator(m["pre"])}
    if _RELATIVE.match(text, m.end()):
        fields |= {"unit": "ratio", "kind": "ratio"}  # "a quarter of TensorFlow's count" compares two things
    return [(m.start(), m.end(), 5, fields, _share_step(den))]


def _sentence_start(text: str, i: int) -> bool:
    """Whether position ``i`` starts a sentence, line or bullet ("Half said ...")."""
    before = text[max(0, i - 4) : i].rstrip(' \t\u00a0"“*')
    return i == 0 or not before or before[-1] in ".!?:\n•"


def _word_ratio(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    w, ws = m["w"].lower(), m.start("w")
    of_the = _HALF_CONTEXT.match(text, m.end())
    opener = w == "half" and not of_the and _sentence_start(text, ws)
    if strict and (
        _RATIO_SKIP.match(text, m.end())
        or (w == "half" and not (of_the or opener or m["pre"] or text[max(0, ws - 3) : ws].lower() == "by "))
    ):
        return []  # "double precision"; a bare "half" needs "half the/of", "by half", "roughly half"...
    fields = {
        "value": float(_FOLD[w[:-4]] if w.endswith("fold") else _RATIO_WORDS[w[:3]]),
        "unit": "ratio",
        "kind": "ratio",
        "comparator": _comparator(m["pre"]),
    }
    if opener or (of_the and "of" in of_the[0].lower() and not _RELATIVE.match(text, m.end())):
        # "half of respondents", "Half said ..." are shares; "half the time", "roughly half" compare.
        return [(m.start(), m.end(), 6, fields | {"unit": "percent", "kind": "share"}, _share_step(2))]
    # "twice" is as round as "2x" (step 1); "half the time" as round as a share.
    return [(m.start(), m.end(), 6, fields, _share_step(2) if w == "half" else 1.0)]


def _rank(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    group = next(g for g in ("r1", "r2", "r3", "r4", "r5") if m[g])
    value = int(m[group]) if m[group].isdigit() else _ORD_N[m[group].lower()]
    fields = {"value": float(value), "unit": "rank", "kind": "rank"}
    if group == "r5":
        fields["comparator"] = "<="  # "top 100"
    return [(m.start(), m.end(), 3, fields, 0.0)]


@functools.cache
def _date_parser() -> DateDataParser:
    """One shared parser, built on first use: importing dateparser costs ~0.2 s."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
            "DATE_ORDER": "MDY",
        },
    )


@functools.lru_cache(maxsize=4096)
def _parse_date(surface: str) -> str | None:
    """ISO date of a span the date regex already matched, or None when it is not a real date."""
    found = _date_parser().get_date_data(surface).date_obj
    return found.date().isoformat() if found else None


def _date(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    surface = " ".join(m[0].split())
    year = int(cast(re.Match[str], re.search(_YR + r"(?!\d)", surface))[0])
    iso = _parse_date(surface)
    if iso is None:  # "March 2017" (no day) or an impossible day ("February 30"): keep the month
        month = re.search(r"[A-Za-z]{3}", surface)
        if not month or month[0].lower() not in _MONTHS:
            return []
        iso = f"{year}-{_MONTHS[month[0].lower()]:02d}"
    fields = {"value": float(year), "unit": "year", "kind": "date", "date": iso}
    return [(m.start(), m.end(), 0, fields, 0.0)]


def _date_part(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    year = m["y1"] or m["y2"] or m["y3"]
    part = (m["p1"] or m["p2"] or f"Q{_ORD_N[m['qw'].lower()]}").upper()
    if part[0] == "H" and part[1] not in "12":
        return []
    fields = {"value": float(year), "unit": "year", "kind": "date", "date": f"{year}-{part}"}
    return [(m.start(), m.end(), 0, fields, 0.0)]


def _decade(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    d = float(m["d"])
    fields = {"value": d, "value_high": d + 9, "unit": "year", "kind": "year", "comparator": "range"}
    return [(m.start(), m.end(), 9, fields, 0.0)]


def _version(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    group = next(g for g in ("v1", "v2", "v3") if m[g])
    parts = m[group].lstrip("v").split(".")
    value = float(parts[0] + ("." + parts[1] if len(parts) > 1 and parts[1].isdigit() else ""))
    return [(*m.span(group), 1, {"value": value, "unit": "other", "kind": "version"}, 0.0)]


def _ordinal(m: re.Match, text: str, strict: bool) -> list[_Cand]:
    group = "o1" if m["o1"] else "o2"
    value = float(cast(re.Match[str], re.match(r"\d+", m[group]))[0])
    return [(*m.span(group), 2, {"value": value, "unit": "other", "kind": "ordinal"}, 0.0)]


_RECOGNISERS: list[tuple[re.Pattern, Callable[[re.Match, str, bool], list[_Cand]]]] = [
    (_DATE_FULL, _date),
    (_DATE_PART, _date_part),
    (_VERSION, _version),
    (_ORDINAL, _ordinal),
    (_RANK, _rank),
    (_SHARE, _share),
    (_FRACTION, _fraction),
    (_WORD_RATIO, _word_ratio),
    (_RANGE, _range),
    (_SINGLE, _single),
    (_DECADE, _decade),
]


def _scan(text: str, strict: bool = True) -> list[_Cand]:
    """All recognisers' candidates, minus blocked tokens, resolved to non-overlapping spans."""
    # A "+44 20 ..." run is a phone number only with enough digits ("+5 10" is not).
    blocked = sorted(
        m.span() for rx in _BLOCKED for m in rx.finditer(text) if m[0][0] != "+" or sum(c.isdigit() for c in m[0]) >= 8
    )
    cands = [c for rx, handler in _RECOGNISERS for m in rx.finditer(text) for c in handler(m, text, strict)]
    cands.sort(key=lambda c: (c[0], -c[1], c[2]))
    chosen: list[_Cand] = []
    b, last_end = 0, 0
    for cand in cands:
        start, end = cand[0], cand[1]
        while b < len(blocked) and blocked[b][1] <= start:
            b += 1
        if start < last_end or (b < len(blocked) and blocked[b][0] < end):
            continue
        chosen.append(cand)
        last_end = end
    return chosen


def _to_quantity(text: str, cand: _Cand) -> Quantity:
    start, end, _, fields, _ = cand
    return Quantity(start=start, end=end, surface=text[start:end], **fields)


def find_quantities(text: str) -> list[Quantity]:
    """Every number-like mention in ``text``, in order and non-overlapping.

    Args:
        text: Any text, e.g. a whole article.

    Returns:
        One ``Quantity`` per mention; ``text[q.start:q.end] == q.surface`` holds for each.
    """
    found = [_speed_before(text, _to_quantity(text, c)) for c in _scan(text)]
    vague = [
        q
        for m in _VAGUE_COUNT.finditer(text)
        if not any(o.start < m.end() and m.start() < o.end for o in found)
        for q in [_vague_count(m)]
    ]
    return sorted(found + vague, key=lambda q: q.start) if vague else found


# "faster by 25.5%": the speed word stands before the number and still makes it a speed ratio.
_SPEED_BEFORE = re.compile(r"(?i)\b(faster|quicker|speedier|slower)[^\S\n]+by[^\S\n]+$")
# "thousands of models": a vague count, at least the order of magnitude it names.
_VAGUE_COUNT = re.compile(r"(?i)(?<![\w-])(hundreds|thousands|millions|billions)(?=[^\S\n]+of\b)")
_VAGUE_VALUE = {"hundreds": 100.0, "thousands": 1000.0, "millions": 1e6, "billions": 1e9}


def _speed_before(text: str, q: Quantity) -> Quantity:
    if q.unit != "percent" or q.comparator != "=":
        return q
    m = _SPEED_BEFORE.search(text, max(0, q.start - 24), q.start)
    if m is None:
        return q
    slower = m.group(1).lower() == "slower"
    value = 1 - q.value if slower else 1 + q.value
    return Quantity(
        start=m.start(),
        end=q.end,
        surface=text[m.start() : q.end],
        value=round(value, 10),
        unit="ratio",
        comparator="=",
        kind="ratio",
    )


def _vague_count(m: re.Match) -> Quantity:
    return Quantity(
        start=m.start(),
        end=m.end(),
        surface=m.group(0),
        value=_VAGUE_VALUE[m.group(1).lower()],
        unit="count",
        comparator=">=",
        kind="count",
    )


def parse_quantity(surface: str) -> Quantity | None:
    """Normalise the text of one value span ("over 75%", "74k+", "half").

    Args:
        surface: The span's text; surrounding whitespace is ignored.

    Returns:
        The quantity covering the whole (stripped) surface with ``start=0, end=len(surface)``,
        or None when the text is not exactly one quantity.
    """
    stripped = surface.strip()
    cands = _scan(stripped, strict=False) if stripped else []
    if len(cands) != 1 or (cands[0][0], cands[0][1]) != (0, len(stripped)):
        return None
    return dataclasses.replace(_to_quantity(stripped, cands[0]), start=0, end=len(surface), surface=surface)


@functools.lru_cache(maxsize=8192)
def _rounding(surface: str) -> float:
    """Rounding step of the number as written (70% -> 0.01, 74k -> 1000, 8.41% -> 0.0001)."""
    stripped = surface.strip()
    cands = _scan(stripped, strict=False) if stripped else []
    if cands:
        return max(cands, key=lambda c: c[1] - c[0])[4]
    digits = re.search(r"\d+(?:\.(\d+))?", surface)
    return 10.0 ** -len(digits[1] or "") if digits else 0.0


def interval(q: Quantity, *, tolerance: float = 0.05) -> tuple[float, float]:
    """The closed interval of values a quantity is consistent with.

    Args:
        q: A quantity from ``find_quantities`` or ``parse_quantity``.
        tolerance: Relative half-width for approximate values ("~").

    Returns:
        ``(low, high)``. "=" is widened by half the written rounding step; "~" by the larger of
        ``tolerance * |value|`` and that; open ends use ``math.nextafter``; percent tops out at 1.0.
    """
    v = q.value
    if q.comparator == "range":
        return v, q.value_high if q.value_high is not None else v
    exact = q.kind in ("year", "date", "rank", "version", "ordinal") or q.unit == "year"
    half = 0.0 if exact else _rounding(q.surface) / 2
    upper = 1.0 if q.unit == "percent" and v < 1 else math.inf
    lower = 0.0 if v >= 0 else -math.inf
    if q.comparator == "~":
        # Relative tolerance makes no sense for a calendar year (±100 years); a year is ±1.
        width = 1.0 if q.unit == "year" else max(tolerance * abs(v), half)
        return v - width, v + width
    if q.comparator == ">":
        return math.nextafter(v, math.inf), upper
    if q.comparator == ">=":
        return v, upper
    if q.comparator == "<":
        return lower, math.nextafter(v, -math.inf)
    if q.comparator == "<=":
        return lower, v
    if q.comparator == "up_to":
        return math.nextafter(0.0, 1.0), v
    return v - half, v + half
