"""Bytes, HTML or text -> ``Article``: the original text, a clean view, and a map between them.

The clean view is what the NLP stages read: mojibake repaired and, for HTML, only the main content that
trafilatura keeps. Every character of the clean view knows the span of ORIGINAL text it came from, so a
span found in the clean view maps back exactly (``Article.to_original``).
"""

from __future__ import annotations

import codecs
import html
import os
import re
import stat
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import charset_normalizer
import ftfy

from pipelines.context import parse_published
from pipelines.errors import (
    BinaryInput,
    EmptyInput,
    EncodingProblem,
    InputError,
    InputTooLarge,
    NotARegularFile,
    UnsupportedFormat,
)
from pipelines.metadata import document_metadata

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


class OffsetMap:
    """Builds the clean view and, for each of its characters, the original span it came from."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.starts = array("l")
        self.ends = array("l")

    def copy(self, text: str, orig_start: int) -> None:
        """Append text that stands verbatim in the original at ``orig_start``."""
        self._parts.append(text)
        self.starts.extend(range(orig_start, orig_start + len(text)))
        self.ends.extend(range(orig_start + 1, orig_start + len(text) + 1))

    def replace(self, text: str, orig_start: int, orig_end: int) -> None:
        """Append text that stands for ``original[orig_start:orig_end]`` as a whole (a repair, an entity)."""
        self._parts.append(text)
        self.starts.extend([orig_start] * len(text))
        self.ends.extend([orig_end] * len(text))

    def text(self) -> str:
        return "".join(self._parts)

    def extend(self, other: OffsetMap, lo: int, hi: int) -> None:
        """Append characters ``lo:hi`` of another map's text with their original spans."""
        self._parts.append(other.text()[lo:hi])
        self.starts.extend(other.starts[lo:hi])
        self.ends.extend(other.ends[lo:hi])

    def compose(self, inner: OffsetMap) -> OffsetMap:
        """``inner`` was built over this map's text: the same text, mapped to this map's original."""
        out = OffsetMap()
        out._parts.append(inner.text())
        last = self.ends[-1] if self.ends else 0
        out.starts = array("l", (self.starts[s] if s < len(self.starts) else last for s in inner.starts))
        out.ends = array("l", (self.ends[e - 1] if e > 0 else self.starts[0] for e in inner.ends))
        return out


@dataclass(frozen=True, kw_only=True)
class Article:
    """An article as received, with the clean view the pipeline reads."""

    name: str
    original: str
    clean: str
    starts: array = field(repr=False)
    ends: array = field(repr=False)
    format: str = "text"
    title: str | None = None
    url: str | None = None
    published: str | None = None
    """The document's date at the precision it is known (``2024``, ``2024-05``, ``2024-05-07``)."""
    publisher: str | None = None
    published_from: str | None = None
    """Where ``published`` was read: ``argument``, ``html_meta``, ``json_ld``, ``time_tag``, ``front_matter``,
    ``byline``, ``url`` or ``trafilatura``."""
    headings: tuple[tuple[int, int, int], ...] = ()
    """``(start, end, level)`` of the HTML page's ``<h1>``–``<h6>`` elements in the clean view."""

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean-view span to the ORIGINAL text's span."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def to_clean(self, start: int, end: int) -> tuple[int, int] | None:
        """Map an ORIGINAL span to the clean view (None when the span was dropped, e.g. page chrome)."""
        lo = bisect_left(self.starts, start)
        hi = bisect_left(self.starts, end)
        while hi > lo and self.ends[hi - 1] > end and self.starts[hi - 1] >= end:
            hi -= 1
        if hi <= lo:
            return None
        return lo, hi

    def original_span_text(self, start: int, end: int) -> tuple[int, int, str]:
        s, e = self.to_original(start, end)
        return s, e, self.original[s:e]


# --- decoding ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
)
# Codecs a page may name that are no character set: they turn escapes into any character at all (NUL, lone
# surrogates) or decode something else than text.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7", "undefined"})
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _charset(declared: bytes) -> str | None:
    """The codec a ``<meta charset>`` names, when it is a character set Python knows."""
    try:
        info = codecs.lookup(declared.decode("ascii"))
    except (LookupError, UnicodeError):
        return None
    # Binary transforms (zlib, base64, rot13…) are codecs too, but no text encoding.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _checked(text: str, name: str) -> str:
    """Decoded text as every later stage may take it: no NUL (a database refuses it), no lone surrogate
    (it cannot be written as UTF-8) and few control characters (otherwise it is binary data)."""
    if "\x00" in text or len(_CONTROL.findall(text)) > len(text) * 0.01:
        raise BinaryInput(f"{name}: looks like a binary file, not text")
    bad = _SURROGATE.search(text)
    if bad:
        raise EncodingProblem(
            f"{name}: the text holds a lone surrogate at character {bad.start()}", position=bad.start()
        )
    return text


