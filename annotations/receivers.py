"""Signal receivers: the annotations app follows a brief's body wherever it changes."""

from django.dispatch import receiver

from briefs.signals import brief_body_changed

from .services import annotations_reanchor


@receiver(brief_body_changed, dispatch_uid="annotations_reanchor_on_body_change")
def reanchor_on_body_change(sender, brief, old_body, new_body, **kwargs):
    """Re-anchor the brief's annotations inside the transaction that saved the new body."""
    annotations_reanchor(brief=brief, old_body=old_body, new_body=new_body)
