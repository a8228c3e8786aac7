"""Parse one news article copied from a site as plain text into clean brief fields.

The layout family (see ``../shared/seeds``) is, top to bottom:

1. the title on the first non-empty line;
2. the dek (standfirst): the next paragraph, when it comes before any date, byline
   or image line (a short Title-Case line there is taken for a name, not a dek);
3. a header block in any order: a date line (``July 28, 2025``, ``Jul 9, 2025``,
   ``Sept. 3, 2025``, ``2025-07-28``, glued to the site name, or ``Updated ... |
   10:10 PM GMT-04``), a byline (``Author·Source``, ``By Author``, or an author line
   and a source line), a photo caption printed twice, ``Cover Image``/``Profile
   Image``/``Share this article``;
4. the body: paragraphs separated by blank lines, Title-Case subheadings kept as
   paragraphs of their own;
5. end matter: an empty ``Sources:``, newsletter and advertisement blocks, a
   ``Related Topics`` list (one topic a line) and the title repeated as the last line.

Any site's layout is read as these kinds of line, never by a rule for one site: dates
anywhere in the header (``dates.py``: labels, separators, brackets, glued names, time
first, relative dates), the date printed above the headline, bylines (``By A and B``,
``Posted by A``, ``A | Outlet``, ``A, Outlet``, ``A, Beat Reporter, Outlet``, ``A Economics
correspondent``, ``Staff Reporter, Outlet``), and site furniture, photo credits and widgets
(``lines.py``), dropped wherever they stand. Tag lists (``Tags:``, ``Filed under:``,
``READ MORE ON:``) become topics; lists of other stories after the body are dropped.

Decisions, so that unseen articles behave predictably:

- A brief needs a title and a body; without one of them the file is refused with a
  one-line BriefParseError. Without a usable date it is refused only while
  ``require_date`` is true; otherwise ``published_at`` is None, with a warning and the
  review reason ``"undated"``. Everything else missing is only a warning.
- When the text gives a date but no time, ``published_at`` is midnight UTC of that
  date and ``published_time_known`` is false. A time with a UTC offset or a known zone
  abbreviation is applied exactly; a time with no zone is read as UTC, with a warning.
- A "Published" date wins over an unlabelled one, and both over an "Updated" one.
- Without a date in the header, a date line anywhere else in the text is used; with one,
  dates further down (a related-stories list) are never looked at.
- A date more than a day after the reference time is kept and flagged "future-date".
- Mojibake is repaired (ftfy) with a warning; invisible format characters (Unicode Cf,
  soft hyphens) are removed from every field by ``briefs.text.strip_unfit_characters``.
- The caption printed twice is kept once in ``image_caption``, never in the body.
- Topics keep their exact spelling, are de-duplicated case-insensitively (the first
  spelling wins) and must be 100 characters or fewer with something to slug.
- ``content_hash`` is the SHA-256 of the normalised text, so a re-saved file with CRLF,
  a BOM, non-breaking or trailing spaces hashes like the original.
"""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from config.limits import BRIEF_TITLE_MAX_LENGTH, IMPORT_MAX_FILE_BYTES, TOPIC_NAME_MAX_LENGTH

from ..text import is_subheading
from .dates import parse_date_line
from .errors import BriefParseError
from .lines import (
    BYLINE,
    SENTENCE_END,
    ends_in_job_title,
    is_bullet,
    is_furniture,
    is_job_title,
    is_name_like,
    is_photo_credit,
    is_read_time,
    is_related_heading,
    is_share_row,
    is_widget,
    looks_like_person,
    name_before_job_title,
)
from .normalise import (
    IMPORT_MAX_FILE_LABEL,
    normalise_lines,
    normalised_text,
    repair_mojibake,
)

MAX_HEADER_LINES = 30  # non-blank lines after the title searched for the header block