def decode_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode an article's bytes, refusing empty, huge, binary and undecodable input with a clear error.

    Every failure is an ``InputError`` naming ``name``; whatever it returns holds no NUL and no lone
    surrogate.
    """
    if len(data) > max_bytes:
        raise InputTooLarge(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,}", size=len(data))
    if not data.strip():
        raise EmptyInput(f"{name}: the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), name)
            except UnicodeDecodeError as exc:
                raise EncodingProblem(
                    f"{name}: not valid {codec.upper().removesuffix('-SIG')} although it starts with its byte order "
                    f"mark ({exc.reason} at byte {exc.start})",
                    position=exc.start,
                ) from None
    sample = data[:65536]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) * 0.01:
        raise BinaryInput(f"{name}: looks like a binary file, not text")
    try:
        return _checked(data.decode("utf-8"), name)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    declared = _META_CHARSET.search(data[:4096])
    charset = _charset(declared.group(1)) if declared else None
    if charset:
        try:
            return _checked(data.decode(charset), name)
        except (UnicodeError, LookupError):
            pass
    best = charset_normalizer.from_bytes(data).best()
    # A single-byte code page decodes any bytes; accept a guess only when it reads as language.
    if best is None or best.chaos > 0.2 or best.coherence < 0.2:
        raise EncodingProblem(
            f"{name}: not valid UTF-8 (byte {utf8_error.start}) and no reliable encoding detected",
            position=utf8_error.start,
        )
    return _checked(str(best), name)


# --- mojibake ---------------------------------------------------------------------------------

# UTF-8 read through a legacy code page leaves runs of 2-4 non-ASCII characters; re-encoding the run
# with that code page gives back valid UTF-8. ftfy knows the Latin/Windows pages; the Greek and Cyrillic
# pages (seen in the wild: "β€”" for an em dash) are tried here too.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_LEGACY_CODECS = ("cp1252", "cp1253", "cp1251", "cp1250", "latin-1")


def _repair_whole(run: str) -> str | None:
    for codec in _LEGACY_CODECS:
        try:
            fixed = run.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(fixed) < len(run):
            return fixed
    return None


def _repair_run(run: str) -> str | None:
    """Repair the longest decodable pieces of a run ("β€’…" holds a repairable "β€’" and a real "…")."""
    if len(run) > 48:
        return None
    out: list[str] = []
    i = 0
    changed = False
    while i < len(run):
        for j in range(len(run), i + 1, -1):
            fixed = _repair_whole(run[i:j])
            if fixed is not None:
                out.append(fixed)
                i = j
                changed = True
                break
        else:
            out.append(run[i])
            i += 1
    return "".join(out) if changed else None


def _repair_line(line: str, orig_start: int, out: OffsetMap) -> None:
    """Append ``line`` to ``out`` with mojibake repaired, mapping each repair to the text it replaced."""
    fixed = ftfy.fix_encoding(line)
    if fixed != line:
        matcher = SequenceMatcher(None, line, fixed, autojunk=False)
        pieces: list[tuple[str, int, int, bool]] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            pieces.append((fixed[j1:j2], i1, i2, op == "equal"))
    else:
        pieces = [(line, 0, len(line), True)]
    for text, i1, i2, exact in pieces:
        if not exact:
            out.replace(text, orig_start + i1, orig_start + i2)
            continue
        pos = 0
        for m in _NON_ASCII_RUN.finditer(text):
            repaired = _repair_run(m.group(0))
            if repaired is None:
                continue
            out.copy(text[pos : m.start()], orig_start + i1 + pos)
            out.replace(repaired, orig_start + i1 + m.start(), orig_start + i1 + m.end())
            pos = m.end()
        out.copy(text[pos:], orig_start + i1 + pos)


def _clean_plain(original: str) -> OffsetMap:
    out = OffsetMap()
    pos = 0
    for line in original.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        _repair_line(body, pos, out)
        if len(body) < len(line):
            out.copy("\n", pos + len(body))  # \r\n and \n both become one newline mapped to its first char
            if line.endswith("\r\n"):
                out.ends[-1] = pos + len(line)
        pos += len(line)
    return out


# --- HTML ---------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "figcaption",
    "main",
    "title",
}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}


_COMMENT_CLOSE = re.compile(r"--\s*>")
_SECTION_CLOSE = re.compile(r"]\s*]\s*>")
_MS_SECTION_CLOSE = re.compile(r"]\s*>")
_SECTION_NAME = re.compile(r"([a-zA-Z][-_.a-zA-Z0-9]*)")


def _last_start(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of ``pattern`` in ``text`` starts (-1 when none): one pass over the text."""
    last = -1
    for m in pattern.finditer(text):
        last = m.start()
    return last


