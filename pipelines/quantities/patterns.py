"""The regular expressions of the candidate recognisers, compiled once at import.

Whitespace inside a span may hold one line break (hard-wrapped text) but never a blank line, and includes
NBSP / thin spaces because Python's ``\\s`` is Unicode-aware. Every recogniser starts only at a token
start, so a 30k-character token costs one linear scan, not n².
"""

from __future__ import annotations

import re

W = r"(?=\s)[^\S\n]*\n?[^\S\n]*"
W0 = r"[^\S\n]?"
DASH = r"[-\u2010-\u2015\u2212]"
HY = r"[-\u2010\u2011]"  # a hyphen, also the non-breaking one ("ten‑fold")
# Grouped thousands ("22,000", "22 000" with a thin/no-break space); the lookarounds stop a match
# from starting or ending inside a longer token ("A100", "2.1.0", "1,2,3").
NUM = (
    r"(?<![\w.])(?<!\d,)(?:\d{1,3}(?:[,\u00a0\u2009\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?![.,]?\d)"
)
CODES = r"(?:USD|EUR|GBP|CHF|NOK|SEK|DKK|JPY|CNY|RMB|INR|CAD|AUD|NZD|SGD|HKD)"
UNITS_W = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS_W = "twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES_W = "hundred thousand million billion trillion".split()
WTOK = "(?:" + "|".join(TENS_W + UNITS_W[::-1] + SCALES_W) + r")\b"
WORDNUM = (
    rf"(?i:\b(?:(?:half{W})?an?{W}(?=(?:{'|'.join(SCALES_W)})\b))?{WTOK}"
    rf"(?:(?:[^\S\n]+|{HY}|(?<=hundred)[^\S\n]+and[^\S\n]+){WTOK}){{0,7}})"
)
YR = r"(?:1[89]\d\d|20\d\d|2100)"
MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
ORD_W = "first second third fourth fifth sixth seventh eighth ninth tenth".split()

# Comparator phrases -> comparator. Intensifiers ("well over", "just under") stay in the span.
COMPARATORS = {
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
    "up_to": ["up to", "upto", "as many as", "as much as"],
}
COMP_OF = {p: c for c, ps in COMPARATORS.items() for p in ps}
SYMBOLS = {"~": "~", "≈": "~", "∼": "~", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">="}
_INTENS = rf"(?:(?:well|just|slightly|far|much|a{W}little|a{W}bit){W})?"
_PHRASES = "|".join(W.join(map(re.escape, p.split())) for p in sorted(COMP_OF, key=len, reverse=True))
# Markdown emphasis may open between the comparator and the number ("up to **3.5x**").
EMPH = r"(?:\*{1,3}|_{1,2})?"
COMP = rf"(?:(?i:\b{_INTENS}(?:{_PHRASES})){W}{EMPH}|(?:<=|>=|[~≈∼<>≤≥]){W0})"

# Words after a percentage or a multiplier that change what it measures (annotations/README.md):
SPEED_UP = r"faster|quicker|speedier|ahead|better|speed-?ups?"
SLOW_DOWN = r"slower|behind|worse|slow-?downs?"
MORE = r"more|higher|larger|bigger|greater"
LESS = r"less|lower|smaller|reductions?"
SPEED = r"(?i:faster|quicker|speedier|ahead|slower|behind|slow-?downs?)\b"
PCT_WORD = rf"(?i:{SPEED_UP}|{SLOW_DOWN}|{MORE}|{LESS})\b"

