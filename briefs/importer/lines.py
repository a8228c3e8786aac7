"""What kind of line a copied article's line is: a name, site furniture, a photo credit.

Sites differ in wording, not in kinds: every site prints a share row, a section label,
"More from <site>", a credit after the caption. Each kind is one definition here, worded
generically (a vocabulary and a shape), so the parser never needs a rule for one site.
"""

import re

NAME_MAX = 60
# Words a name may hold in lower case: "Ines de la Cruz", "Jane Doe and John Roe".
NAME_PARTICLES = {
    "de", "da", "del", "la", "van", "von", "der", "den", "al", "bin", "ibn", "and", "of",
    "the", "&", "le", "du", "di", "y", "e",
}
# Words that make a short Title-Case line a subheading ("Back To The Table"), not a name.
HEADLINE_WORDS = {
    "to", "in", "on", "for", "at", "with", "from", "over", "after", "into", "is", "are", "as",
    "amid", "vs", "vs.", "what", "why", "how", "will", "can", "new",
}
SENTENCE_END = tuple('.!?:;"”’)]…')

# Lone words of site furniture printed near the headline: section labels, buttons.
_FURNITURE_WORDS = {
    "author", "authors", "comments", "comment", "share", "print", "save", "listen", "follow",
    "bookmark", "gift", "menu", "home", "news", "latest", "live", "opinion", "analysis",
    "business", "markets", "economy", "finance", "money", "world", "politics", "technology",
    "tech", "science", "health", "sport", "sports", "culture", "lifestyle", "entertainment",
    "local", "national", "international", "regional", "climate", "environment", "energy",
    "asia", "europe", "africa", "americas", "india", "us", "uk", "exclusive", "breaking",
    "explainer", "features", "feature", "sponsored", "advertisement", "article", "story",
}
_SHARE_WORDS = {
    "whatsapp", "telegram", "facebook", "twitter", "x", "email", "e-mail", "mail", "linkedin",
    "reddit", "pinterest", "threads", "bluesky", "mastodon", "messenger", "sms", "copy", "link",
    "copied", "print", "share", "tweet", "flipboard", "instagram", "youtube", "tiktok",
}
_JOB_WORDS = {
    "senior", "chief", "deputy", "staff", "associate", "assistant", "managing", "executive",
    "contributing", "special", "political", "business", "markets", "tech", "technology",
    "science", "health", "foreign", "economics", "economy", "energy", "climate", "sports",
    "news", "digital", "data", "investigative", "national", "international", "white", "house",
    "global", "local", "city", "breaking", "trends", "features", "desk", "world", "europe",
    "asia", "africa", "us", "u.s.", "china", "india", "uk", "editor", "editors", "reporter",
    "reporters", "writer", "writers", "correspondent", "correspondents", "columnist",
    "contributor", "analyst", "producer", "journalist", "author", "intern", "fellow",
    "photographer", "anchor", "strategist", "and", "&", "of", "at", "for", "large", "-in-",
    "engineer", "developer", "designer", "manager", "director", "founder", "co-founder",
    "economist", "scientist", "researcher", "professor", "lecturer", "principal", "lead",
    "software", "product", "research", "engineering",
}
_JOB_TITLE_NOUNS = {
    "editor", "editors", "reporter", "reporters", "writer", "writers", "correspondent",
    "correspondents", "columnist", "contributor", "analyst", "producer", "journalist",
    "author", "intern", "fellow", "photographer", "anchor", "strategist", "engineer",
    "developer", "designer", "manager", "director", "founder", "co-founder", "economist",
    "scientist", "researcher", "professor", "lecturer",
}
# Widgets of a page that survive a copy as a line of their own.
_WIDGET_LINE = re.compile(
    r"^(?:content is loading\W*|loading\W*|no recommendations?\W*|also worth reading\W*"
    r"|stay in touch\W*|more from\b.{0,60}|recommended(?: for you| stories| articles)?\W*"
    r"|you (?:may|might) also like\W*|related(?: stories| articles| coverage| news| posts)?:?"
    r"|read (?:more|next|also)\W*|also read\W*|most read\W*|trending(?: now)?\W*"
    r"|latest (?:news|stories)\W*|continue reading\W*|follow us(?: on .{0,40})?"
    r"|sign up for our newsletter\W*|click here to .{0,80}|(?:also|read) (?:read|also|more):\s.+"
    r"|see also:\s.+)$",
    re.IGNORECASE,
)
# Widget headings after which the page lists other stories, not this one.
_RELATED_HEADING = re.compile(
    r"^(?:no recommendations?|also worth reading|more from\b.{0,60}|recommended(?: for you"
    r"| stories| articles)?|you (?:may|might) also like|related(?: stories| articles"
    r"| coverage| news| posts)?|read (?:more|next)|most read|trending(?: now)?"
    r"|latest (?:news|stories)|more stories|more news|top stories|editor'?s picks)\W*$",
    re.IGNORECASE,
)
_READ_TIME = re.compile(r"^\d+\s*min(?:ute)?s?\.?\s+read$", re.IGNORECASE)
_PHOTO_WORDS = r"(?:photos?|photograph|image|picture|pictures|illustration|video|graphic)"
_CREDIT_WORDS = {
    "photo", "photos", "file", "illustration", "pool", "handout", "reuters", "ap", "afp",
    "epa", "getty", "images", "bloomberg", "shutterstock", "alamy", "via", "courtesy", "staff",
    "efe", "xinhua", "dpa", "anadolu", "pti", "ani", "ians", "upi", "sipa", "imago",
}
# "(AP Photo/Jae Hong)", "(Photo: Jane Roe)", "(Photo by Jane Roe/Getty Images)".
_PAREN_CREDIT = re.compile(
    rf"\((?:[^()]*\b{_PHOTO_WORDS}\b\s*(?:/|:|by\b|credit)[^()]*|[^()]*/[^()]*"
    rf"\b(?:getty images|reuters|afp|ap|epa|file photo)\b[^()]*)\)\s*\.?$",
    re.IGNORECASE,
)
# "REUTERS/Jane Roe/File Photo", "Jane Roe/Bloomberg": Capitalised parts joined by slashes.
_SLASH_CREDIT = re.compile(
    r"(?:^|(?<=[\s.]))(?P<credit>[A-Z][\w.&'’ -]{0,40}(?:\s?/\s?[A-Z][\w.&'’ -]{0,40}){1,5})\s*\.?$"
)
_IMAGE_FILE = re.compile(
    r"(?:^screen ?shot\b.*|\S+\.(?:png|jpe?g|gif|webp|avif|svg|heic))$", re.IGNORECASE
)
# A byline's label: "By Jane Doe", "Posted by Jane Doe", "Written by", "Words by".
BYLINE = re.compile(
    r"^(?:(?:posted|written|words|reported|story|text|compiled|edited)\s+)?by\s+(?P<name>.+)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•·▪◦‣●○■□*–—-]\s+|\d{1,2}[.)]\s+)")