class _TextWithOffsets(HTMLParser):
    """Collects the visible text of an HTML page as blocks, each with the source span of every char."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.blocks: list[OffsetMap] = [OffsetMap()]
        self._skip = 0
        self.title_parts: list[str] = []
        self._in_title = False
        self.heading_level: dict[int, int] = {}
        self._block_has_text = False
        # Where the constructs that need an end ('>', '-->', ']]>', ']>') last end: one that opens after
        # that never closes (see _unclosed).
        self._last_gt = source.rfind(">")
        self._last_comment_close = _last_start(_COMMENT_CLOSE, source)
        self._last_section_close = _last_start(_SECTION_CLOSE, source)
        self._last_ms_section_close = _last_start(_MS_SECTION_CLOSE, source)

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _break(self) -> None:
        if self._block_has_text:
            self.blocks.append(OffsetMap())
            self._block_has_text = False

    def _append(self, text: str) -> None:
        """Note that ``text`` was added to the current block (a flag, so a break costs no join of it)."""
        if not self._block_has_text and text.strip():
            self._block_has_text = True

    # Python's parser (before CPython 3.11.13, 3.12.11 and 3.13.4) looks for the end of a construct that
    # never closes again at each later '<': time quadratic in the input ("<a" x 130,000 took 67 s). A
    # construct that opens after the last end it could have runs to the end of the input and is dropped
    # there, as HTML5 reads a tag or comment cut off by the end of the input; each check costs O(1).

    def _unclosed(self, i: int, last_end: int) -> bool:
        return len(self.source) - len(self.rawdata) + i > last_end

    def parse_starttag(self, i: int) -> int:
        return len(self.rawdata) if self._unclosed(i, self._last_gt) else super().parse_starttag(i)

    def parse_endtag(self, i: int) -> int:
        return len(self.rawdata) if self._unclosed(i, self._last_gt) else super().parse_endtag(i)

    def parse_pi(self, i: int) -> int:
        return len(self.rawdata) if self._unclosed(i, self._last_gt) else super().parse_pi(i)

    def parse_bogus_comment(self, i: int, report: bool = True) -> int:
        return len(self.rawdata) if self._unclosed(i, self._last_gt) else super().parse_bogus_comment(i, report)

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith(("<!--", "<!["), i) or not self._unclosed(i, self._last_gt):
            return super().parse_html_declaration(i)
        return len(self.rawdata)

    def parse_comment(self, i: int, report: bool = True) -> int:
        return (
            len(self.rawdata) if self._unclosed(i + 4, self._last_comment_close) else super().parse_comment(i, report)
        )

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """``<![CDATA[…]]>``, ``<![if …]>``: skipped whole (the base class raises on a name it does not know)."""
        name = _SECTION_NAME.match(self.rawdata, i + 3)
        ms = name is not None and name.group(1).lower() in ("if", "else", "endif")
        close, last_end = (
            (_MS_SECTION_CLOSE, self._last_ms_section_close) if ms else (_SECTION_CLOSE, self._last_section_close)
        )
        if self._unclosed(i + 3, last_end):
            return len(self.rawdata)
        found = close.search(self.rawdata, i + 3)
        return found.end() if found else len(self.rawdata)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS and tag != "head":
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK_TAGS:
            self._break()
        if tag in _HEADING_TAGS:
            self.heading_level[len(self.blocks) - 1] = int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and tag != "head" and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            # A table row stays one line, its cells apart: "PyTorch | 70% | 92%".
            self.blocks[-1].replace(" | ", self._offset(), self._offset())
            self._append(" | ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title_parts.append(data)
        self._append(data)
        start = self._offset()
        # Runs of white space (source newlines, indentation) collapse to one space mapped to the run.
        pos = 0
        for m in re.finditer(r"\s{2,}|[\n\t\r]", data):
            self.blocks[-1].copy(data[pos : m.start()], start + pos)
            self.blocks[-1].replace(" ", start + m.start(), start + m.end())
            pos = m.end()
        self.blocks[-1].copy(data[pos:], start + pos)

    def _entity(self, text: str) -> None:
        if self._skip:
            return
        start = self._offset()
        raw_end = self.source.find(";", start)
        end = raw_end + 1 if raw_end != -1 and raw_end - start < 12 else start + len(text)
        text = html.unescape(self.source[start:end]).replace("\xa0", " ")
        self.blocks[-1].replace(text, start, end)
        self._append(text)

    def handle_entityref(self, name: str) -> None:
        self._entity(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._entity(f"&#{name};")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _clean_html(original: str) -> tuple[OffsetMap, dict[str, str | None], tuple[tuple[int, int, int], ...]]:
    import trafilatura  # heavy import, only needed for HTML

    parser = _TextWithOffsets(original)
    parser.feed(original)
    parser.close()
    doc: Any = trafilatura.bare_extraction(original, include_tables=True, with_metadata=True, favor_precision=True)
    kept = _norm(doc.text) if doc is not None and doc.text else ""
    meta: dict[str, str | None] = {
        "title": (doc.title if doc is not None else None) or _norm("".join(parser.title_parts)) or None,
        "published": doc.date if doc is not None else None,
        "publisher": doc.sitename if doc is not None else None,
        "url": doc.url if doc is not None else None,
    }
    out = OffsetMap()
    length = 0
    heading_spans: list[tuple[int, int, int]] = []
    for index, block in enumerate(parser.blocks):
        text = block.text()
        stripped = _norm(text)
        # A block belongs to the main content when trafilatura kept its text; when trafilatura kept
        # nothing at all, every visible block stays rather than losing the article.
        if not stripped or (kept and stripped not in kept):
            continue
        lead = len(text) - len(text.lstrip())
        tail = len(text.rstrip())
        out.extend(block, lead, tail)
        out.replace("\n", block.ends[tail - 1], block.ends[tail - 1])
        if index in parser.heading_level:
            heading_spans.append((length, length + tail - lead, parser.heading_level[index]))
        length += tail - lead + 1
    # Repair mojibake inside the kept text, composing the two maps.
    inner = _clean_plain(out.text())
    # Heading spans move with the repairs: a clean character knows the position it came from.
    headings = tuple(
        (bisect_left(inner.starts, start), bisect_left(inner.starts, end), level) for start, end, level in heading_spans
    )
    return out.compose(inner), meta, headings


# --- bounds -------------------------------------------------------------------------------------

LONG_CHUNK_CHARS = 1000
"""A longer run of text without white space (a data URI, minified code, one character repeated) holds no
claim: the clean view reads it as one space, mapped to the whole run. Every later stage then does work
linear in the text whatever it holds (tokenizing a run of ``<`` or ``%`` costs time quadratic in its
length; a run of digits is a number with a million digits)."""
# Anchored at a run's start, so each run is scanned once.
_LONG_CHUNK = re.compile(rf"(?<!\S)\S{{{LONG_CHUNK_CHARS + 1},}}")


def _without_long_chunks(omap: OffsetMap) -> tuple[OffsetMap, list[tuple[int, int]]]:
    """``omap`` with every run over LONG_CHUNK_CHARS non-space characters replaced by one space, and the
    spans of those runs in ``omap``'s text (``_moved`` maps a position of that text to the new one)."""
    text = omap.text()
    chunks = [m.span() for m in _LONG_CHUNK.finditer(text)]
    if not chunks:
        return omap, chunks
    out = OffsetMap()
    pos = 0
    for start, end in chunks:
        out._parts.append(text[pos:start])
        out.starts.extend(omap.starts[pos:start])
        out.ends.extend(omap.ends[pos:start])
        out.replace(" ", omap.starts[start], omap.ends[end - 1])
        pos = end
    out._parts.append(text[pos:])
    out.starts.extend(omap.starts[pos:])
    out.ends.extend(omap.ends[pos:])
    return out, chunks