# Units. Glued to the number ("0.004s", "12h", "3.2MB", "45ms") only in their short forms; spaced
# or hyphenated ("2.5 hours", "a three-year lead") also as words.
SIZE = r"(?:[KMGTP]i?B|kB)"
RATE_UNIT = (
    r"(?:[KMGTPE]?(?:FLOPS|FLOPs|Flops|flops)|(?i:tera|peta|giga|exa)(?i:flops)|rps|RPS|qps|QPS|fps|FPS|tps|TPS|TGS)"
)
GLUED = rf"(?:{SIZE}|{RATE_UNIT}|ns|us|µs|μs|ms|msec|sec|secs|s|min|mins|hrs|hr|h|days?|yrs?)(?![\w])"
_TIME_WORDS = (
    r"(?i:(?:nano|micro|milli)?seconds?|msecs?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?"
    r"|years?|yrs?|decades?)"
)
SPACED = rf"(?:{SIZE}|{RATE_UNIT}|ns|us|µs|μs|ms|s|h|{_TIME_WORDS})(?![\w])"
HYPHENED = r"(?i:second|minute|hour|day|week|month|year|decade)(?![\w])"
PERIOD = r"(?i:second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo|year|yr|annum)\b"
# "1,200 tokens/s", "2M downloads per month", "+12/day": what is counted (optional) and the period.
_PER_AFTER_ITEM = (
    rf"(?:{W}(?P<item{{s}}>[A-Za-z][A-Za-z-]*(?:[^\S\n][A-Za-z][A-Za-z-]*)?))?"
    rf"(?:/{W0}|{W}per{W}|{W}an?{W}(?=(?i:second|minute|hour|day|week|month|year)\b))(?P<pp{{s}}>{PERIOD})"
)


def atom(s: str) -> str:
    """One number with its currency, multiplier, unit or period and speed word; group names end in ``s``."""
    return (
        rf"(?:(?P<cur{s}>US\$|[$€£¥₹]|{CODES}(?=[^\S\n]?\d)){W0})?"
        rf"(?P<sign{s}>(?<![\w.,%)+])[-+\u2212])?"
        # A multiplier may run into a capitalised word ("$4.5BHugging Face") or, for "k", any word
        # ("21.3kstars"), as scraped tables print them.
        rf"(?:(?P<num{s}>{NUM})"
        rf"(?P<gm{s}>(?:k|K)(?=[A-Za-z]{{3}})|(?:k|K|M|B|bn|mn|tn)(?!\w)|(?:k|K|M|B)(?=[A-Z][a-z]))?"
        rf"(?P<gu{s}>{GLUED})?(?=[xX](?!\w)|(?!\w)|(?<=[kKMB])[A-Za-z])"
        rf"|(?P<word{s}>{WORDNUM}))"
        rf"(?P<wm{s}>{W}(?i:thousand|million|billion|trillion)\b)?"
        rf"(?:(?P<pct{s}>(?P<pplus{s}>\+)?{W0}%|{W}(?i:percent(?:age{W}points?)?|per{W}cent|pct|points?|pts|pp)\b)"
        rf"|(?P<times{s}>[xX](?!\w)|{W0}×|:1(?![\d:])|(?P<tword{s}>{W}(?i:times)\b)|{W0}{HY}?(?i:fold)\b)"
        rf"|(?P<csfx{s}>{W}(?:{CODES}|(?i:dollars|euros?))\b)"
        rf"|(?(gu{s})(?!)|(?P<su{s}>(?P<uplus{s}>\+)?(?:{W}{SPACED}|{HY}{HYPHENED}))))?"
        # A period after a count, a size or an amount makes a rate: "+12/day", "9.6GB/sec", "$5K/month".
        rf"(?(pct{s})|(?(times{s})|(?P<per{s}>{_PER_AFTER_ITEM.replace('{s}', s)})?))"
        # A speed word belongs to the span after a multiplier; after a percent, so do words of size.
        rf"(?P<speed{s}>(?(pct{s}){W}{PCT_WORD}|(?(times{s}){W}{SPEED}|(?!))))?"
    )


TAIL = (
    rf"(?:(?P<plus>\+)(?![\w+])|(?P<ormore>{W}or{W}(?:more|greater|higher|above)\b)"
    rf"|(?P<orless>{W}or{W}(?:less|fewer|lower|below)\b))?"
)

