"""The note form of My notes: a note's text and who may read it."""

from django import forms

from config.limits import ANNOTATION_NOTE_MAX_LENGTH

from .models import Annotation


class AnnotationEditForm(forms.Form):
    """Note text and visibility; ``cleaned_data`` matches ``annotation_update``'s arguments."""

    note = forms.CharField(
        label="Note",
        required=False,
        max_length=ANNOTATION_NOTE_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text; a blank line starts a new paragraph. Leave empty for a plain highlight.",
    )
    visibility = forms.ChoiceField(
        label="Who can read it",
        choices=[
            (Annotation.Visibility.PRIVATE, "Only me (private)"),
            (Annotation.Visibility.PUBLIC, "Everyone (public)"),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, data=None, *, annotation):
        super().__init__(data, initial={"note": annotation.note, "visibility": annotation.visibility})
        if annotation.is_reply:  # a reply is read by its thread's readers: nothing to choose
            del self.fields["visibility"]
        elif annotation.group_id:  # a group note can stay in its group
            self.fields["visibility"].choices = [
                (Annotation.Visibility.PRIVATE, "Only me (private)"),
                (Annotation.Visibility.GROUP, f"The group “{annotation.group.name}”"),
                (Annotation.Visibility.PUBLIC, "Everyone (public)"),
            ]
