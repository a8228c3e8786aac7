"""Read a saved web page (``.html``, ``.htm``) or a fetched URL into a ``ParsedBrief``.

The article is found by trafilatura (Barbaresi 2021, "Trafilatura: A Web Scraping
Library and Command-Line Tool for Text Discovery and Extraction", ACL demo track),
which also reads the metadata: title, author, date (through htmldate), site name,
categories and tags. This module only turns its output into the fields the plain-text
parser produces, so the import service treats both alike.

Decisions, so that unseen pages behave predictably:

- A page needs a title and some article text; without one of them it is refused with
  a one-line BriefParseError. A page without a date is not refused: ``published_at``
  is None with a warning, and the service imports it as a draft.
- The body is trafilatura's main text as paragraphs separated by a blank line, the
  form the plain-text parser gives: each subheading, list item (``- item``), quote
  and table row (cells joined by `` | ``) is a paragraph of its own. Whether a
  paragraph reads as a subheading is decided when the body is shown
  (``briefs.text.is_subheading``), as for text imports.
- The extraction favours precision (less boilerplate); when that finds nothing, the
  page has no article. When it keeps under a third of the words a recall-oriented run
  keeps, the recall run is used instead, because precision mode occasionally drops
  almost the whole article. Measured on the
  extraction benchmark in ``../shared/extraction-benchmark`` (tests/briefs/
  test_importer_html_benchmark.py).
- The date is htmldate's publication date (the original, not the last update), a day:
  ``published_at`` is midnight UTC and ``published_time_known`` false. When the page
  states the publication time with a UTC offset (``article:published_time``,
  ``datePublished`` in microdata or JSON-LD) on that same day, that exact time is used.
  htmldate's own time output is not used: it drops or rewrites offsets.
- The dek is the page's description, unless it only repeats the start of the body.
- The source is the site name, else the URL's host without ``www.``.
- Topics are the page's categories, then its tags (comma-separated lists split), with
  the text parser's rules (de-duplicated case-insensitively, at most 100 characters,
  something to slug) and at most six words each; at most
  ``IMPORT_MAX_TOPICS_PER_PAGE`` are kept:
  keyword lists of 30 SEO terms would flood the topic vocabulary.
- ``normalised_text`` is the extracted article as text (fields, then body) and
  ``content_hash`` its SHA-256, so the same article saved again with other ads, scripts
  or tracking markup hashes alike. The page's HTML itself is the raw text the service
  keeps.
"""

import datetime as dt
import hashlib
import json
import re
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from config.limits import (
    BRIEF_AUTHOR_MAX_LENGTH,
    BRIEF_TITLE_MAX_LENGTH,
    IMPORT_MAX_PAGE_BYTES,
    IMPORT_MAX_TOPICS_PER_PAGE,
    SOURCE_NAME_MAX_LENGTH,
)

from ..text import normalise_body
from .errors import BriefParseError
from .normalise import normalise_lines
from .parser import ParsedBrief, quoted, topic_name_problem

IMPORT_MAX_PAGE_LABEL = f"{IMPORT_MAX_PAGE_BYTES // (1024 * 1024)} MB"
ISO_DATE_LENGTH = len("2025-01-31")
MAX_TOPIC_WORDS = 6  # longer "tags" are headlines or SEO phrases, not topics
# Below this share of the recall run's words, the precision run lost the article.
_PRECISION_MIN_SHARE = 1 / 3

_WORD = re.compile(r"\w+")
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "row", "cell", "div", "code"}
_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    '//time[@pubdate]/@datetime',
)


def decode_html_bytes(data, *, charset=None):
    """Decode a page's bytes to text for ``parse_html``; raise BriefParseError if too large.

    ``charset`` is the one the server declared (``Content-Type``), used when Python knows
    it; otherwise trafilatura's decoding is used (UTF-8 when valid, else a detected
    encoding, undecodable bytes replaced).
    """
    if len(data) > IMPORT_MAX_PAGE_BYTES:
        raise BriefParseError(f"page is larger than {IMPORT_MAX_PAGE_LABEL}")
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    from trafilatura.utils import decode_file

    return decode_file(data, max_size=IMPORT_MAX_PAGE_BYTES)


def parse_html(html, *, url=None):
    """Read one saved or fetched page into a ParsedBrief, or raise BriefParseError.

    ``html`` is the page as text (str, at most ``IMPORT_MAX_PAGE_BYTES`` characters);
    ``url``, when known, is where it came from: it helps find the date and gives the
    source name when the page names no site. Returns a ParsedBrief whose ``published_at`` is
    an aware datetime or None (no date found; see ``warnings``). Raises
    BriefParseError with a one-line reason when the page holds no article.
    Extraction: trafilatura with htmldate (see the module docstring).
    """
    if not isinstance(html, str):
        raise BriefParseError("expected HTML text, got " + type(html).__name__)
    if len(html) > IMPORT_MAX_PAGE_BYTES:
        raise BriefParseError(f"page is larger than {IMPORT_MAX_PAGE_LABEL}")
    if not html.strip():
        raise BriefParseError("page is empty")
    return _Page(html, url).read()