# No match starts right after a word character; testing that first lets `re` reject most positions
# (those inside words) in one step instead of trying every alternative (~5x faster on prose).
START = r"(?<!\w)"
SINGLE = re.compile(rf"{START}(?P<pre>{COMP})?{atom('')}{TAIL}")
RANGE = re.compile(
    rf"{START}(?:(?P<btw>(?i:\bbetween)){W})?(?P<pre>{COMP})?{atom('a')}"
    rf"(?(btw){W}(?i:and){W}|(?:{W0}(?P<dash>{DASH}{{1,2}}|(?<=[\dxX%])\\?~(?=\d)){W0}|{W}(?i:to|through){W})){atom('b')}{TAIL}"
)
SHARE = re.compile(
    rf"{START}(?P<pre>{COMP})?(?P<a>(?<![\w.])\d+|{WORDNUM}){W}(?i:in|(?:out{W})?of{W}every|out{W}of){W}"
    rf"(?P<b>\d+(?![\w.])|{WORDNUM}\b)"
)
FRACTION = re.compile(
    rf"{START}(?P<pre>{COMP})?(?i:\b(?P<fa>a|one|two|three|four|five|six|seven|eight|nine)(?:{HY}|\s)"
    rf"(?P<fb>half|halves|thirds?|quarters?|fifths?|sixths?|eighths?|tenths?|twentieths?|hundredths?)\b)"
)
FRACTION_CONTEXT = re.compile(rf"{W}(?:of|the|as|more|less|fewer)\b|[^\S\n]*(?:[.,;:!?)\n]|$)", re.I)
WORD_RATIO = re.compile(
    rf"{START}(?P<pre>{COMP})?(?i:\b(?P<w>twice|doubl(?:e[sd]?|ing)|tripl(?:e[sd]?|ing)|quadrupl(?:e[sd]?|ing)|half"
    r"|(?:two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)fold)\b)(?!-)"
)
RATIO_SKIP = re.compile(rf"{W}(?:precision|digits?|click|check|quotes?|agent|dip|down|edged|standard)\b", re.I)
HALF_CONTEXT = re.compile(rf"{W}(?:of|the)\b", re.I)
# "double the speed" compares two things; "usage doubled" is a change.
RATIO_OBJECT = re.compile(rf"{W}(?:the|that|what|its|their|his|her|our|as)\b", re.I)
# The rarer forms below start at their own words; a comparator before them is read backwards
# (``COMP_BEFORE``), which costs nothing at the many positions where they do not match.
COMP_BEFORE = re.compile(rf"(?:{COMP}|(?i:\bwithin){W})$")
MAGNITUDE = re.compile(
    rf"{START}(?i:\b(?P<n>an?|one|two|three|four|five|\d)[-\s]+orders?[-\s]+of[-\s]+magnitude\b)(?P<speed>{W}{SPEED})?"
)
# "by a factor of 32", "a factor of three": a ratio.
FACTOR = re.compile(rf"{START}(?i:\b(?:an?{W})?factor{W}of{W})(?P<n>{NUM}|{WORDNUM})")
RANK = re.compile(
    rf"{START}(?:(?<![\w&])#[^\S\n]?(?P<r1>\d+)|\b[Nn][Oo]\.{W0}(?P<r2>\d+)|(?<![\w.])(?P<r3>\d+)(?:st|nd|rd|th)"
    rf"|(?i:\b(?P<r4>{'|'.join(ORD_W)})\b|\btop[-\s](?P<r5>\d+|{'|'.join(UNITS_W[2:11])})|\bnumber[-\s](?P<r6>one)))(?!\w)"
    # Chinese ordinals ("第三", third) follow a word without a space.
    r"|第(?P<r7>[一二三四五六七八九十]|\d+)(?![一二三四五六七八九十\d])"
)
# Dates of all shapes: "4 June 2024", "June 4, 2024", "Feb 2016", "Oct. '23", "2019-09-12", "2025-9-8",
# "2020.03.03", "04/16/2025", "2024/06/20".
DATE_FULL = re.compile(
    # A month may run into the word before it in scraped bylines ("12 min readMar 5, 2024").
    rf"(?:\b|(?<=[a-z])(?=[A-Z]))(?:{MON}{W}\d{{1,2}}(?:st|nd|rd|th)?,?{W}{YR}|\d{{1,2}}(?:st|nd|rd|th)?{W}(?:of{W})?"
    rf"{MON},?{W}{YR}|{MON},?{W}{YR}|{MON}{W0}['’]\d\d(?!\d)"
    rf"|{YR}-\d{{1,2}}-\d{{1,2}}|{YR}\.\d\d\.\d\d|\d{{1,2}}/\d{{1,2}}/{YR}|{YR}/\d{{1,2}}/\d{{1,2}}"
    # "[Apr 25]" opening a news item: a month and a two-digit year.
    rf"|(?<=\[){MON}{W0}\d\d(?=\]))"
    rf"(?![\w/-]|[.,]\d)"
)
DATE_PART = re.compile(
    rf"\b(?:(?P<p1>[QH][1-4]){W0}[-/]?{W0}['’]?(?P<y1>{YR}|(?<=['’])\d\d)|(?P<y2>{YR}){W0}[-/]?{W0}(?P<p2>[QH][1-4])"
    rf"|(?i:(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th){W}(?P<qh>quarter|half){W}(?:of{W})?)(?P<y3>{YR}))\b"
)
DECADE = re.compile(r"(?<![\w.])(?P<d>(?:19[5-9]|20\d)0)['’]?s\b")
# "last year", "this quarter", "three years ago", "a year later", "two years later", "earlier this year".
RELATIVE = re.compile(rf"{START}(?i:(?P<rel>last|this|next|previous|current)[^\S\n]+(?P<ru>year|quarter|month|week)\b)")
# "three years ago", "two years later": found from the unit, the count read backwards (``COUNT_BEFORE``).
RELATIVE_UNIT = re.compile(
    r"(?i:\b(?P<nu>years?|months?|weeks?|days?|decades?)[^\S\n]+(?P<dir>ago|later|earlier|before|after|on)\b)"
)
COUNT_BEFORE = re.compile(rf"(?<![\w.])(?i:(?P<n>an?|{WORDNUM}|\d+(?:\.\d+)?))[^\S\n]+$")
# "under a day", "less than an hour", "within a week": a duration of one unit, said with an article.
ONE_UNIT = re.compile(
    r"(?<!\w)(?i:an?[^\S\n]+(?P<u>second|minute|hour|day|week|month|year|decade))\b"
    r"(?![^\S\n]+(?i:ago|later|earlier)\b)"
)
# "1h 52m", "2h19m", "1h45", "4 min 10 s", "10 days 10 hours and 42 minutes", and stopwatch readings
# "0:00:00.165206".
_DUR_UNIT = r"(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![\w])"
_DUR_1 = rf"(?<![\w.])\d+(?:\.\d+)?{W0}(?P<u1>{_DUR_UNIT})"
_DUR_2 = rf"(?:\d+(?:\.\d+)?|{WORDNUM}){W0}(?P<u2>{_DUR_UNIT})"
COMPOUND_DURATION = re.compile(
    rf"{START}(?:(?P<parts>{_DUR_1}(?:(?:,|{W}and)?{W0}{_DUR_2})"
    rf"(?:(?:,|{W}and)?{W0}(?:\d+(?:\.\d+)?|{WORDNUM}){W0}{_DUR_UNIT})*)"
    rf"|(?P<h>\d+){W0}h(?P<hm>\d\d)(?![\w:.])"
    rf"|(?<![\w:.])(?P<ch>\d{{1,2}}):(?P<cm>\d\d):(?P<cs>\d\d\.\d+)(?![\w:]))"
)
DURATION_PART = re.compile(rf"(?P<n>\d+(?:\.\d+)?|{WORDNUM}){W0}(?P<u>{_DUR_UNIT})")
# "all 40", "all three": the whole of a counted set.
ALL_N = re.compile(rf"{START}(?i:\ball{W}(?:of{W})?(?:the{W})?)(?P<n>\d+(?![\w.,%])|{WORDNUM})")
DOZEN = re.compile(rf"{START}(?i:(?P<dn>a|one|two|three|four|five|six|half{W}a)[^\S\n]+dozen\b)")
# Product-name stop words: capitalised function words and document furniture are not products.
NOT_NAMES = (
    "In On At By For Of To And But Or Nor The A An As If So Is Was Are With From Since Until "
    "After Before Between Than Top Step Figure Fig Table Chapter Section Page Part Level Day "
    "Week Month Year No Number Rank Group Phase Round Stage Season Vol Volume Issue Item Tip "
    "Lesson Module Unit Type Class Grade Tier Appendix Eq Equation Only Just Up We I It Slide "
    "Edition Episode Lecture Exercise Example Note Question Problem Task Epoch Layer Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday All Over Under About Around Nearly Almost"
).split()
VERSION = re.compile(
    rf"{START}(?:(?<![\w.])(?:(?!(?:{'|'.join(NOT_NAMES)})\b|{MON})[A-Z][\w+#.-]*|(?i:torch|jax|numpy|pandas|python"
    rf"|pytorch|tensorflow|keras|cuda|sklearn|scikit-learn|flax|onnx|mxnet|triton))[^\S\n]"
    rf"(?P<v1>\d+(?:\.(?:\d+|x))+|\d)(?!\w|\.\w|[^\S\n]?(?:%|[xX×](?!\w)))"
    rf"|(?<![\w.])v?(?P<v2>(?<=v)\d+(?:\.(?:\d+|x))*|\d+\.x(?:\.x)?|\d+\.\d+\.\d+(?:\.\d+)*)(?!\w|\.\w)"
    rf"|(?<![\w.])(?!(?i:mid|pre|post|early|late|end|top|over|under|since|fy|year|week|day|q[1-4]|h[12])-)"
    rf"[A-Za-z][\w]*-(?P<v3>\d+(?:\.\d+)?)(?!\w|%|[.,]\d))"
)
ORDINAL = re.compile(
    r"(?m)^[^\S\n]*(?:(?P<o1>\d{1,3}(?:\.\d{1,3})*)[.)](?=[^\S\n])"
    r"|#{1,6}[^\S\n]*(?P<o2>\d{1,3}(?:\.\d{1,3})*)\.?(?=[^\S\n]))"
)
# Numbers inside URLs, e-mail addresses, hex ids, phone numbers and clock times are dropped whole.
BLOCKED = [
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
        # A clock time, but not a stopwatch reading with fractional seconds ("0:00:00.165206").
        r"(?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:]|\.\d)",
        r"(?i)\barxiv:\S+|\b10\.\d{4,}/\S+",
    )
]
# "around 2016" is a count unless a time preposition or "circa" says it is a year.
YEAR_PREP = re.compile(r"(?i)\b(?:in|since|until|by|from|before|after)\s+$")
YEAR_AFTER = re.compile(
    r"[^\S\n]*(?:[,.;:)!?\n]|$)|\s+(?:and|or|when|to|until|onwards?|on|in|at|as|with"
    r"|for|but|after|before|the|we|it|they|he|she|this|that)\b",
    re.I,
)
RATIO_AFTER_TIMES = re.compile(
    rf"{W}(?:faster|slower|quicker|more|less|fewer|larger|bigger|smaller|higher|lower|greater|as|the|that|than"
    rf"|over|what|its|their)\b",
    re.I,
)
GT_VERB = re.compile(
    r"(?i)\b(?:passe[sd]|tops|topped|surpass(?:es|ed)?|exceed(?:s|ed)|cross(?:es|ed)"
    r"|eclipsed)"
    r"\s+$"
)
# "mentioned 255 times", "downloaded over 3 million times": "times" counts occurrences.
OCCURRENCE_BEFORE = re.compile(
    r"(?i)\b(?:mentioned|cited|downloaded|viewed|installed|cloned|forked|starred|visited|accessed|searched|liked"
    r"|shared|referenced|quoted|played|watched|opened|pulled|run|called|invoked|used|read|tweeted|retweeted)"
    r"(?:[^\S\n]+\w+){0,3}[^\S\n]+$"
)
RELATIVE_OF = re.compile(rf"{W}of{W}(?:what|that|those|\w+['’]s)\b", re.I)
# "from 62 to 70" is a change, but "ranging from 20% to 350%" a range.
FROM_BEFORE = re.compile(r"(?i)(?<!ranging )(?<!range )(?<!varies )(?<!varying )\bfrom\s*$")
WORD_IDIOM_AFTER = re.compile(r"-(?:shot|way|sided|liner|off)\b", re.I)
# A percentage right after a verb or before a noun of change is a relative change ("grew 12%", "a 30%
# drop"); after a verb of decline it is negative ("fell 30%" -> -0.3).
_UP_VERBS = (
    r"grew|grow(?:s|n|ing)?|rose|ris(?:es|en|ing)|increas(?:e[sd]?|ing)|jump(?:s|ed|ing)?|climb(?:s|ed|ing)?"
    r"|gain(?:s|ed|ing)?|surg(?:e[sd]?|ing)|soar(?:s|ed|ing)?|up|improv(?:e[sd]?|ing)|boost(?:s|ed|ing)?"
    r"|expand(?:s|ed|ing)?|accelerat(?:e[sd]?|ing)"
)
_DOWN_VERBS = (
    r"fell|fall(?:s|en|ing)?|dropp?(?:s|ed|ing)?|declin(?:e[sd]?|ing)|decreas(?:e[sd]?|ing)|shr[ai]nk(?:s|ing)?|shrunk"
    r"|slipp?(?:s|ed|ing)?|lost|los(?:es|ing)|plung(?:e[sd]?|ing)|down|slid(?:es|ing)?|dipp?(?:s|ed|ing)?"
)
CHANGE_VERBS = rf"{_UP_VERBS}|{_DOWN_VERBS}"
"""Words of a rise or a fall ("grew", "fell", "up", "down"), for patterns elsewhere that read a change."""
CHANGE_BEFORE = re.compile(rf"(?i)\b(?:(?P<up>{_UP_VERBS})|(?P<down>{_DOWN_VERBS}))(?:\s+by)?\s+$")
CHANGE_AFTER = re.compile(
    r"(?i)[^\S\n]*(?:-[^\S\n]*)?(?:(?P<up>increase|growth|rise|gain|jump|surge|uplift|improvement|boost|YoY|QoQ|MoM"
    r"|year[- ](?:over|on)[- ]year)|(?P<down>drop|decline|decrease|fall|loss|dip|slide))\b"
)
LESS_WORD = re.compile(rf"(?i)(?:{LESS})$")
# "faster by 25.5%": the speed word stands before the number and still makes it a speed ratio.
SPEED_BEFORE = re.compile(r"(?i)\b(faster|quicker|speedier|slower)[^\S\n]+by[^\S\n]+$")
# "thousands of models", "tens of thousands": a vague count, at least the order of magnitude it names.
VAGUE_COUNT = re.compile(
    rf"(?i)(?<![\w-])(?P<a>tens|dozens|hundreds|thousands|millions|billions)"
    rf"(?:(?P<of>{W}of{W}(?P<b>thousands|millions|billions))|(?={W}of\b))"
)