_BOILERPLATE_LINE = re.compile(
    r"^(?:cover image|profile image|featured image|image|photo|share this (?:article|story)"
    r"|share|copy link|listen to this article|all newsletters|skip advertisement"
    r"|advertisement\.?(?: remove ads\.?)?|remove ads\.?"
    r"|story continues below(?: this)? advertisement)$",
    re.IGNORECASE,
)
_BOILERPLATE_START = re.compile(
    r"^(?:for updates and corrections\b|read about our editorial guidelines\b)", re.IGNORECASE
)
_NEWSLETTER_START = re.compile(r"^(?:subscribe to\b|sign up for\b)", re.IGNORECASE)
_NEWSLETTER_TAGLINE_MAX = 120
_TOPICS_HEADER = re.compile(
    r"^(?:related\s+topics|topics|tags|tagged(?:\s+with)?|filed\s+under|read\s+more\s+on"
    r"|(?:explore\s+)?more\s+on(?:\s+th(?:is|ese)\s+topics?)?|keywords|categories"
    r"|topics\s+covered)(?:\s*:\s*(?P<inline>.*)|\s*)$",
    re.IGNORECASE,
)
_TOPIC_SEPARATORS = re.compile(r"\s*[,;|·•]\s*")
_SOURCES_HEADER = re.compile(r"^sources?\s*:?$", re.IGNORECASE)
_CAPTION = re.compile(
    r"(?:\((?:photo|image|picture|photograph)s?(?: credit)?s?:[^)]*\)$"
    r"|^(?:photo|image|picture|photograph)(?: credit)?s?:\s)",
    re.IGNORECASE,
)
_BY_LINE = BYLINE
_BYLINE_SEPARATORS = re.compile(r"\s*[·•|]\s*")
# Reasons a brief should be looked at before it is published (``ParsedBrief.review_reasons``).
REVIEW_UNDATED = "undated"
REVIEW_FUTURE_DATE = "future-date"
FUTURE_TOLERANCE = dt.timedelta(days=1)
_TOPIC_BULLETS = "-–—•*·#> \t"


@dataclass
class ParsedBrief:
    """Everything a brief needs, read from one text; plain values only.

    ``published_at`` is an aware datetime in UTC, or None when the text gives no usable
    date (only with ``parse_brief(..., require_date=False)``). ``review_reasons`` lists,
    as short codes, why a curator should look at the brief before it is published:
    ``"undated"`` (no usable date) and ``"future-date"`` (more than a day after the
    reference time); ``needs_review`` is true when there is any. ``warnings`` say the
    same and more in words, for people.
    """

    title: str
    dek: str
    author: str
    source_name: str
    published_at: dt.datetime | None
    published_time_known: bool
    image_caption: str
    body: str
    topics: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    normalised_text: str = ""
    content_hash: str = ""
    review_reasons: list = field(default_factory=list)

    @property
    def paragraphs(self):
        return self.body.split("\n\n")

    @property
    def needs_review(self):
        """Whether the brief should be stored as a draft for a curator to check first."""
        return bool(self.review_reasons)


def parse_brief(text, *, reference=None, require_date=True):
    """Read one article's text into a ParsedBrief, or raise BriefParseError saying why not.

    ``text`` is the article as copied (str, at most 2 MB). ``reference`` is the moment the
    text was saved, an aware datetime (naive is read as UTC), e.g. the file's modification
    time: relative dates ("2 hours ago") are counted back from it, and a date more than a
    day after it is flagged ``"future-date"``; without it relative dates give no date and
    the future check uses the current time.

    A text without a title or a body is refused. A text without a usable date is refused
    too while ``require_date`` is true (the default, what the importer relied on so far);
    with ``require_date=False`` it comes back with ``published_at=None``, a warning and
    the review reason ``"undated"``, so the caller can store it as a draft.
    """
    if not isinstance(text, str):
        raise BriefParseError("expected text, got " + type(text).__name__)
    if len(text) > IMPORT_MAX_FILE_BYTES:
        raise BriefParseError(f"text is larger than {IMPORT_MAX_FILE_LABEL}")
    if reference is not None:
        if not isinstance(reference, dt.datetime):
            raise TypeError("reference must be a datetime, got " + type(reference).__name__)
        reference = reference if reference.tzinfo else reference.replace(tzinfo=dt.timezone.utc)
    # Before normalising: mojibake hides bytes in C1 controls and soft hyphens ("Ã\xad"
    # is "í"), which normalising would strip.
    text, repaired = repair_mojibake(text)
    warnings = []
    if repaired:
        warnings.append(
            "mojibake repaired: the text had been decoded with the wrong encoding "
            "(e.g. 'CafÃ©' for 'Café'); check accents and quotes"
        )
    lines = normalise_lines(text)
    canonical = normalised_text(lines)
    if not canonical:
        raise BriefParseError("file is empty (no text besides whitespace)")
    return _Reader(lines, canonical, warnings, reference, require_date).read()


