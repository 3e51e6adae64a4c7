"""Recognisers of numbers, with their comparator, multiplier and unit: each turns a regex match into
candidates ``(start, end, priority, fields, rounding step)``; ``fields`` become ``Quantity`` fields.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any

from text_to_num import text2num

from pipelines.quantities import patterns as P
from pipelines.quantities.units import (
    DURATION_SECONDS,
    PERIOD_WORDS,
    SI_PREFIX,
    SIZE_BYTES,
    TIME_MULTIPLE,
    TIME_WORDS,
    size_unit,
)

# A candidate: (start, end, priority, fields for Quantity, rounding step of the written number).
# At one start the longest candidate wins, then the lowest priority.
Cand = tuple[int, int, int, dict[str, Any], float]

_GLUED_MULT = {"k": 10**3, "K": 10**3, "M": 10**6, "mn": 10**6, "B": 10**9, "bn": 10**9, "tn": 10**12}
WORD_MULT = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "hundred": 100}
_RATIO_WORDS = {"twi": 2, "dou": 2, "tri": 3, "qua": 4, "hal": 0.5}
FOLD = {w: i for i, w in enumerate(P.UNITS_W[:11])} | {"hundred": 100, "thousand": 1000}
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
_CJK_DIGITS = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}
ORD_N = {w: i + 1 for i, w in enumerate(P.ORD_W)} | {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_DECADE_BEFORE_S = re.compile(r"(?:(?<!\d)(?:1[89]|20)\d0|(?i:\bthe\s+|['’])[2-9]0)s$")
_SLOW = re.compile(rf"(?i)^(?:{P.SLOW_DOWN})$")
_GROUPED = re.compile(r"\d[,\u00a0\u2009\u202f]\d")
_RATE_UNIT = re.compile(rf"^{P.RATE_UNIT}$")
_SIZE_UNIT = re.compile(rf"^{P.SIZE}$")


def comparator(pre: str | None) -> str:
    """Comparator of the words before a number ("well over " -> ">", "" -> "=")."""
    if not pre:
        return "="
    p = " ".join(pre.lower().replace("*", " ").replace("_", " ").split())
    if p in P.SYMBOLS:
        return P.SYMBOLS[p]
    if p == "within":
        return "<="
    p = re.sub(r"^(?:well|just|slightly|far|much|a little|a bit) (?=.)", "", p)
    return P.COMP_OF.get(p, "~")


def comparator_before(text: str, start: int) -> tuple[int, str | None]:
    """Where a comparator written just before ``start`` begins, and its words ("well over " -> ">")."""
    m = P.COMP_BEFORE.search(text, max(0, start - 48), start)
    return (m.start(), m.group(0)) if m else (start, None)


@functools.lru_cache(maxsize=4096)
def words_value(words: str) -> tuple[int, int] | None:
    """Number words -> (value, rounding step); the step is the trailing scale ("eighty thousand")."""
    toks = re.sub(r"[\s-]+", " ", words.lower()).strip().split(" ")
    if toks[0] in ("a", "an"):
        toks[0] = "one"
    scale, half = 1, toks[:2] == ["half", "a"]
    if half:  # "half a million"
        toks = ["one", *toks[2:]]
    if toks[-1] == "trillion" and len(toks) > 1:  # text2num stops at billions
        toks, scale = toks[:-1], 10**12
    try:
        value = int(text2num(" ".join(toks), "en")) * scale
    except ValueError:
        return None
    step = WORD_MULT.get(toks[-1], 1) * scale
    return (value // 2, step // 2) if half else (value, step)


def number_of(token: str) -> int | None:
    """A small count written in digits or words ("3", "three", "a")."""
    if token.isdigit():
        return int(token)
    got = words_value(token)
    return got[0] if got else None


class Lend:
    """Match view that reads some of one side's groups from the other side ("18–25%": the "%" of both)."""

    def __init__(self, m: re.Match[str], mapping: dict[str, str]) -> None:
        self.m, self.mapping = m, mapping

    def __getitem__(self, key: str) -> str | None:
        return self.m[self.mapping.get(key, key)]