def _moved(pos: int, chunks: list[tuple[int, int]]) -> int:
    """Where position ``pos`` of a clean view stands once each run of ``chunks`` is one space."""
    if not chunks:
        return pos
    i = bisect_right([start for start, _ in chunks], pos) - 1
    if i < 0:
        return pos
    removed = sum(end - start - 1 for start, end in chunks[:i])
    start, end = chunks[i]
    if pos < end:  # inside the run: at its space (a position past its start, after it)
        return start - removed + (pos > start)
    return pos - removed - (end - start - 1)


# --- entry points -------------------------------------------------------------------------------


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|article|p|div)\b", head))


def article_from_text(
    text: str,
    *,
    name: str = "<text>",
    fmt: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    publisher: str | None = None,
) -> Article:
    """Build an Article from already-decoded text (``fmt``: text, markdown or html; guessed when None).

    ``published`` given here wins over any date the document states and must be a date (``YYYY``,
    ``YYYY-MM``, ``YYYY-MM-DD``, an ISO timestamp or a written date): anything else raises ``InvalidDate``
    naming it. Otherwise the date and title come from the page's metadata, the front matter, a byline or
    the URL / file name (``pipelines.metadata``).
    """
    if not text.strip():
        raise EmptyInput(f"{name}: the article has no text")
    fmt = fmt or ("html" if _looks_like_html(text) else "text")
    # A date given by the caller is checked first: a bad one stops here, before any work.
    given = parse_published(published, name=f"{name}: published").label if published is not None else None
    meta: dict[str, str | None] = {}
    headings: tuple[tuple[int, int, int], ...] = ()
    if fmt == "html":
        omap, meta, headings = _clean_html(text)
    elif fmt in ("text", "markdown"):
        omap = _clean_plain(text)
    else:
        raise UnsupportedFormat(f"{name}: unsupported format {fmt!r}")
    omap, chunks = _without_long_chunks(omap)
    headings = tuple((_moved(start, chunks), _moved(end, chunks), level) for start, end, level in headings)
    clean = omap.text()
    url = url or meta.get("url")
    found = document_metadata(text, fmt=fmt, clean=clean, url=url, name=name, fallback_published=meta.get("published"))
    return Article(
        name=name,
        original=text,
        clean=clean,
        starts=omap.starts,
        ends=omap.ends,
        format=fmt,
        title=title or meta.get("title") or found.title,
        url=url,
        published=given or found.published,
        publisher=publisher or meta.get("publisher"),
        published_from="argument" if given else found.published_from,
        headings=headings,
    )


