"""Template tags that put annotations onto the brief page (briefs never imports annotations)."""

from django import template

from briefs.text import body_blocks

register = template.Library()


@register.inclusion_tag("annotations/annotated_body.html", takes_context=True)
def annotated_body(context, brief):
    """Render the brief's body as headings and paragraphs, with the reader's highlights."""
    return {"blocks": body_blocks(brief.body), "brief": brief}


@register.inclusion_tag("annotations/brief_notes.html", takes_context=True)
def brief_notes(context, brief):
    """The "Notes on this brief" section under the body."""
    return {"brief": brief, "notes": []}
