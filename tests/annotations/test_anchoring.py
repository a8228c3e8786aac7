"""Re-anchoring a passage after its text changed (pure functions, no database)."""

import pytest

from annotations.anchoring import (
    EXACT,
    FUZZY,
    ORPHANED,
    SHIFTED,
    SelectorMismatch,
    anchor_at,
    locate,
    reanchor,
)

OLD = (
    "The harbour authority closed two berths on Tuesday after a crane failed.\n\n"
    "Shipping agents said the closure would delay grain exports by at least a week. "
    "Port workers were moved to the northern quay.\n\n"
    "A spokesperson declined to say when repairs would finish."
)
QUOTE = "would delay grain exports by at least a week"


def _anchor(text=OLD, quote=QUOTE, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return anchor_at(text, start, start + len(quote), EXACT)


def _move(new_text, anchor, old_text=OLD, orphaned=False):
    return reanchor(
        old_text,
        new_text,
        start=anchor.start,
        end=anchor.end,
        exact=anchor.exact,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        orphaned=orphaned,
    )


def test_unchanged_text_keeps_the_passage_exact():
    anchor = _anchor()
    result = _move(OLD, anchor)
    assert (result.start, result.end, result.status) == (anchor.start, anchor.end, EXACT)


def test_insertion_before_the_quote_shifts_it_onto_the_same_words():
    anchor = _anchor()
    new = "Updated at noon. " + OLD
    result = _move(new, anchor)
    assert result.status == SHIFTED
    assert new[result.start : result.end] == QUOTE
    assert result.start == anchor.start + len("Updated at noon. ")


def test_insertion_after_the_quote_leaves_it_exact():
    anchor = _anchor()
    new = OLD + "\n\nThe grain board asked for an inquiry."
    result = _move(new, anchor)
    assert (result.start, result.status) == (anchor.start, EXACT)


def test_rewriting_the_paragraph_above_keeps_the_same_words():
    anchor = _anchor()
    new = OLD.replace(
        "closed two berths on Tuesday after a crane failed",
        "shut berths 4 and 5 on Tuesday morning when a gantry crane collapsed",
    )
    result = _move(new, anchor)
    assert new[result.start : result.end] == QUOTE
    assert result.status == SHIFTED


def test_insertion_inside_the_quote_follows_the_edited_passage():
    anchor = _anchor()
    new = OLD.replace("grain exports", "grain and soybean exports")
    result = _move(new, anchor)
    assert result.status == FUZZY
    assert new[result.start : result.end] == "would delay grain and soybean exports by at least a week"


def test_deleting_a_word_inside_the_quote_follows_the_edited_passage():
    anchor = _anchor()
    new = OLD.replace("by at least a week", "by a week")
    result = _move(new, anchor)
    assert result.status == FUZZY
    assert new[result.start : result.end] == "would delay grain exports by a week"


def test_quote_deleted_outright_is_orphaned_with_its_old_place_and_words():
    anchor = _anchor()
    new = OLD.replace(
        "Shipping agents said the closure would delay grain exports by at least a week. ", ""
    )
    result = _move(new, anchor)
    assert result.status == ORPHANED
    assert (result.start, result.end, result.exact) == (anchor.start, anchor.end, QUOTE)


def test_quote_deleted_while_a_look_alike_sentence_remains_is_orphaned():
    # Hypothesis's matcher jumps to the look-alike: attaching the note to other words.
    old = (
        "Officials expect talks with the union to resume on Monday in the capital.\n\n"
        "Officials expect talks with the airlines to resume on Friday in the capital."
    )
    anchor = _anchor(old, "Officials expect talks with the union to resume on Monday")
    new = "Officials expect talks with the airlines to resume on Friday in the capital."
    assert _move(new, anchor, old_text=old).status == ORPHANED


def test_quoted_words_moving_to_a_new_paragraph_do_not_drag_the_note_along():
    # The original place was reworded; the same words now stand in another context.
    old = (
        "The finance minister said sanctions would be lifted once inspectors report.\n\n"
        "Markets rose slightly in early trading."
    )
    anchor = _anchor(old, "sanctions would be lifted")
    new = (
        "The finance minister said restrictions might ease after the inspection.\n\n"
        "Markets rose slightly in early trading.\n\n"
        "Opposition leaders doubted that sanctions would be lifted before winter."
    )
    result = _move(new, anchor, old_text=old)
    assert result.status == ORPHANED


def test_repeated_quote_keeps_to_its_own_occurrence_when_the_first_is_edited():
    old = (
        "Prices rose again, the bank said.\n\n"
        "Wages fell in the north. Prices rose again, the bank said, citing fuel."
    )
    anchor = _anchor(old, "Prices rose again", occurrence=1)
    new = old.replace("Prices rose again, the bank said.", "Prices climbed, the bank said.", 1)
    result = _move(new, anchor, old_text=old)
    assert result.status == SHIFTED
    assert new[result.start : result.end] == "Prices rose again"
    assert new[result.start - 24 : result.start] == "Wages fell in the north. "[-24:]


def test_repeated_quote_survives_deletion_of_the_other_occurrence():
    old = "Prices rose again in March.\n\nWages fell. Prices rose again in April, the bank said."
    anchor = _anchor(old, "Prices rose again in April", occurrence=0)
    new = "Wages fell. Prices rose again in April, the bank said."
    result = _move(new, anchor, old_text=old)
    assert new[result.start : result.end] == "Prices rose again in April"
    assert result.status == SHIFTED


def test_unicode_before_the_quote_counts_characters_not_bytes():
    old = "Café owners in Zürich protested. The city council voted to raise rents."
    anchor = _anchor(old, "voted to raise rents")
    new = "Café owners in Zürich — 🍵 and all — protested. The city council voted to raise rents."
    result = _move(new, anchor, old_text=old)
    assert new[result.start : result.end] == "voted to raise rents"
    assert result.status == SHIFTED


def test_unicode_quote_is_found_after_an_edit():
    old = "Préfet Éloïse Durand a annoncé la fermeture du pont. Les travaux dureront six mois."
    anchor = _anchor(old, "a annoncé la fermeture du pont")
    new = "Lundi, la préfète Éloïse Durand a annoncé la fermeture du pont. Les travaux dureront six mois."
    result = _move(new, anchor, old_text=old)
    assert new[result.start : result.end] == "a annoncé la fermeture du pont"


def test_text_replaced_entirely_orphans_the_note():
    anchor = _anchor()
    result = _move("An entirely different story about elections in spring.", anchor)
    assert result.status == ORPHANED


def test_orphan_reattaches_when_an_edit_restores_its_words():
    anchor = _anchor()
    gone = OLD.replace(QUOTE, "might slow some shipments")
    orphan = _move(gone, anchor)
    assert orphan.status == ORPHANED
    restored = _move(OLD, orphan, old_text=gone, orphaned=True)
    # Words and context all back where they were: the edit is undone, so is the orphaning.
    assert (restored.status, restored.start) == (EXACT, anchor.start)
    assert OLD[restored.start : restored.end] == QUOTE
    # The words back, but amid other words: found again, not the same passage for sure.
    elsewhere = OLD.replace("Shipping agents said the closure", "Officials warned it")
    moved = _move(elsewhere, orphan, old_text=gone, orphaned=True)
    assert moved.status == FUZZY
    assert elsewhere[moved.start : moved.end] == QUOTE


def test_paragraph_moved_elsewhere_takes_the_note_with_it():
    paragraphs = OLD.split("\n\n")
    new = "\n\n".join([paragraphs[2], paragraphs[0], paragraphs[1]])
    result = _move(new, _anchor())
    assert new[result.start : result.end] == QUOTE
    assert result.status != ORPHANED


def test_locate_accepts_a_quote_that_equals_the_positioned_text():
    start = OLD.index(QUOTE)
    assert locate(OLD, exact=QUOTE, start=start, end=start + len(QUOTE)) == (
        start,
        start + len(QUOTE),
    )


def test_locate_corrects_a_slightly_wrong_position_when_the_quote_is_unique_nearby():
    start = OLD.index(QUOTE)
    assert locate(OLD, exact=QUOTE, start=start + 3, end=start + 3 + len(QUOTE)) == (
        start,
        start + len(QUOTE),
    )


@pytest.mark.parametrize(
    "selectors",
    [
        {"exact": "words that are not in the text", "start": 0, "end": 30},
        {"exact": QUOTE, "start": 0, "end": len(QUOTE)},  # far from where the quote is
        {"exact": "   ", "start": 0, "end": 3},
    ],
)
def test_locate_refuses_selectors_that_do_not_name_a_passage(selectors):
    with pytest.raises(SelectorMismatch):
        locate(OLD, **selectors)


def test_locate_without_position_needs_a_unique_quote():
    text = "Rain fell. Rain fell again."
    with pytest.raises(SelectorMismatch):
        locate(text, exact="Rain fell")
    assert locate(text, exact="Rain fell", prefix="", suffix=" again") == (11, 20)