class _Reader:
    """One pass over the normalised lines; the steps share the cursor and the findings."""

    def __init__(self, lines, canonical, warnings, reference, require_date):
        self.lines = lines
        self.canonical = canonical
        self.warnings = warnings
        self.reference = reference
        self.require_date = require_date
        self.review_reasons = []
        self.dates = []  # (line index, DateLine)
        self.caption = ""
        self.author = ""
        self.source = ""
        self.site = ""

    def read(self):
        title_index = self._title_index()
        self.title = self.lines[title_index]
        end = self._strip_repeated_title(title_index, len(self.lines))
        topics_at, topics = self._topics(title_index + 1, end)
        if topics_at is not None:
            end = topics_at
        else:
            self.warnings.append("no topic list; topics will be suggested from the vocabulary")
        dek, body_start = self._header(title_index + 1, end)
        if not any(self.lines[body_start:end]):
            raise _no_body()
        published = self._published(body_start, end)
        paragraphs = self._body(body_start, end)
        if not paragraphs:
            raise _no_body()
        if not dek:
            self.warnings.append("no dek (standfirst) found")
        if not self.author:
            self.warnings.append("no author found")
        if not self.source:
            self.warnings.append("no source found")
        return ParsedBrief(
            title=self.title,
            dek=dek,
            author=self.author,
            source_name=self.source,
            published_at=published.published_at if published else None,
            published_time_known=published.time_known if published else False,
            image_caption=self.caption,
            body="\n\n".join(paragraphs),
            topics=topics,
            warnings=self.warnings,
            normalised_text=self.canonical,
            content_hash=hashlib.sha256(self.canonical.encode("utf-8")).hexdigest(),
            review_reasons=self.review_reasons,
        )

    def _date_line(self, line):
        return parse_date_line(line, reference=self.reference)

    # -- title and end matter -------------------------------------------------------------

    def _title_index(self):
        """The headline's line; date lines printed above it are kept as header dates."""
        leading = []
        for index, line in enumerate(self.lines):
            if not line or _is_boilerplate(line) or is_furniture(line) or is_widget(line):
                continue
            found = self._date_line(line)
            if found and not self.dates:
                leading.append((index, found))
                if len(leading) <= 2:
                    continue
            if (
                not any(char.isalpha() for char in line)
                or found
                or (leading and not self._headline_after_date(index, line))
            ):
                shown = self.lines[leading[0][0]] if leading else line
                raise BriefParseError(
                    "no recognisable title: the first line should be the headline, "
                    f"found {quoted(shown)}"
                )
            if len(line) > BRIEF_TITLE_MAX_LENGTH:
                raise BriefParseError(
                    f"no recognisable title: the first line is {len(line):,} characters long "
                    f"(a title has at most {BRIEF_TITLE_MAX_LENGTH})"
                )
            for date_index, found in leading:
                self._add_date(date_index, found)
            return index
        raise BriefParseError("no recognisable title: the text holds only site boilerplate")

    def _headline_after_date(self, index, line):
        """Under a date, a headline reads as one (no full stop) and text follows it."""
        return not line.endswith(".") and any(self.lines[index + 1:])

    def _same_as_title(self, line):
        return line.casefold() == self.title.casefold()

    def _strip_repeated_title(self, title_index, end):
        """Drop trailing blank/boilerplate lines and the title printed again at the end."""
        index = end - 1
        while index > title_index and (
            not self.lines[index] or _is_boilerplate(self.lines[index])
        ):
            index -= 1
        if index > title_index and self._same_as_title(self.lines[index]):
            return index
        return end

    def _topics(self, start, end):
        """Find the last topics header; return (its index, the topic names) or (None, []).

        The list runs from the header to the first blank line after an item; what follows
        it is the page's end matter (other stories, widgets), never body.
        """
        for index in range(end - 1, start - 1, -1):
            match = _TOPICS_HEADER.match(self.lines[index])
            if match:
                break
        else:
            return None, []
        candidates = _TOPIC_SEPARATORS.split(match["inline"]) if match["inline"] else []
        for line in self.lines[index + 1:end]:
            if not line:
                if candidates:
                    break
                continue
            if is_related_heading(line) or is_widget(line):
                break
            candidates.extend(_TOPIC_SEPARATORS.split(line))
        names, seen = [], set()
        for raw in candidates:
            name = raw.strip().lstrip(_TOPIC_BULLETS).rstrip(",;").strip()
            if not name or _is_boilerplate(name) or self._same_as_title(name):
                continue
            problem = topic_name_problem(name)
            if problem:
                self.warnings.append(f"topic {quoted(name)} skipped: {problem}")
                continue
            if name.casefold() in seen:
                self.warnings.append(f"topic {quoted(name)} listed twice; kept once")
                continue
            seen.add(name.casefold())
            names.append(name)
        if not names:
            self.warnings.append("the topic list is empty")
        return index, names

    # -- header: dek, dates, byline, caption ------------------------------------------------

    def _header(self, start, end):
        """Read the dek and header block; return (dek, index where the body starts)."""
        dek_lines, dek_closed, meta_seen = [], False, False
        pending_names = []  # name-like lines before any meta line: names or body?
        dek_start = start
        seen = 0
        index = start
        while index < end:
            line = self.lines[index]
            if not line:
                dek_closed = dek_closed or bool(dek_lines)
                index += 1
                continue
            seen += 1
            if seen > MAX_HEADER_LINES:
                break
            if self._same_as_title(line) or (
                _is_boilerplate(line) or is_furniture(line) or is_widget(line)
            ):
                meta_seen = meta_seen or not self._same_as_title(line)
                index += 1
                continue
            if self._take_caption(index, end) or self._take_meta(index, line):
                meta_seen, dek_closed = True, dek_closed or bool(dek_lines)
                index += 1
                continue
            if is_name_like(line) and self._wants_name(line, pending_names):
                pending_names.append((index, line))
                index += 1
                continue
            if not meta_seen and not dek_closed and not pending_names:
                dek_start = dek_start if dek_lines else index
                dek_lines.append(line)
                index += 1
                continue
            break
        if not meta_seen and pending_names:
            # No date or byline followed: those short lines open the body.
            index = pending_names[0][0]
            pending_names = []
        if not meta_seen and dek_lines and not any(self.lines[index:end]):
            # A title and one paragraph, no header at all: that paragraph is the body.
            index = dek_start
            dek_lines = []
        self._assign_names([line for _, line in pending_names])
        return " ".join(dek_lines), index

    def _take_caption(self, index, end):
        """A photo caption: printed twice in a row, or marked with a credit."""
        line = self.lines[index]
        if self.caption and line.casefold() == self.caption.casefold():
            return True
        following = next((other for other in self.lines[index + 1:end] if other), "")
        if following.casefold() == line.casefold() or _CAPTION.search(line):
            if self.caption:
                self.warnings.append(f"second image caption dropped: {quoted(line)}")
            else:
                self.caption = line
            return True
        if is_photo_credit(line):
            if not self.caption and len(line.split()) > 6:
                self.caption = line
            return True
        return False

    def _take_meta(self, index, line):
        """Date lines and bylines (``Author·Source``, ``By A and B, Outlet``)."""
        found = self._date_line(line)
        if found:
            self._add_date(index, found)
            return True
        if is_read_time(line):
            return True
        names = self._byline(index, line)
        if names is None:
            return False
        self._assign_names(names)
        return True

    def _byline(self, index, line):
        """The names of a byline line, or None when ``line`` is not one."""
        parts = [part for part in _BYLINE_SEPARATORS.split(line) if part]
        if len(parts) >= 2:
            names = []
            for part in parts:
                found = self._date_line(part)
                if found:
                    self._add_date(index, found)
                elif is_read_time(part) or is_furniture(part):
                    continue
                elif is_name_like(part) or _BY_LINE.match(part):
                    names.append(_strip_by(part))
                else:
                    return None
            return names
        match = _BY_LINE.match(line)
        if match:
            return _comma_byline(match["name"], labelled=True)
        if line.count(",") == 1:
            outlet = _outlet_after_job_title(line)
            if outlet:
                self.source = self.source or outlet
                return []
            return _comma_byline(line, labelled=False)
        person = name_before_job_title(line)
        return [person] if person else None

    def _add_date(self, index, found):
        self.dates.append((index, found))
        names = list(found.names)
        if found.site and looks_like_person(found.site):
            names.append(found.site)
        elif found.site and not self.site:
            self.site = found.site
        if names:
            self._assign_names([_strip_by(name) for name in names])

    def _wants_name(self, line, pending):
        """Whether a short Title-Case line in the header is still an author or source."""
        if _squash(line) == _squash(self.site):
            return True
        wanted = (not self.author) + (not self.source and not self.site)
        return len(pending) < wanted

    def _assign_names(self, names):
        names = [name for name in names if name and not is_furniture(name)]
        site_key = _squash(self.site)
        for name in names:
            if site_key and _squash(name) == site_key and not self.source:
                self.source = name
        for name in names:
            if name == self.source:
                continue
            if not self.author:
                self.author = name
            elif not self.source:
                self.source = name
        if not self.source and self.site:
            self.source = self.site

    def _published(self, body_start, end):
        """Pick the publication date; look beyond the header only when it has none.

        A "published" date wins over an unlabelled one, which wins over an "updated" one.
        """
        if not self.dates:
            for index in range(body_start, len(self.lines)):
                found = self._date_line(self.lines[index])
                if found and any(date.published_at for date in found.dates):
                    self._add_date(index, found)
                    break
        found = [date for _, line in self.dates for date in line.dates]
        usable = [date for date in found if date.published_at is not None]
        if not self.source and self.site:
            self.source = self.site
        if not usable:
            return self._undated([date.warning for date in found if date.warning])
        rank = {"published": 0, "": 1, "updated": 2}
        chosen = min(usable, key=lambda date: rank[date.label])
        if chosen.warning:
            self.warnings.append(chosen.warning)
        limit = (self.reference or dt.datetime.now(dt.timezone.utc)) + FUTURE_TOLERANCE
        if chosen.published_at > limit:
            against = "the file's date" if self.reference else "now"
            self.warnings.append(
                f"publication date {chosen.published_at:%Y-%m-%d %H:%M} UTC is more than a day "
                f"after {against}; flagged for review"
            )
            self.review_reasons.append(REVIEW_FUTURE_DATE)
        return chosen

    def _undated(self, reasons):
        """No usable date: refuse, or warn and flag the brief for review."""
        why = "; ".join(reasons) or (
            "expected a line like 'July 28, 2025' or 'Updated Jul 27, 2025 | 10:10 PM GMT-04'"
        )
        if self.require_date:
            raise BriefParseError(f"no publication date found ({why})")
        self.warnings.append(
            f"no publication date found ({why}); published_at left empty for a curator to set"
        )
        self.review_reasons.append(REVIEW_UNDATED)
        return None

    # -- body ----------------------------------------------------------------------------

    def _body(self, start, end):
        """Paragraphs between the header and the end matter, page furniture removed."""
        date_lines = {index for index, _ in self.dates}
        blocks, current = [], []
        tagline_allowed = False
        related = False  # inside a list of other stories ("More from ...")
        previous = ""
        for index in range(start, end):
            line = self.lines[index]
            if not line:
                if current:
                    blocks.append(current)
                current, tagline_allowed = [], False
                previous = ""
                continue
            if related and not _is_prose(line):
                continue
            related = False
            if index in date_lines or self._is_labelled_date(line):
                continue
            if _NEWSLETTER_START.match(line) and len(line) <= _NEWSLETTER_TAGLINE_MAX:
                tagline_allowed = True
                continue
            if tagline_allowed and len(line) <= _NEWSLETTER_TAGLINE_MAX:
                # The tagline printed under "Subscribe to ..." / "All Newsletters".
                tagline_allowed = line.casefold() == "all newsletters"
                continue
            if is_related_heading(line):
                related = True
                continue
            if _is_boilerplate(line) or is_widget(line) or is_share_row(line):
                continue
            if self.caption and line.casefold() == self.caption.casefold():
                continue
            if is_photo_credit(line) or (not current and _CAPTION.search(line)):
                if not self.caption and len(line.split()) > 6:
                    self.caption = line
                continue
            if line == previous:
                # A photo caption printed twice inside the body.
                if current and current[-1] == line:
                    current.pop()
                if not self.caption:
                    self.caption = line
                continue
            previous = line
            current.append(line)
        if current:
            blocks.append(current)
        paragraphs = [paragraph for block in blocks for paragraph in _block_paragraphs(block)]
        while paragraphs and (
            _SOURCES_HEADER.match(paragraphs[-1]) or self._same_as_title(paragraphs[-1])
        ):
            paragraphs.pop()
        return [p for p in paragraphs if any(char.isalnum() for char in p)]

    def _is_labelled_date(self, line):
        found = self._date_line(line)
        return bool(found and found.label)


