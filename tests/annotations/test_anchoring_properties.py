"""Fuzzing the anchoring code: whatever the texts and selection, it answers with a sound anchor.

An anchor that is not orphaned must point at text that really is in the new body, and its
offsets must lie inside it; nothing but SelectorMismatch may escape ``locate``.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import anchoring

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
words = st.text(alphabet="abcde \n.", min_size=0, max_size=400)


@st.composite
def edit(draw):
    old = draw(st.one_of(texts, words).filter(lambda t: len(t) >= 1))
    start = draw(st.integers(0, len(old) - 1))
    end = draw(st.integers(start + 1, len(old)))
    new = draw(st.one_of(texts, words, st.just(old), st.just(old[::-1]),
                         st.builds(lambda a, b: a + old + b, words, words)))
    return old, new, start, end


@settings(max_examples=150, deadline=None)
@given(edit())
def test_reanchoring_always_yields_a_sound_anchor(case):
    old, new, start, end = case
    anchor = anchoring.anchor_at(old, start, end, anchoring.EXACT)
    result = anchoring.reanchor(
        old, new, start=anchor.start, end=anchor.end,
        exact=anchor.exact, prefix=anchor.prefix, suffix=anchor.suffix,
    )
    assert result.status in {anchoring.EXACT, anchoring.SHIFTED, anchoring.FUZZY, anchoring.ORPHANED}
    if result.status != anchoring.ORPHANED:
        assert 0 <= result.start < result.end <= len(new)
        assert new[result.start:result.end] == result.exact
    if old == new:
        assert result.status == anchoring.EXACT
        assert (result.start, result.end) == (anchor.start, anchor.end)


@settings(max_examples=150, deadline=None)
@given(text=words, exact=st.text(max_size=20), start=st.none() | st.integers(-5, 500),
       end=st.none() | st.integers(-5, 500))
def test_locating_a_selection_either_finds_it_or_says_it_does_not_match(text, exact, start, end):
    try:
        found_start, found_end = anchoring.locate(text, exact=exact, start=start, end=end)
    except anchoring.SelectorMismatch:
        return
    assert text[found_start:found_end] == exact
