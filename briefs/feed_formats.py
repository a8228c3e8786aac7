"""The three feed formats (RSS 2.0, Atom, JSON Feed 1.1) and the text clean-up they share.

Django's generators cover RSS and Atom but write only a summary; readers want the
full text, so the subclasses here add ``content:encoded`` (RSS) and ``content``
(Atom). JSON Feed has no Django generator, so one is written on the same base,
which lets every feed class produce all three formats from one set of methods.
"""

import datetime
import json

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from core.text import strip_unfit_characters

from .text import body_blocks


def clean_text(value):
    """``value`` as a string without the characters feeds cannot carry (None stays None)."""
    if value is None:
        return None
    return strip_unfit_characters(str(value))


# Channel-level text (a feed's title and description, OPML outline names) is read as HTML by
# many readers, whatever the format says: markup a topic name or a search query carries would
# run there. Look-alike angle brackets read the same and are markup nowhere.
_MARKUP_BRACKETS = str.maketrans({"<": "\u2039", ">": "\u203a"})


def plain_text(value):
    """``value`` as text no reader can take for markup: cleaned, angle brackets replaced."""
    value = clean_text(value)
    return None if value is None else value.translate(_MARKUP_BRACKETS)


def body_html(body):
    """A plain-text body as escaped HTML: one ``<p>`` per paragraph, line breaks kept."""
    parts = []
    for block in body_blocks(clean_text(body)):
        text = "<br>\n".join(escape(line) for line in block.text.split("\n"))
        tag = "h3" if block.kind == "heading" else "p"
        parts.append(f"<{tag}>{text}</{tag}>")
    return "\n".join(parts)


# What an empty feed gives as its build date: Django's default is "now", which would make
# the bytes, and so the ETag (briefs/feeds.py), differ at every rendering of the same feed.
EMPTY_FEED_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


class _SameBytesForSameItems:
    """Feed-level dates come from the items alone, so the same items render the same bytes;
    an item is never updated before it was published (RFC 4287 4.2.15: ``updated`` is
    the last change, and publishing is one)."""

    def add_item(self, *args, **kwargs):
        published, updated = kwargs.get("pubdate"), kwargs.get("updateddate")
        if published and updated and updated < published:
            kwargs["updateddate"] = published
        super().add_item(*args, **kwargs)

    def latest_post_date(self):
        if not any(item.get("updateddate") or item.get("pubdate") for item in self.items):
            return EMPTY_FEED_DATE
        return super().latest_post_date()


class RssFeed(_SameBytesForSameItems, Rss201rev2Feed):
    """RSS 2.0 with the full text in ``content:encoded``."""

    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(_SameBytesForSameItems, Atom1Feed):
    """Atom 1.0 with the full text in ``content``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeed(_SameBytesForSameItems, SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), from the same item data."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            **({"authors": [self._author(self.feed)]} if self.feed.get("author_name") else {}),
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps(feed, ensure_ascii=False))

    @staticmethod
    def _author(feed):
        author = {"name": feed["author_name"]}
        if feed.get("author_link"):
            author["url"] = feed["author_link"]
        return author

    @staticmethod
    def _item(item):
        entry = {"id": item["unique_id"], "url": item["link"], "title": item["title"]}
        if item.get("summary_text"):
            entry["summary"] = item["summary_text"]
        if item.get("content_html"):
            entry["content_html"] = item["content_html"]
        if item["pubdate"]:
            entry["date_published"] = item["pubdate"].isoformat()
        if item["updateddate"]:
            entry["date_modified"] = item["updateddate"].isoformat()
        if item["author_name"]:
            entry["authors"] = [{"name": item["author_name"]}]
        if item["categories"]:
            entry["tags"] = list(item["categories"])
        return entry


FORMATS = {"rss": RssFeed, "atom": AtomFeed, "json": JsonFeed}
