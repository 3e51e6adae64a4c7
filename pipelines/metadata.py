"""A document's own date and title, from wherever it states them.

In order of trust: the page's metadata (``<meta property="article:published_time">``, ``name="date"`` and
its kin, ``itemprop="datePublished"``, JSON-LD ``datePublished``), Markdown front matter (``date:``,
``published:``, ``title:``), a byline near the top of the text ("Published May 7, 2024", "Posted on …",
"Last updated …", "By Jane Doe | May 7, 2024", a date alone on a line), an HTML ``<time datetime>``, and a
date in the URL or file name (``/2023/06/20/``, ``2023-06-20-title.md``). A publication date beats an
update date from the same place. Every date is read at the precision it is written with.
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
    r"(?i)\b(?P<what>published|posted|written|released|dated?|updated|last[^\S\n]+updated|last[^\S\n]+modified"
    r"|modified|revised)\b(?:[^\S\n]+(?:on|at|in))?[^\S\n]*[:\-–—]?[^\S\n]*"
)
_BY = re.compile(r"(?im)^[^\S\n]*(?:by|from)[^\S\n]+[^\n]{2,80}?(?:\||·|•|—|–|,|-)[^\S\n]*")
_TOP_CHARS = 2500
_TOP_LINES = 40


def byline_date(clean: str) -> tuple[str, int, int] | None:
    """The document date a byline near the top of the text states: ``(label, start, end)`` of the date.

    Looks at the first lines only: "Published May 7, 2024", "Posted on 16 April 2025", "Last updated:
    2023-09-12", "By Jane Doe | May 7, 2024", or a date alone on a line. A publication date wins over an
    update date.
    """
    top_end = min(len(clean), _TOP_CHARS)
    newlines = [i for i, ch in enumerate(clean[:top_end]) if ch == "\n"]
    if len(newlines) >= _TOP_LINES:
        top_end = newlines[_TOP_LINES - 1]
    top = clean[:top_end]
    dates = [q for q in find_quantities(top) if q.kind == "date"]
    found: list[tuple[int, int, str, int, int]] = []  # (rank, position, label, start, end)
    for q in dates:
        period = period_of_quantity(q)
        if period is None or period.precision not in ("day", "month"):
            continue
        line_start = top.rfind("\n", 0, q.start) + 1
        line_end = top.find("\n", q.end)
        line = top[line_start : line_end if line_end >= 0 else len(top)]
        before = top[line_start : q.start]
        cue = None
        for m in _BYLINE.finditer(before):
            if m.end() >= len(before) - 3 or len(before) - m.end() < 25:
                cue = m["what"].lower()
        if cue is not None:
            rank = 2 if "updat" in cue or "modif" in cue or "revis" in cue else 0
        elif _BY.match(line) or line.strip().strip("|·•—–-()[] ") == q.surface.strip():
            rank = 1  # "By Jane | May 7, 2024", or a date alone on its line
        else:
            continue
        found.append((rank, q.start, period.label, q.start, q.end))
    if not found:
        return None
    _, _, label, start, end = min(found)
    return label, start, end


_URL_DAY = re.compile(r"(?<!\d)((?:19|20)\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/")


def url_date(url: str | None) -> str | None:
    """A date in a URL or file name: ``/2023/06/20/``, ``2023-06-20-title.md`` (day), ``/2023/06/`` (month)."""
    if not url:
        return None
    if m := _URL_DAY.search(url):
        return _date(f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}")
    if m := _URL_MONTH.search(url):
        return _date(f"{m[1]}-{int(m[2]):02d}")
    return None


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
    title = from_html.title or from_front.title
    for meta in (from_html, from_front):
        if meta.published and meta.published_from != "time_tag":
            return DocumentMeta(title=title, published=meta.published, published_from=meta.published_from)
    byline = byline_date(clean)
    if byline is not None:
        return DocumentMeta(title=title, published=byline[0], published_from="byline")
    if from_html.published:
        return DocumentMeta(title=title, published=from_html.published, published_from=from_html.published_from)
    for where in (url, name):
        if d := url_date(where):
            return DocumentMeta(title=title, published=d, published_from="url")
    if fallback_published and (d := _date(fallback_published)):
        return DocumentMeta(title=title, published=d, published_from="trafilatura")
    return DocumentMeta(title=title)