def _no_body():
    return BriefParseError("no body text found after the title and header lines")


def _comma_byline(text, *, labelled):
    """ "Jane Doe, Meridian Wire", "A, B and C", "Jane Doe, Senior Reporter" as names.

    A last part naming several people ("John Roe and Ann Poe") makes the whole an author
    list; otherwise the last part is the outlet. Unlabelled (no "By"), the line must be a
    person's name and one more name. None when the text is not a byline.
    """
    parts = [part.strip() for part in re.split(r"\s*,\s*", text) if part.strip()]
    parts = [
        part for number, part in enumerate(parts)
        if not is_job_title(part) and not (number and ends_in_job_title(part))
    ]
    if not parts or not all(is_name_like(part) for part in parts):
        return None
    if not labelled and (len(parts) != 2 or not looks_like_person(parts[0])):
        return None
    if len(parts) == 1 or re.search(r"(?:^|\s)(?:and|&)\s", parts[-1]):
        return [", ".join(parts)]
    return [", ".join(parts[:-1]), parts[-1]]


def _outlet_after_job_title(line):
    """The outlet of "Staff Reporter, Valley Echo" (a job title, then a name), or ""."""
    title, _, outlet = (part.strip() for part in line.partition(","))
    return outlet if is_job_title(title) and is_name_like(outlet) else ""


