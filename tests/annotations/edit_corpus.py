"""A generated corpus of edits to brief-like texts, each with the right answer for a note on it.

Every case is an old text, a quoted passage in it, a new text, and what should happen:
``follow`` (the passage is still there, at a known span) or ``orphan`` (it is gone; staying at
its reworded place is tolerated, attaching anywhere else is a wrong attachment). Texts are made
of sentences built from a small vocabulary, so look-alike sentences are common on purpose.
"""

import random
from dataclasses import dataclass

SUBJECTS = [
    "The finance ministry", "Port officials", "The central bank", "Union leaders",
    "The harbour authority", "Grain traders", "The city council", "Airline executives",
]
PREDICATES = [
    "said talks would resume", "expected prices to fall", "announced new inspections",
    "delayed the vote on tariffs", "warned of fuel shortages", "approved the emergency budget",
    "rejected the latest offer", "promised to publish the figures",
]
TIMES = ["on Monday", "on Friday", "in March", "before winter", "after the election", "this week"]
TAILS = [
    "in the capital", "according to a statement", "despite protests",
    "for the second time this year", "without giving details",
]


@dataclass
class Sentence:
    key: int
    text: str


@dataclass(frozen=True)
class Case:
    kind: str
    old: str
    new: str
    start: int
    end: int
    expect: str  # "follow" or "orphan"
    expected_span: tuple | None  # for "follow": where the passage now is
    stay_span: tuple | None  # for "orphan": the reworded place, where staying is tolerated


class _Doc:
    def __init__(self, rng):
        self.rng = rng
        self.keys = iter(range(1, 10_000))
        self.used = set()
        self.paragraphs = [
            [self.sentence() for _ in range(rng.randint(2, 4))] for _ in range(rng.randint(3, 5))
        ]

    def sentence_text(self, subject=None, predicate=None):
        rng = self.rng
        for _ in range(200):
            tail = rng.choice(TAILS + [""])
            text = (
                f"{subject or rng.choice(SUBJECTS)} {predicate or rng.choice(PREDICATES)} "
                f"{rng.choice(TIMES)}{', ' + tail if tail else ''}."
            )
            if text not in self.used:
                self.used.add(text)
                return text
        raise RuntimeError("vocabulary exhausted")

    def sentence(self, **parts):
        return Sentence(next(self.keys), self.sentence_text(**parts))

    def render(self):
        return "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in self.paragraphs)

    def offset_of(self, key):
        position = 0
        for paragraph in self.paragraphs:
            for sentence in paragraph:
                if sentence.key == key:
                    return position
                position += len(sentence.text) + 1
            position += 1  # "\n\n" replaces the last " "
        raise KeyError(key)

    def all_sentences(self):
        return [s for paragraph in self.paragraphs for s in paragraph]

    def find(self, key):
        for paragraph in self.paragraphs:
            for index, sentence in enumerate(paragraph):
                if sentence.key == key:
                    return paragraph, index
        raise KeyError(key)

    def noise(self, protected):
        """One edit away from the protected sentence: insert, delete, reword, move, add."""
        rng = self.rng
        others = [s for s in self.all_sentences() if s.key != protected]
        kind = rng.choice(["insert", "delete", "reword", "paragraph", "move"])
        if kind == "insert":
            paragraph = rng.choice(self.paragraphs)
            paragraph.insert(rng.randint(0, len(paragraph)), self.sentence())
        elif kind == "delete" and len(others) > 3:
            paragraph, index = self.find(rng.choice(others).key)
            del paragraph[index]
            if not paragraph:
                self.paragraphs.remove(paragraph)
        elif kind == "reword" and others:
            paragraph, index = self.find(rng.choice(others).key)
            paragraph[index] = self.sentence()
        elif kind == "paragraph":
            self.paragraphs.insert(
                rng.randint(0, len(self.paragraphs)), [self.sentence() for _ in range(2)]
            )
        elif kind == "move" and len(self.paragraphs) > 1:
            paragraph = self.paragraphs.pop(rng.randrange(len(self.paragraphs)))
            self.paragraphs.insert(rng.randint(0, len(self.paragraphs)), paragraph)


