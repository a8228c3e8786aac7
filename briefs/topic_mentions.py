"""Find which names of a vocabulary occur in a text: the matcher behind topic suggestions.

A name matches where it stands on word boundaries, case-insensitively ("rare earths"
matches "Rare Earths", "Iran" does not match "Iranian"); short all-capital names
("AI", "US", "EU") must match their case, so the pronoun "us" is not the topic "US".

The vocabulary may hold thousands of names. Instead of trying every name at every
position, the text is cut into words once and each run of up to ``MAX_NAME_WORDS``
words is looked up in a dictionary of the names' words; only the few candidates
found are confirmed with an exact word-boundary regex.
"""

import re
from collections import defaultdict

MAX_NAME_WORDS = 12
_WORD = re.compile(r"\w+")


def find_mentions(text, vocabulary):
    """Return the keys of ``vocabulary`` ((key, name) pairs) whose name occurs in ``text``.

    Keys come back in the order their names first occur in the text.
    """
    by_words, prefixes = defaultdict(list), set()
    for key, name in vocabulary:
        words = tuple(word.casefold() for word in _WORD.findall(name or ""))
        if not words or len(words) > MAX_NAME_WORDS:
            continue
        by_words[words].append((key, name))
        prefixes.update(words[:length] for length in range(1, len(words) + 1))
    if not by_words:
        return []
    tokens = [word.casefold() for word in _WORD.findall(text)]
    candidates = {}
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + MAX_NAME_WORDS, len(tokens)) + 1):
            run = tuple(tokens[start:end])
            if run not in prefixes:
                break
            for key, name in by_words.get(run, ()):
                candidates.setdefault(key, name)
    found = []
    for key, name in candidates.items():
        match = _name_pattern(name).search(text)
        if match:
            found.append((match.start(), key))
    return [key for _, key in sorted(found, key=lambda item: item[0])]


def _name_pattern(name):
    body = r"\s+".join(re.escape(part) for part in name.split())
    letters = [char for char in name if char.isalpha()]
    exact_case = 2 <= len(letters) <= 5 and all(char.isupper() for char in letters)
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if exact_case else re.IGNORECASE)