def _block_paragraphs(lines):
    """Lines of one block become paragraphs; hard-wrapped prose lines are joined again."""
    paragraphs = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _continues(previous, line):
    """A line wrapped mid-sentence: the previous one is long and does not end a sentence.

    List items never continue one another: each bullet stays a paragraph of its own.
    """
    return (
        len(previous) >= 40
        and not previous.endswith(SENTENCE_END)
        and not is_subheading(previous)
        and not is_subheading(line)
        and not is_bullet(line)
        and not is_bullet(previous)
    )


def _is_prose(line):
    """A sentence of a story, not a listed headline: eight words or more, a full stop."""
    return len(line.split()) >= 8 and line.endswith(SENTENCE_END)


def _is_boilerplate(line):
    return bool(_BOILERPLATE_LINE.match(line) or _BOILERPLATE_START.match(line))


def _strip_by(name):
    match = _BY_LINE.match(name)
    return match["name"].strip() if match else name


def _squash(name):
    return "".join(name.split()).casefold()


def topic_name_problem(name, *, max_words=12):
    """Why ``name`` cannot be a topic ("" when it can): too long, no letters or digits, or a
    sentence (over ``max_words`` words, or over six ending like a sentence)."""
    if len(name) > TOPIC_NAME_MAX_LENGTH:
        return f"longer than {TOPIC_NAME_MAX_LENGTH} characters"
    if not slugify(name, allow_unicode=True):
        return "no letters or digits"
    words = len(name.split())
    if words > max_words or (name.endswith((".", "!", "?")) and words > 6):
        return "reads like a sentence, not a topic"
    return ""


def quoted(text, limit=60):
    """``text`` in single quotes for a warning, cut to ``limit`` characters with "…"."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"'{text}'"
