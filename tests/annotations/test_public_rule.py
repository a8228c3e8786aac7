"""One rule decides which notes the public sees, and every surface follows it.

A note a curator hid, a note whose passage was removed from the brief (orphaned) and a
note on a brief taken back to draft are gone from every public surface; their owner
still finds them in their own list.
"""

import pytest

from annotations.models import Annotation
from briefs.models import Brief
from briefs.services.briefs import brief_update
from tests.conftest import read_feed
from tests.factories import make_annotation, make_brief, make_user

pytestmark = pytest.mark.django_db

BODY = (
    "Pilots at the northern lock asked for a second tug.\n\n"
    "The harbour master promised an answer within a week."
)
REMOVED = "asked for a second tug"


def _public_surfaces(client, brief):
    client.logout()
    return {
        "recent": client.get("/annotations/").content.decode(),
        "feed": " ".join(e.summary for e in read_feed(client, "/annotations/feed/").entries),
        "brief feed": " ".join(
            e.summary for e in read_feed(client, f"/briefs/{brief.slug}/annotations/feed/").entries
        ),
        "api": client.get("/api/annotations/").content.decode(),
        "brief page": client.get(brief.get_absolute_url()).content.decode(),
    }


def test_orphaned_public_note_leaves_every_public_surface(client):
    owner = make_user()
    brief = make_brief("Lock pilots want a tug", body=BODY)
    make_annotation(brief, owner, REMOVED, visibility="public", note="Tug shortage again")
    assert all("Tug shortage again" in text for text in _public_surfaces(client, brief).values())

    brief.body = "The harbour master promised an answer within a week."
    brief_update(brief=brief, reason="Removed the pilots' request")
    assert Annotation.objects.get().anchor_status == "orphaned"

    for surface, text in _public_surfaces(client, brief).items():
        assert "Tug shortage again" not in text, surface
        assert REMOVED not in text, surface
    client.force_login(owner)
    assert "Tug shortage again" in client.get("/annotations/mine/").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda note, brief: Annotation.objects.filter(pk=note.pk).update(hidden=True),
        lambda note, brief: Brief.objects.filter(pk=brief.pk).update(status="draft"),
        lambda note, brief: Annotation.objects.filter(pk=note.pk).update(visibility="private"),
    ],
    ids=["hidden", "brief-unpublished", "made-private"],
)
def test_public_rule_counts_nothing_it_does_not_show(client, change):
    brief = make_brief("Lock pilots want a tug", body=BODY)
    note = make_annotation(
        brief, make_user(), "second tug", visibility="public", note="Count me once"
    )
    assert Annotation.objects.public().count() == 1
    change(note, brief)
    assert Annotation.objects.public().count() == 0
    assert client.get("/api/annotations/").json()["total"] == 0