def _unit_fields(unit: str, value: Decimal, step: Decimal, per: str | None) -> tuple[Decimal, Decimal, dict]:
    """A number with a unit of time, size or rate: value in seconds or bytes, the unit as written."""
    word = unit if unit in TIME_WORDS else unit.lower()
    if word in TIME_WORDS:
        code = TIME_WORDS[word]
        factor = Decimal(repr(DURATION_SECONDS[code])) * TIME_MULTIPLE.get(word, 1)
        fields = {"unit": "other", "kind": "duration", "dimension": "duration", "time_unit": code}
    elif _SIZE_UNIT.match(unit):
        code = size_unit(unit)
        factor = Decimal(SIZE_BYTES[code])
        fields = {"unit": "other", "kind": "size", "dimension": "size", "size_unit": code}
    elif _RATE_UNIT.match(unit):
        lowered = unit.lower()
        if lowered.startswith(("tera", "peta", "giga", "exa")):
            prefix = {"te": "T", "pe": "P", "gi": "G", "ex": "E"}[lowered[:2]]
        else:
            prefix = unit[0] if unit[0] in "KMGTPE" and unit[1:2].upper() == "F" else ""
        factor = Decimal(repr(SI_PREFIX[prefix]))
        fields = {"unit": "other", "kind": "rate", "dimension": "rate", "per": "second"}
    else:  # pragma: no cover - the pattern admits nothing else
        raise ValueError(unit)
    if per:
        fields |= {"kind": "rate", "dimension": "rate", "per": per}
    return value * factor, step * factor, fields


def atom_value(m: re.Match[str] | Lend, s: str) -> tuple[Decimal, Decimal, dict] | None:
    """Value, rounding step and Quantity fields of one ``patterns.atom`` match."""
    if num := m[f"num{s}"]:
        digits = re.sub(r"[,\u00a0\u2009\u202f]", "", num)
        value = Decimal(digits)
        step = Decimal(1).scaleb(-len(digits.partition(".")[2]))
    else:
        parsed = words_value(m[f"word{s}"] or "")
        if parsed is None:
            return None
        value, step = Decimal(parsed[0]), Decimal(parsed[1])
    mult = _GLUED_MULT.get(m[f"gm{s}"] or "", 1) * WORD_MULT.get((m[f"wm{s}"] or "").strip().lower(), 1)
    value, step = value * mult, step * mult
    sign = m[f"sign{s}"]
    if sign and sign != "+":
        value = -value
    speed = " ".join((m[f"speed{s}"] or "").split()).lower()
    per = PERIOD_WORDS.get((m[f"pp{s}"] or "").lower()) if m[f"per{s}"] else None
    if m[f"pct{s}"]:
        value, step = value / 100, step / 100
        if not speed:
            return value, step, {"unit": "percent", "kind": "percent", "dimension": "change" if sign else "share"}
        if _SLOW.match(speed):
            value = 1 - value
        elif P.LESS_WORD.search(speed):
            # "65% less memory", "a 70% reduction": old / new, as the conventions write a reduction.
            if value >= 1:
                return None
            value, step = 1 / (1 - value), step / ((1 - value) * (1 - value))
        else:
            value = 1 + value
        return value, step, {"unit": "ratio", "kind": "ratio", "dimension": "ratio"}
    if m[f"times{s}"]:
        if _SLOW.match(speed) and value:  # "3x slower" is a speed ratio of 1/3
            value, step = 1 / value, step / (value * value)
        return value, step, {"unit": "ratio", "kind": "ratio", "dimension": "ratio"}
    if m[f"cur{s}"] or m[f"csfx{s}"]:
        sfx = (m[f"csfx{s}"] or "").strip().lower()
        usd = (m[f"cur{s}"] or "").strip() in ("$", "US$", "USD") or sfx in ("usd", "dollars")
        return value, step, {"unit": "usd" if usd else "other", "kind": "money", "dimension": "money", "per": per}
    unit = (m[f"gu{s}"] or m[f"su{s}"] or "").lstrip("+-").strip()
    if unit:
        return _unit_fields(unit, value, step, per)
    if per:
        return value, step, {"unit": "other", "kind": "rate", "dimension": "rate", "per": per}
    counted = bool(mult > 1 or m[f"word{s}"] or _GROUPED.search(m[f"num{s}"] or ""))
    # "2.0" is written as a measurement, not a count; "1.2M" expands to a whole count.
    whole = value == value.to_integral_value() and ("." not in (m[f"num{s}"] or "") or mult > 1)
    fields = {"unit": "count" if whole else "other", "kind": "count" if counted else "number"}
    return value, step, fields | {"dimension": "count" if counted else None}


_NOT_BARE = ("cur", "sign", "gm", "gu", "wm", "pct", "times", "csfx", "su", "per")


def is_bare_year(m: re.Match[str], s: str) -> bool:
    num = m[f"num{s}"] or ""
    bare = not any(m[f"{g}{s}"] for g in _NOT_BARE)
    return bare and len(num) == 4 and num.isdigit() and 1950 <= int(num) <= 2100