def read_article(
    path: Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, published: str | None = None
) -> Article:
    """Read one article file (.txt, .md, .html); ``name`` (default: the path as given) identifies it;
    ``published`` (a date) overrides what the file says of its own date."""
    text, fmt = read_source(path, name=name, max_bytes=max_bytes)
    return article_from_text(text, name=name or str(path), fmt=fmt, published=published)


def read_source(path: Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """The decoded text of an article file and its format, checked as ``read_article`` checks them, before
    the clean view is built (``article_from_text(text, name=..., fmt=...)`` builds it).

    Raises:
        InputError: the file is of another kind, not a regular file (a FIFO or a device, which could block
            or never end), unreadable, too large, empty, binary or undecodable; the message names it.
    """
    name = name or str(path)
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise UnsupportedFormat(f"{name}: not an article file (expected one of {sorted(ARTICLE_SUFFIXES)})")
    text = decode_bytes(_read_regular_file(path, name, max_bytes), name, max_bytes=max_bytes)
    if not text.strip():
        raise EmptyInput(f"{name}: the article has no text")
    fmt = "html" if suffix in HTML_SUFFIXES else ("markdown" if suffix in (".md", ".markdown") else "text")
    return text, fmt


def _read_regular_file(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` of them (more is InputTooLarge).

    Opened without blocking and checked on the open descriptor, so a FIFO (whose open would wait for a
    writer) or a device (which may never end) is refused, even one put in the file's place meanwhile.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
            raise NotARegularFile(f"{name}: {kind}, not a regular file")
        if info.st_size > max_bytes:
            raise InputTooLarge(f"{name}: {info.st_size:,} bytes is over the limit of {max_bytes:,}", size=info.st_size)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew while being read
        raise InputTooLarge(f"{name}: over the limit of {max_bytes:,} bytes", size=len(data))
    return data


# A folder's own documentation is not an article (a file named on the command line always is).
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "contributing"}


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and for a folder every article file in it (recursively, sorted, no READMEs)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            # Not only regular files: a FIFO or device named like an article is listed, to be refused by
            # ``read_source`` and reported, rather than skipped without a word.
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.suffix.lower() in ARTICLE_SUFFIXES and f.stem.lower() not in NOT_ARTICLES and not f.is_dir()
                )
            )
        else:
            out.append(p)
    return out
