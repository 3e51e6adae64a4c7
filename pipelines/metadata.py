"""A document's own date and title, from wherever it states them.

In order of trust: the page's metadata (``<meta property="article:published_time">``, ``name="date"`` and
its kin, ``itemprop="datePublished"``, JSON-LD ``datePublished``), Markdown front matter (``date:``,
``published:``, ``title:``), a byline near the top of the text ("Published May 7, 2024", "Posted on …",
"Last updated …", "By Jane Doe | May 7, 2024", a date alone on a line), an HTML ``<time datetime>``, and a
date in the URL or file name (``/2023/06/20/``, ``2023-06-20-title.md``), then an update byline ("Last
updated …": the page's first publication, when the URL gives it, is its date). Every date is read at
the precision it is written with. A text's title is its front matter's, else its first line when that
reads like a title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from pipelines.context import parse_published, period_of_quantity
from pipelines.errors import InvalidDate
from pipelines.quantities import find_quantities


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentMeta:
    """What a document says about itself; ``published_from`` names where the date was read."""

    title: str | None = None
    published: str | None = None
    published_from: str | None = None


_PUBLISHED_META = {
    "article:published_time",
    "og:published_time",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "citation_publication_date",
    "citation_date",
    "sailthru.date",
    "parsely-pub-date",
    "datepublished",
}
_MODIFIED_META = {"article:modified_time", "og:updated_time", "dcterms.modified", "last-modified", "datemodified"}


class _HeadReader(HTMLParser):
    """Collects meta tags, ``<time>`` elements, JSON-LD blocks and the ``<title>`` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.times: list[tuple[str, bool]] = []
        self.json_ld: list[str] = []
        self.title: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.append((key, a["content"]))
        elif tag == "time" and a.get("datetime"):
            published = a.get("itemprop", "").lower() == "datepublished" or "pubdate" in a
            self.times.append((a["datetime"], published))
        elif tag in ("script", "title"):
            self._in = tag if tag == "title" or a.get("type", "").lower() == "application/ld+json" else None
            if self._in == "script":
                self.json_ld.append("")
        elif a.get("itemprop", "").lower() == "datepublished" and (a.get("content") or a.get("datetime")):
            self.meta.append(("datepublished", a.get("content") or a.get("datetime") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "title"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.json_ld[-1] += data
        elif self._in == "title":
            self.title.append(data)


def _date(value: Any) -> str | None:
    """A date label read from a metadata value, or None when the value is no date."""
    if not isinstance(value, str):
        return None
    try:
        return parse_published(value).label
    except InvalidDate:
        return None


def _json_ld_items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [i for d in data for i in _json_ld_items(d)]
    if isinstance(data, dict):
        return [data, *_json_ld_items(data.get("@graph", []))]
    return []


def html_metadata(html: str) -> DocumentMeta:
    """The date and title an HTML page declares in its markup (meta tags, JSON-LD, ``<time>``, ``<title>``)."""
    reader = _HeadReader()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser gives up on broken markup
        pass
    published = modified = None
    source = None
    for key, content in reader.meta:
        if key in _PUBLISHED_META and published is None and (d := _date(content)):
            published, source = d, "html_meta"
        elif key in _MODIFIED_META and modified is None:
            modified = _date(content)
    title = None
    for block in reader.json_ld:
        try:
            items = _json_ld_items(json.loads(block))
        except ValueError:
            continue
        for item in items:
            if published is None and (d := _date(item.get("datePublished") or item.get("dateCreated"))):
                published, source = d, "json_ld"
            if modified is None:
                modified = _date(item.get("dateModified"))
            if title is None and isinstance(item.get("headline"), str):
                title = item["headline"].strip() or None
    if published is None:
        for value, _explicit in sorted(reader.times, key=lambda t: not t[1]):
            if d := _date(value):
                published, source = d, "time_tag"
                break
    if published is None and modified is not None:
        published, source = modified, "html_meta"
    og_title = next((c for k, c in reader.meta if k in ("og:title", "twitter:title")), None)
    page_title = " ".join("".join(reader.title).split()) or None
    return DocumentMeta(title=og_title or title or page_title, published=published, published_from=source)


_FRONT_MATTER = re.compile(r"\A(?P<fence>---|\+\+\+)[^\S\n]*\n(?P<body>.*?)\n(?P=fence)[^\S\n]*(?:\n|\Z)", re.S)
_FM_LINE = re.compile(r"(?m)^(?P<key>[A-Za-z_][\w-]*)[^\S\n]*[:=][^\S\n]*(?P<value>.*?)[^\S\n]*$")


def front_matter(text: str) -> DocumentMeta:
    """``title`` and ``date`` (or ``published``, ``pubDate``; else ``updated``, ``lastmod``) of a Markdown
    file's YAML (``---``) or TOML (``+++``) front matter."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return DocumentMeta()
    fields = {f["key"].lower(): f["value"].strip().strip("'\"") for f in _FM_LINE.finditer(m["body"])}
    published = None
    for key in ("date", "published", "pubdate", "publishdate", "created", "updated", "lastmod", "last_modified"):
        if key in fields and (published := _date(fields[key])):
            break
    return DocumentMeta(
        title=fields.get("title") or None,
        published=published,
        published_from="front_matter" if published else None,
    )


_BYLINE = re.compile(
    r"(?i)\b(?P<what>published|posted|written|dated?|created|answered|updated|last[^\S\n]+updated|last[^\S\n]+modified"
    r"|last[^\S\n]+reviewed|reviewed|modified|revised|opened(?:[^\S\n]+this[^\S\n]+issue)?)\b"
    r"(?:[^\S\n]+(?:on|at|in))?[^\S\n]*[:\-–—]?[^\S\n]*$"
    # "Posted to the list by Jane on 2020/05/08": the cue opens the line, the date closes the phrase.
    r"|\b(?P<far>posted|published|submitted|sent)\b[^\n]{0,100}?\b(?:on|at)[^\S\n]*$"
)
_UPDATE = ("updat", "modif", "revis", "review")
_BY = re.compile(r"(?i)^[^\S\n]*(?:by|from)[^\S\n]+\S")
# "SAN FRANCISCO, Sept. 23, 2020 /PRNewswire/": a press release's dateline.
_DATELINE = re.compile(r"^[^\S\n]*[A-Z][A-Z .'-]{2,40}(?:,|[^\S\n][–—-])[^\S\n]*(?:[A-Z][a-z]+[^\S\n]*,[^\S\n]*)?$")
_READ_TIME = re.compile(r"(?i)\bmin(?:ute)?s?[^\S\n]*read[^\S\n]*[|·•∙—–-]?[^\S\n]*$")  # "12 min read · Mar 5"
_SEPARATORS = "|·•∙—–-()[]/#* "
_TOP_CHARS = 2500
_TOP_LINES = 40


def _line(top: str, start: int, end: int) -> tuple[int, int]:
    line_start = top.rfind("\n", 0, start) + 1
    line_end = top.find("\n", end)
    return line_start, (line_end if line_end >= 0 else len(top))


def byline_date(clean: str) -> tuple[str, int, int, bool] | None:
    """The document date a byline near the top of the text states.

    Looks at the first lines only: "Published May 7, 2024", "Posted on 16 April 2025", "Created
    2020-11-26", "By Jane Doe | May 7, 2024", "SAN FRANCISCO, Sept. 23, 2020 /PRNewswire/", a date opening
    a line before a separator ("01/16/2019 ∙ by …") or alone on its line (after a cue on the line above).

    Returns:
        ``(label, start, end, is_update)`` of the date, or None. A publication date wins over an update
        date ("Last updated …"), which callers rank below a date in the URL.
    """
    top_end = min(len(clean), _TOP_CHARS)
    newlines = [i for i, ch in enumerate(clean[:top_end]) if ch == "\n"]
    if len(newlines) >= _TOP_LINES:
        top_end = newlines[_TOP_LINES - 1]
    top = clean[:top_end]
    found: list[tuple[int, int, str, int, int]] = []  # (rank, position, label, start, end)
    for q in find_quantities(top):
        period = period_of_quantity(q) if q.kind == "date" else None
        if period is None or period.precision not in ("day", "month"):
            continue
        line_start, line_end = _line(top, q.start, q.end)
        before, after = top[line_start : q.start], top[q.end : line_end]
        if not before.strip(_SEPARATORS) and line_start > 0:
            # A date alone at the start of its line takes the cue of the line above ("Last reviewed\nMay 1").
            above_start, above_end = _line(top, line_start - 1, line_start - 1)
            if _BYLINE.search(top[above_start:above_end]):
                before = top[above_start:above_end]
        cue = _BYLINE.search(before[-120:])
        opens_line = not before.strip(_SEPARATORS)
        if cue is not None:
            what = (cue["what"] or cue["far"]).lower()
            rank = 2 if what.startswith(_UPDATE) or "last" in what else 0
        elif (
            _BY.match(before)
            or _DATELINE.match(before)
            or _READ_TIME.search(before)
            or (
                opens_line
                and (period.precision == "day" or len(after.strip()) < 30 or after.lstrip()[:1] in "|·•∙—–-/")
            )
        ):
            # "By Jane | May 7, 2024", a dateline, a full date opening its line ("March 31, 2022 0 Comments")
            rank = 1
        else:
            continue
        if rank == 2 and "last reviewed" not in before.lower() and "created" in before.lower():
            rank = 0
        found.append((rank, q.start, period.label, q.start, q.end))
    if not found:
        return None
    rank, _, label, start, end = min(found)
    return label, start, end, rank == 2


_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)")
_URL_DAY_US = re.compile(r"/(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])-((?:19|20)\d\d)/")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/|/(0?[1-9]|1[0-2])-((?:19|20)\d\d)/")


def url_date(url: str | None) -> str | None:
    """A date in a URL or file name: ``/2023/06/20/``, ``2023-06-20-title.md``, ``/03-05-2024/`` (day),
    ``/2023/06/``, ``/08-2024/`` (month)."""
    if not url:
        return None
    if m := _URL_DAY.search(url):
        return _date(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}")
    if m := _URL_DAY_US.search(url):
        return _date(f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}")
    if m := _URL_MONTH.search(url):
        year, month = (m[1], m[2]) if m[1] else (m[4], m[3])
        return _date(f"{year}-{int(month):02d}")
    return None


_FIRST_LINE = re.compile(r"\A\s*(?:#[^\S\n]+)?(?P<title>[^\n]{3,200})")


def first_line_title(clean: str) -> str | None:
    """The first line of a text as its title, when it reads like one (at most 20 words, no closing period)."""
    m = _FIRST_LINE.match(clean)
    if m is None:
        return None
    title = m["title"].strip().strip("#").strip()
    if (
        len(title.split()) > 20
        or title.endswith((".", ":", ",", ";"))
        or "|" in title
        or title.startswith(("<", "!", "["))
    ):
        return None
    return title or None


def document_metadata(
    original: str,
    *,
    fmt: str,
    clean: str,
    url: str | None = None,
    name: str | None = None,
    fallback_published: str | None = None,
) -> DocumentMeta:
    """The document's title and date, from the most trusted place that states them.

    Args:
        original: The text as received (HTML markup or Markdown with its front matter).
        fmt: ``html``, ``markdown`` or ``text``.
        clean: The clean view (for a byline).
        url: The document's URL, if known.
        name: Its file name, if any (``2023-06-20-title.md`` dates it).
        fallback_published: A date another reader found (trafilatura's), used after the markup, the
            front matter and the byline.

    Returns:
        Title and date (an ISO label at its precision) with the name of the place the date came from.
    """
    from_html = html_metadata(original) if fmt == "html" else DocumentMeta()
    from_front = front_matter(original) if fmt != "html" else DocumentMeta()
    title = from_html.title or from_front.title or (first_line_title(clean) if fmt != "html" else None)
    for meta in (from_html, from_front):
        if meta.published and meta.published_from != "time_tag":
            return DocumentMeta(title=title, published=meta.published, published_from=meta.published_from)
    byline = byline_date(clean)
    if byline is not None and not byline[3]:
        return DocumentMeta(title=title, published=byline[0], published_from="byline")
    if from_html.published:
        return DocumentMeta(title=title, published=from_html.published, published_from=from_html.published_from)
    for where in (url, name):
        if d := url_date(where):
            return DocumentMeta(title=title, published=d, published_from="url")
    if byline is not None:
        return DocumentMeta(title=title, published=byline[0], published_from="byline")
    if fallback_published and (d := _date(fallback_published)):
        return DocumentMeta(title=title, published=d, published_from="trafilatura")
    return DocumentMeta(title=title)