def change_context(text: str, start: int, end: int) -> str | None:
    """``up`` or ``down`` when the words around a percentage make it a relative change ("grew 12%")."""
    before = P.CHANGE_BEFORE.search(text, max(0, start - 24), start)
    found = before or P.CHANGE_AFTER.match(text, end)
    if found is None:
        return None
    return "down" if found["down"] else "up"


def _as_change(fields: dict, text: str, start: int, end: int) -> dict:
    """A percentage in a context of change is a relative change, negative after a verb of decline."""
    if fields.get("kind") != "percent" or fields.get("dimension") == "change":
        return fields
    direction = change_context(text, start, end)
    if direction is None:
        return fields
    fields = fields | {"dimension": "change"}
    if direction == "down":
        for key in ("value", "value_high"):
            if fields.get(key) is not None and fields[key] > 0:
                fields[key] = -fields[key]
        if fields.get("value_high") is not None:
            fields["value"], fields["value_high"] = fields["value_high"], fields["value"]
    return fields


def single(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    got = atom_value(m, "")
    if got is None:
        return []
    value, step, fields = got
    if m["gu"] == "s" and _DECADE_BEFORE_S.search(text, max(0, m.start() - 5), m.end()):
        return []  # "the 1990s", "the '90s" are decades, not seconds
    if (
        m["tword"]
        and not m["speed"]
        and not P.RATIO_AFTER_TIMES.match(text, m.end())
        and (value >= 1000 or m["gm"] or m["wm"] or P.OCCURRENCE_BEFORE.search(text, max(0, m.start() - 40), m.start()))
    ):
        # "downloaded 14 million times" counts occurrences: the span stops before "times".
        again = P.SINGLE.match(text, m.start(), m.start("times"))
        return single(again, text, strict) if again else []
    tail = bool(m["plus"] or m["ormore"] or m["orless"])
    comp, pre = comparator(m["pre"]), (m["pre"] or "").lower()
    start = m.start()
    if (
        is_bare_year(m, "")
        and not tail
        and (
            comp == "="
            or pre.startswith(("circa", "ca."))
            or (
                comp == "~"
                and (
                    P.YEAR_PREP.search(text, max(0, start - 7), start) or (strict and P.YEAR_AFTER.match(text, m.end()))
                )
            )
        )
    ):
        # "in around 2015," is a year; gold spans keep only its digits (a lone span keeps its words).
        year = m["num"]
        fields = {"unit": "year", "kind": "year", "dimension": "date", "date": year}
        step = Decimal(0)
        start = m.start("num") if strict else start
    elif m["word"] and strict:
        # "one of the", "no one": a lone word below two is an idiom, not a quantity.
        if (value < 2 and fields["kind"] in ("count", "number")) or P.WORD_IDIOM_AFTER.match(text, m.end()):
            return []
    if comp == "=" and (tail or m["pplus"] or m["uplus"]):
        comp = "<=" if m["orless"] else ">="
    elif comp == "=" and P.GT_VERB.search(text, max(0, start - 12), start):
        comp = ">"  # "passed 150,000", "tops 560": the verb is not part of the span
    if comp != "=" and fields["kind"] == "number" and fields["unit"] == "count":
        fields = fields | {"kind": "count", "dimension": "count"}
    fields = fields | {"value": float(value), "comparator": comp}
    if strict:
        fields = _as_change(fields, text, start, m.end())
    return [(start, m.end(), 8, fields, float(step))]


_LEND_UNIT = {"gua": "gub", "sua": "sub", "pera": "perb", "ppa": "ppb", "itema": "itemb"}


def range_(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    if not m["dash"] and P.FROM_BEFORE.search(text, max(0, m.start() - 8), m.start()):
        return []  # "from 62 to 70" is a change, not a range
    if is_bare_year(m, "a"):
        if not (m["dash"] and is_bare_year(m, "b")) or m["plus"] or int(m["numa"]) >= int(m["numb"]):
            return []  # "2011-12" is a fiscal year; "between 2020 and 2023" two time anchors
        fields = {
            "value": float(m["numa"]),
            "value_high": float(m["numb"]),
            "unit": "year",
            "kind": "year",
            "dimension": "date",
            "comparator": "range",
        }
        return [(m.start(), m.end(), 7, fields, 0.0)]
    if (m["pcta"] and not m["pctb"]) or (m["timesa"] and not m["timesb"]):
        return []
    # A currency, unit, speed word or multiplier written once applies to both ends: "$2–3 million",
    # "18–25%", "2-3x faster", "10-20k", "0.1-0.8s" (but "500 to 2 million" keeps 500 as written).
    hi = atom_value(Lend(m, {"curb": "cura"} if m["cura"] and not m["curb"] else {}), "b")
    lend = {"cura": "curb"} if m["curb"] and not m["cura"] else {}
    if not (m["pcta"] or m["timesa"]):
        lend |= {"pcta": "pctb", "timesa": "timesb", "speeda": "speedb"}
    if not (m["gua"] or m["sua"] or m["pera"] or m["pcta"] or m["timesa"]):
        lend |= _LEND_UNIT
    lo = None
    for extra in ({"gma": "gmb", "wma": "wmb"} if not (m["gma"] or m["wma"]) else {}, {}):
        lo = atom_value(Lend(m, lend | extra), "a")
        if lo is None or hi is None or lo[0] < hi[0]:
            break
    if lo is not None and hi is not None and lo[0] > hi[0] and _SLOW.match(" ".join((m["speedb"] or "").split())):
        lo, hi = hi, lo  # "3-10x slower": speed ratios 1/3 down to 1/10
    if lo is None or hi is None or lo[0] >= hi[0] or lo[2]["unit"] != hi[2]["unit"]:
        return []
    fields = hi[2] | {"value": float(lo[0]), "value_high": float(hi[0]), "comparator": "range"}
    if strict:
        fields = _as_change(fields, text, m.start(), m.end())
    return [(m.start(), m.end(), 7, fields, 0.0)]


def share_step(den: int) -> float:
    """Rounding step of "a in b" / "a third": to the nearest 1/b, but never coarser than 10 points."""
    return min(1 / den, 0.1)


_SHARE_FIELDS = {"unit": "percent", "kind": "share", "dimension": "share"}
_RATIO_FIELDS = {"unit": "ratio", "kind": "ratio", "dimension": "ratio"}


def share(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    a, b = (words_value(x) if x[0].isalpha() else (int(x), 1) for x in (m["a"], m["b"]))
    if a is None or b is None or not 0 < a[0] < b[0] <= 1000:
        return []
    fields = _SHARE_FIELDS | {"value": a[0] / b[0], "comparator": comparator(m["pre"])}
    return [(m.start(), m.end(), 4, fields, share_step(b[0]))]


def fraction(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    if strict and not P.FRACTION_CONTEXT.match(text, m.end()):
        return []  # "a third party", "a quarter mile"
    num = 1 if m["fa"].lower() in ("a", "one") else FOLD[m["fa"].lower()]
    den = _DENOM[m["fb"].lower()[:4]]
    if num >= den:
        return []
    fields = _SHARE_FIELDS | {"value": num / den, "comparator": comparator(m["pre"])}
    if P.RELATIVE_OF.match(text, m.end()):
        fields |= _RATIO_FIELDS  # "a quarter of TensorFlow's count" compares two things
    return [(m.start(), m.end(), 5, fields, share_step(den))]


def _sentence_start(text: str, i: int) -> bool:
    """Whether position ``i`` starts a sentence, line or bullet ("Half said ...")."""
    before = text[max(0, i - 4) : i].rstrip(' \t\u00a0"“*')
    return i == 0 or not before or before[-1] in ".!?:\n•"


def word_ratio(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    w, ws = m["w"].lower(), m.start("w")
    of_the = P.HALF_CONTEXT.match(text, m.end())
    opener = w == "half" and not of_the and _sentence_start(text, ws)
    if strict and (
        P.RATIO_SKIP.match(text, m.end())
        or (w == "half" and not (of_the or opener or m["pre"] or text[max(0, ws - 3) : ws].lower() == "by "))
    ):
        return []  # "double precision"; a bare "half" needs "half the/of", "by half", "roughly half"...
    value = float(FOLD[w[:-4]] if w.endswith("fold") else _RATIO_WORDS[w[:3]])
    fields = _RATIO_FIELDS | {"value": value, "comparator": comparator(m["pre"])}
    if w[:3] in ("dou", "tri", "qua") and not (strict and P.RATIO_OBJECT.match(text, m.end())):
        # "usage doubled" is a relative change of +100%; "double the speed" compares two things.
        change = {"unit": "percent", "kind": "change", "dimension": "change", "value": value - 1}
        return [(m.start(), m.end(), 6, fields | change, 1.0)]
    if opener or (of_the and "of" in of_the[0].lower() and not P.RELATIVE_OF.match(text, m.end())):
        # "half of respondents", "Half said ..." are shares; "half the time", "roughly half" compare.
        return [(m.start(), m.end(), 6, fields | _SHARE_FIELDS, share_step(2))]
    # "twice" is as round as "2x" (step 1); "half the time" as round as a share.
    return [(m.start(), m.end(), 6, fields, share_step(2) if w == "half" else 1.0)]


def magnitude(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    n = number_of(m["n"].lower())
    if not n:
        return []
    start, pre = comparator_before(text, m.start())
    fields = _RATIO_FIELDS | {"value": float(10**n), "comparator": comparator(pre)}
    return [(start, m.end(), 5, fields, float(10**n) / 2)]


def factor(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    token = m["n"]
    n = float(token.replace(",", "")) if token[0].isdigit() else number_of(token.lower())
    if not n:
        return []
    start, pre = comparator_before(text, m.start())
    fields = _RATIO_FIELDS | {"value": float(n), "comparator": comparator(pre)}
    return [(start, m.end(), 5, fields, 1.0)]


def rank(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    group = next(g for g in ("r1", "r2", "r3", "r4", "r5", "r6", "r7") if m[g])
    if group == "r1" and m[0][1:2].isspace():
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip(" \t#"):
            return []  # "# 4 Results" opens a Markdown heading
    token = m[group].lower()
    if group == "r7":
        token = str(_CJK_DIGITS.get(token, token))
    value = int(token) if token.isdigit() else ORD_N.get(token) or number_of(token)
    if not value:
        return []
    fields: dict[str, Any] = {"value": float(value), "unit": "rank", "kind": "rank", "dimension": "rank"}
    if group == "r5":
        fields["comparator"] = "<="  # "top 100"
    return [(m.start(), m.end(), 3, fields, 0.0)]


def all_n(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    n = number_of(m["n"])
    if n is None or n < 2:
        return []
    fields = {"value": float(n), "unit": "count", "kind": "count", "dimension": "count"}
    return [(m.start(), m.end(), 3, fields, 0.0)]


def dozen(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    words = " ".join(m["dn"].lower().split())
    n = 0.5 if words == "half a" else number_of(words)
    if not n:
        return []
    start, pre = comparator_before(text, m.start())
    fields = {"value": 12.0 * n, "unit": "count", "kind": "count", "dimension": "count"}
    return [(start, m.end(), 4, fields | {"comparator": comparator(pre)}, 1.0)]


def one_unit(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    start, pre = comparator_before(text, m.start())
    if pre is None:
        return []  # "a day" alone is no quantity; "under a day", "within a week" are
    word = m["u"].lower()
    code = TIME_WORDS[word]
    seconds = DURATION_SECONDS[code] * TIME_MULTIPLE.get(word, 1)
    fields = {"unit": "other", "kind": "duration", "dimension": "duration", "time_unit": code}
    return [(start, m.end(), 4, fields | {"value": seconds, "comparator": comparator(pre)}, 0.0)]


_UNIT_ORDER = ["year", "month", "week", "day", "h", "min", "s"]


def compound_duration(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    """Durations written in several units ("1h 52m", "10 days 10 hours and 42 minutes"): their sum."""
    if m["parts"]:
        seconds, codes = 0.0, list[str]()
        for part in P.DURATION_PART.finditer(m["parts"]):
            token = part["n"]
            n = float(token) if token[0].isdigit() else number_of(token.lower())
            code = TIME_WORDS[part["u"].lower()]
            if n is None or (codes and _UNIT_ORDER.index(code) <= _UNIT_ORDER.index(codes[-1])):
                return []  # "1 day, 2 days" is a list of durations, not one
            seconds += n * DURATION_SECONDS[code]
            codes.append(code)
        code = codes[-1]
    elif m["h"]:
        if int(m["hm"]) >= 60:
            return []
        seconds, code = int(m["h"]) * 3600.0 + int(m["hm"]) * 60, "min"
    else:
        seconds, code = int(m["ch"]) * 3600 + int(m["cm"]) * 60 + float(m["cs"]), "s"
    start, pre = comparator_before(text, m.start())
    fields = {"value": seconds, "unit": "other", "kind": "duration", "dimension": "duration", "time_unit": code}
    return [(start, m.end(), 0, fields | {"comparator": comparator(pre)}, DURATION_SECONDS[code])]


def version(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    group = next(g for g in ("v1", "v2", "v3") if m[g])
    parts = m[group].lstrip("v").split(".")
    value = float(parts[0] + ("." + parts[1] if len(parts) > 1 and parts[1].isdigit() else ""))
    return [(*m.span(group), 1, {"value": value, "unit": "other", "kind": "version"}, 0.0)]


def ordinal(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    group = "o1" if m["o1"] else "o2"
    digits = re.match(r"\d+", m[group])
    assert digits is not None
    return [(*m.span(group), 2, {"value": float(digits[0]), "unit": "other", "kind": "ordinal"}, 0.0)]
