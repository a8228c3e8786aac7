"""Signals the briefs app sends; other apps (annotations) listen without briefs knowing them."""

from django.dispatch import Signal

# Sent inside the saving transaction whenever a saved brief's body differs from the
# stored one, however the save happened (admin, importer, service, shell).
# Arguments: brief, old_body, new_body.
brief_body_changed = Signal()