def is_name_like(line):
    """A short Title-Case line without sentence punctuation: "ClashReport Editor"."""
    if not line or len(line) > NAME_MAX or line.endswith(SENTENCE_END) or line.endswith(","):
        return False
    words = line.split()
    if not 1 <= len(words) <= 6 or not any(char.isalpha() for char in line):
        return False
    if any(word.lower() in HEADLINE_WORDS for word in words[1:]):
        return False
    return all(
        word[0].isupper() or word[0].isdigit() or word.lower() in NAME_PARTICLES
        for word in words
    )


def looks_like_person(name):
    """Two to four capitalised words, none of them an outlet's: "Jane Doe", "Ana de Souza"."""
    words = name.replace(".", ". ").split()
    if not 2 <= len(words) <= 5 or not is_name_like(name):
        return False
    outlet = re.compile(
        r"^(?:news|times|post|daily|journal|herald|tribune|wire|report|press|gazette|media"
        r"|network|today|insider|review|observer|telegraph|guardian|standard|chronicle"
        r"|reuters|bloomberg|associated|agency|service|magazine|weekly|online|radio|tv"
        r"|channel|group|desk|newsroom|staff|editor|ledger|monitor|express|star|sun|mail)$",
        re.IGNORECASE,
    )
    return not any(outlet.match(word.strip(".,")) for word in words)


def is_furniture(line):
    """A lone section label or button ("Business", "Comments"), a share row, a job title."""
    # Length first: every body paragraph of every text comes through here.
    if len(line) > 80:
        return False
    words = [word.strip(".,:;|·•()").lower() for word in line.split()]
    words = [word for word in words if word]
    if not words:
        return False
    if len(words) == 1 and words[0] in _FURNITURE_WORDS:
        return True
    return is_share_row(line) or is_job_title(line)


def is_share_row(line):
    """Buttons of social networks copied as a line: "WhatsApp Telegram Facebook Email"."""
    # Word by word, stopping at the first that is no button (a paragraph stops at once).
    count = 0
    for word in line.split():
        word = word.strip(".,:;|·•()").lower()
        if not word:
            continue
        if word not in _SHARE_WORDS:
            return False
        count += 1
    return count >= 2


def is_job_title(line):
    """A byline's job title only ("Senior Reporter", "Markets Correspondent")."""
    words = []
    for word in line.split():
        word = word.strip(".,:;()").lower()
        if not word:
            continue
        if len(words) == 6 or word not in _JOB_WORDS:
            return False
        words.append(word)
    return any(word in _JOB_TITLE_NOUNS for word in words)


def ends_in_job_title(part):
    """A byline part naming a job by its last word ("Gulf Reporter", "Asia Editor").

    Looser than ``is_job_title``: only for parts after the first of a comma byline
    ("By Omar Haddad, Gulf Reporter, Desert Tribune"), where a name cannot stand.
    """
    words = part.lower().split()
    return 1 <= len(words) <= 4 and words[-1].strip(".,") in _JOB_TITLE_NOUNS


def name_before_job_title(line):
    """The person in "Helen Marsh Economics correspondent" (a name, then a job title), or ""."""
    words = line.split()
    for cut in range(2, min(len(words), 5)):
        name, title = " ".join(words[:cut]), " ".join(words[cut:])
        if is_job_title(title) and looks_like_person(name):
            return name
    return ""


def is_widget(line):
    """A page widget copied as text: "Content is loading...", "More from Harbor Ledger"."""
    return bool(_WIDGET_LINE.match(line))


def is_related_heading(line):
    """A heading after which the page lists other stories ("Also worth reading")."""
    return bool(_RELATED_HEADING.match(line))


def is_read_time(line):
    """ "5 min read" and its spellings."""
    return bool(_READ_TIME.match(line))


def is_photo_credit(line):
    """A photo caption or credit printed once: "(AP Photo/…)", "REUTERS/Jane Roe/File Photo",
    "Screenshot 2025-05-01 at 10.12.png"."""
    if _PAREN_CREDIT.search(line) or _IMAGE_FILE.match(line):
        return True
    match = _SLASH_CREDIT.search(line)
    if not match:
        return False
    parts = [part.strip().lower() for part in match["credit"].split("/")]
    words = {word for part in parts for word in part.replace(".", " ").split()}
    whole_line = match.start() == 0
    return bool(words & _CREDIT_WORDS) or (whole_line and all(len(p.split()) <= 4 for p in parts))


def is_bullet(line):
    """A list item: "• text", "- text", "1. text"."""
    return bool(_BULLET.match(line))