class _Page:
    """One page's extraction; the steps share the trafilatura document and the warnings."""

    def __init__(self, html, url):
        self.html = html
        self.url = url
        self.warnings = []

    def read(self):
        document = _extract(self.html, self.url)
        title = _clip(_clean(document.title or ""), BRIEF_TITLE_MAX_LENGTH, "title", self.warnings)
        if not title:
            raise BriefParseError("no title found in the page (no <title>, og:title or <h1>)")
        paragraphs = _paragraphs(document.body)
        if paragraphs and paragraphs[0].casefold() == title.casefold():
            paragraphs = paragraphs[1:]
        if not paragraphs:
            raise BriefParseError("no article text found in the page")
        dek = self._dek(document, paragraphs)
        if dek and _squash(paragraphs[0]) == _squash(dek) and len(paragraphs) > 1:
            paragraphs = paragraphs[1:]  # the page's standfirst, printed above the text
        body = normalise_body("\n\n".join(paragraphs))
        author = _clip(_clean((document.author or "").replace("; ", ", ")), BRIEF_AUTHOR_MAX_LENGTH,
                       "author", self.warnings)
        source = _clip(self._source(document), SOURCE_NAME_MAX_LENGTH, "source name", self.warnings)
        published_at, time_known = self._published(document)
        topics = self._topics(document)
        for value, missing in ((dek, "no dek (standfirst) found"), (author, "no author found"),
                               (source, "no source found")):
            if not value:
                self.warnings.append(missing)
        canonical = _canonical_text(title, dek, author, source, published_at, topics, body)
        return ParsedBrief(
            title=title,
            dek=dek,
            author=author,
            source_name=source,
            published_at=published_at,
            published_time_known=time_known,
            image_caption="",
            body=body,
            topics=topics,
            warnings=self.warnings,
            normalised_text=canonical,
            content_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        )

    def _dek(self, document, paragraphs):
        """The description, unless the body's opening already says it; without one, the
        element the page marks as its standfirst (``class="dek"``, ``standfirst``, ...)."""
        description = _clean(document.description or "")
        if not description:
            return _marked_standfirst(self.html)
        opening = _squash(" ".join(paragraphs[:2]))
        stem = _squash(description.rstrip("….").removesuffix("..."))
        return "" if stem and stem in opening else description

    def _source(self, document):
        site = _clean(document.sitename or "")
        if site:
            return site
        host = urlsplit(self.url).hostname if self.url else document.hostname
        return (host or "").removeprefix("www.")

    def _published(self, document):
        """(aware datetime or None, whether the time of day is known)."""
        day = _iso_day(document.date)
        stated = _stated_publication_time(self.html)
        if day is None and stated is None:
            self.warnings.append(
                "no publication date found in the page; it can only be imported as a draft"
            )
            return None, False
        if stated is not None and (day is None or day in _days_of(stated)):
            return stated, True
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc), False

    def _topics(self, document):
        candidates = []
        for value in (document.categories or []) + (document.tags or []):
            candidates.extend(value.split(","))
        names, seen = [], set()
        for raw in candidates:
            name = _clean(raw)
            if not name or name.casefold() in seen:
                continue
            problem = topic_name_problem(name, max_words=MAX_TOPIC_WORDS)
            if problem:
                self.warnings.append(f"topic {quoted(name)} skipped: {problem}")
                continue
            seen.add(name.casefold())
            names.append(name)
        if not names:
            self.warnings.append("no categories or tags; topics will be suggested from the "
                                 "vocabulary")
        elif len(names) > IMPORT_MAX_TOPICS_PER_PAGE:
            self.warnings.append(
                f"{len(names) - IMPORT_MAX_TOPICS_PER_PAGE} of the page's {len(names)} "
                "categories and tags "
                f"dropped (at most {IMPORT_MAX_TOPICS_PER_PAGE} topics are kept)"
            )
            names = names[:IMPORT_MAX_TOPICS_PER_PAGE]
        return names


