"""Group matched briefs into stories without undoing a curator's decisions.

Precision first: a story is a clique of the "same event" graph, built by greedy
complete-linkage agglomeration (Defays, "An efficient algorithm for a complete link
method", 1977, here greedy over the pair list): the best-scoring pairs are joined first,
and two groups merge only when every brief of one matched every brief of the other.
Chaining (A like B, B like C, so A with C) cannot build a story that claims two
newsrooms corroborated each other when they never matched.
"""

def group_stories(candidates, matches, *, pinned=(), excluded=(), apart=(), hand_put=()):
    """Stories (sets of two or more keys) from the pairs the matcher accepted.

    - ``candidates``: the ``StoryCandidate`` objects (anything with ``key`` and
      ``source``) the matches are about.
    - ``matches``: ``StoryMatch`` objects; only those with ``same_event`` count, in
      either direction (``key``/``other``), a pair's score is its best one.
    - ``pinned``: curator-fixed stories, iterables of keys. Each comes back whole (even
      with two briefs of one source, or briefs that no longer match), is never merged
      with another pinned story, and may gain briefs that match all of its members
      but those in ``hand_put``. Pass the window's current stories here too when adding
      one new brief.
    - ``hand_put``: pinned keys a curator put in by hand that match none of their story's
      other members: a brief joining their story need not match them (it must still
      match at least one other member, and every member it does not skip).
    - ``excluded``: keys a curator took out of stories: never placed in one.
    - ``apart``: pairs of keys a curator separated: never in one story.

    Rules: a brief is in at most one story; a story has at most one brief per source
    (pinned members aside). Returns a list of ``frozenset`` of keys, largest first.
    Raises ``ValueError`` when the constraints contradict each other (a key in two
    pinned stories, a pinned key excluded, a pinned story holding an ``apart`` pair).
    """
    sources = {candidate.key: candidate.source.casefold() for candidate in candidates}
    excluded, hand_put = set(excluded), set(hand_put)
    apart = {frozenset(pair) for pair in apart}
    group_of, members, fixed = _pinned_groups(pinned, excluded, apart)
    edges = _edges(matches, excluded)

    next_id = len(members)
    for _, one, other in edges.best_first():
        for key in (one, other):
            if key not in group_of:
                group_of[key] = next_id
                members[next_id] = {key}
                next_id += 1
        first, second = group_of[one], group_of[other]
        if first == second or (first in fixed and second in fixed):
            continue
        merged = members[first] | members[second]
        required = [
            (a, b) for a in members[first] for b in members[second]
            if a not in hand_put and b not in hand_put
        ]
        if not required or not all(edges.has(a, b) for a, b in required) or any(
            frozenset((a, b)) in apart for a in members[first] for b in members[second]
        ):
            continue
        if _sources_clash(members[first], members[second], sources):
            continue
        keep, drop = (first, second) if first in fixed or second not in fixed else (second, first)
        members[keep] = merged
        for key in members.pop(drop):
            group_of[key] = keep
    stories = [frozenset(group) for group in members.values() if len(group) >= 2]
    stories.sort(key=lambda story: (-len(story), sorted(map(str, story))))
    return stories


def _pinned_groups(pinned, excluded, apart):
    group_of, members, fixed = {}, {}, set()
    for index, group in enumerate(pinned):
        group = set(group)
        for key in group:
            if key in group_of:
                raise ValueError(f"brief {key!r} is in two pinned stories")
            if key in excluded:
                raise ValueError(f"brief {key!r} is both pinned to a story and excluded")
            group_of[key] = index
        if any(frozenset((a, b)) in apart for a in group for b in group if a != b):
            raise ValueError("a pinned story holds two briefs a curator kept apart")
        members[index] = group
        fixed.add(index)
    return group_of, members, fixed


def _sources_clash(first, second, sources):
    seen = {sources[key] for key in first if key in sources}
    return any(sources.get(key) in seen for key in second if key in sources)


class _Edges:
    """Undirected accepted pairs with their best score."""

    def __init__(self):
        self.scores = {}

    def add(self, one, other, score):
        pair = frozenset((one, other))
        self.scores[pair] = max(score, self.scores.get(pair, score))

    def has(self, one, other):
        return frozenset((one, other)) in self.scores

    def best_first(self):
        """(score, key, key) tuples, best score first; ties in key order, for repeatability."""
        rows = [(score, *sorted(pair, key=str)) for pair, score in self.scores.items()]
        return sorted(rows, key=lambda row: (-row[0], str(row[1]), str(row[2])))


def _edges(matches, excluded):
    edges = _Edges()
    for match in matches:
        if match.same_event and match.key not in excluded and match.other not in excluded:
            edges.add(match.key, match.other, match.score)
    return edges