def _quote_span(rng, text):
    """A whole sentence, or its predicate and time (the part after the subject)."""
    if rng.random() < 0.5:
        return 0, len(text) - 1  # without the full stop
    subject = next(s for s in SUBJECTS if text.startswith(s))
    return len(subject) + 1, len(text) - 1


def make_case(seed, kind):
    """One case of ``kind`` from ``seed``; the same seed always gives the same case."""
    rng = random.Random(f"{kind}-{seed}")
    doc = _Doc(rng)
    target = rng.choice(doc.all_sentences())
    inner_start, inner_end = _quote_span(rng, target.text)
    old = doc.render()
    start = doc.offset_of(target.key) + inner_start
    end = doc.offset_of(target.key) + inner_end
    for _ in range(rng.randint(0, 2)):
        doc.noise(target.key)
    expect, expected_span, stay_span = "follow", None, None

    if kind == "noise":
        doc.noise(target.key)
    elif kind == "typo_in_quote":
        word_starts = [
            i for i in range(inner_start + 1, inner_end - 2) if target.text[i - 1] == " "
        ]
        at = rng.choice(word_starts) + 1
        letter = "x" if target.text[at] != "x" else "z"
        target.text = target.text[:at] + letter + target.text[at + 1 :]
    elif kind == "word_inserted_in_quote":
        spaces = [i for i in range(inner_start + 1, inner_end - 1) if target.text[i] == " "]
        at = rng.choice(spaces)
        word = rng.choice([" reportedly", " again", " quietly", " formally"])
        target.text = target.text[:at] + word + target.text[at:]
        inner_end += len(word)
    elif kind == "quote_deleted":
        paragraph, index = doc.find(target.key)
        del paragraph[index]
        expect = "orphan"
    elif kind == "look_alike_remains":
        # A sentence sharing the quote's subject and predicate stays after the quote is cut.
        subject = next(s for s in SUBJECTS if target.text.startswith(s))
        predicate = next(p for p in PREDICATES if p in target.text)
        quoted = target.text[inner_start:inner_end]
        look_alike = doc.sentence(subject=subject, predicate=predicate)
        while quoted in look_alike.text:  # the same words would be the same passage
            look_alike = doc.sentence(subject=subject, predicate=predicate)
        paragraph, index = doc.find(target.key)
        paragraph.insert(index + rng.choice([0, 1]), look_alike)
        old = doc.render()  # the look-alike was there before the edit
        start = doc.offset_of(target.key) + inner_start
        end = doc.offset_of(target.key) + inner_end
        paragraph, index = doc.find(target.key)
        del paragraph[index]
        expect = "orphan"
    elif kind == "words_moved_to_new_context":
        quoted = target.text[inner_start:inner_end]
        paragraph, index = doc.find(target.key)
        replacement = doc.sentence()
        paragraph[index] = replacement
        opening = rng.choice(
            ["Critics doubted that", "Earlier, it was reported that", "Nobody believed"]
        )
        carrier = Sentence(
            next(doc.keys), f"{opening} {quoted[0].lower()}{quoted[1:]}, {rng.choice(TAILS)}."
        )
        doc.paragraphs.insert(rng.randint(0, len(doc.paragraphs)), [carrier])
        expect = "orphan"
        stay = doc.offset_of(replacement.key)
        stay_span = (stay, stay + len(replacement.text))
    else:
        raise ValueError(kind)

    new = doc.render()
    if expect == "follow":
        offset = doc.offset_of(target.key)
        expected_span = (offset + inner_start, offset + inner_end)
    return Case(kind, old, new, start, end, expect, expected_span, stay_span)


KINDS = [
    "noise",
    "typo_in_quote",
    "word_inserted_in_quote",
    "quote_deleted",
    "look_alike_remains",
    "words_moved_to_new_context",
]


def corpus(per_kind=100):
    """``per_kind`` cases of every kind."""
    return [make_case(seed, kind) for kind in KINDS for seed in range(per_kind)]


def judge(case, start, end, orphaned):
    """"correct", "lost" (orphaned though the passage is there) or "wrong" (other words)."""
    if orphaned:
        return "correct" if case.expect == "orphan" else "lost"
    if case.expect == "follow":
        return "correct" if (start, end) == case.expected_span else "wrong"
    if case.stay_span and case.stay_span[0] <= start and end <= case.stay_span[1]:
        return "correct"
    return "wrong"