def _extract(html, url):
    """trafilatura's Document for the page: precision first, recall when that lost the text."""
    from trafilatura import bare_extraction  # a heavy import, paid by HTML imports only

    def run(**mode):
        try:
            return bare_extraction(
                html, url=url, with_metadata=True, include_comments=False,
                include_formatting=True, include_tables=True, **mode,
            )
        except (ValueError, TypeError) as error:
            raise BriefParseError(f"the page could not be read as HTML ({error})") from None

    precise = run(favor_precision=True)
    if precise is None:
        # Recall mode would still return something: the menus and footers of the page.
        raise BriefParseError("no article found in the page")
    recalled = run(favor_recall=True)
    if recalled is not None and (
        _word_count(precise) < _PRECISION_MIN_SHARE * _word_count(recalled)
    ):
        return recalled
    return precise


def _word_count(document):
    return len(_WORD.findall(document.text or ""))


def _paragraphs(body):
    """The body tree of trafilatura's XML as a list of one-line paragraphs."""
    out = []
    if body is not None:
        _collect(body, out)
    return [p for p in out if any(char.isalnum() for char in p)]


def _collect(element, out):
    tag = element.tag
    if tag == "table":
        for row in element.iter("row"):
            cells = [_clean(_inline(cell)) for cell in row.iter("cell")]
            out.append(" | ".join(cell for cell in cells if cell))
        return
    if tag == "list":
        for item in element.iterchildren("item"):
            lines = _lines(_inline(item, skip_blocks=True))
            out.extend("- " + line for line in lines)
            for child in item:
                if child.tag in _BLOCK_TAGS:
                    _collect(child, out)
        return
    if any(child.tag in _BLOCK_TAGS for child in element):
        out.extend(_lines(element.text or ""))
        for child in element:
            if child.tag in _BLOCK_TAGS:
                _collect(child, out)
            else:
                out.extend(_lines(_inline(child)))
            out.extend(_lines(child.tail or ""))
        return
    out.extend(_lines(_inline(element)))


def _inline(element, *, skip_blocks=False):
    """An element's text with ``<lb/>`` as a line break (trafilatura's line break)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif not (skip_blocks and child.tag in _BLOCK_TAGS):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text):
    return [line for line in normalise_lines(text) if line]


def _clean(text):
    """One line: odd spaces, invisibles and controls gone, runs of spaces shrunk."""
    return " ".join(_lines(text))


def _clip(text, limit, what, warnings):
    if len(text) <= limit:
        return text
    warnings.append(f"{what} cut to {limit} characters")
    return text[: limit - 1].rstrip() + "…"


def _squash(text):
    return " ".join(_WORD.findall(text.casefold()))


def _iso_day(value):
    try:
        return dt.date.fromisoformat((value or "")[:ISO_DATE_LENGTH])
    except ValueError:
        return None


def _stated_publication_time(html):
    """The publication time the page states with a UTC offset, or None."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return None
    candidates = [str(value) for xpath in _PUBLISHED_XPATHS for value in tree.xpath(xpath)]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            candidates.extend(_json_ld_published(json.loads(script)))
        except ValueError:
            continue
    for candidate in candidates:
        stamp = _aware_datetime(candidate.strip())
        if stamp is not None:
            return stamp
    return None


def _json_ld_published(data):
    """Every ``datePublished`` string in a JSON-LD value, depth first."""
    if isinstance(data, dict):
        value = data.get("datePublished")
        if isinstance(value, str):
            yield value
        for child in data.values():
            if isinstance(child, (dict, list)):
                yield from _json_ld_published(child)
    elif isinstance(data, list):
        for child in data:
            yield from _json_ld_published(child)


def _aware_datetime(value):
    """An ISO 8601 date-time with a UTC offset (or ``Z``) as an aware datetime, else None."""
    if len(value) < 16 or "T" not in value[: ISO_DATE_LENGTH + 1].upper():
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.utcoffset() is not None else None


def _days_of(stamp):
    """The calendar days a stated time falls on: where it was written, and in UTC."""
    return {stamp.date(), stamp.astimezone(dt.timezone.utc).date()}


# Class names pages give their standfirst ("dek" in American newsrooms).
_STANDFIRST_CLASSES = re.compile(
    r"(?:^|[\s_-])(dek|deck|standfirst|subtitle|subheadline|sub-headline|summary|lede|intro)(?:$|[\s_-])",
    re.IGNORECASE,
)


def _marked_standfirst(html):
    """The text of the first paragraph-like element whose class names it the standfirst."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for element in tree.iter("p", "div", "h2"):
        if _STANDFIRST_CLASSES.search(element.get("class") or ""):
            text = _clean(element.text_content())
            if 20 <= len(text) <= 500:
                return text
    return ""


def _canonical_text(title, dek, author, source, published_at, topics, body):
    when = published_at.isoformat() if published_at else ""
    header = [title, dek, author, source, when, ", ".join(topics)]
    return "\n".join(header) + "\n\n" + body


