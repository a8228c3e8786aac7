"""Forms of the curation admin: topic pickers with autocomplete, topic edit, merge, import."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from config.limits import IMPORT_MAX_FILE_BYTES, IMPORT_MAX_FILES

from ..models import Brief, Topic
from ..services.topics import topic_check


def topic_autocomplete_field(*, required=True, label="Topics", help_text=""):
    """A multiple choice of topics searched as you type (the admin's select2 autocomplete)."""
    return forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=required,
        label=label,
        help_text=help_text,
        widget=AutocompleteSelectMultiple(Brief._meta.get_field("topics"), admin.site),
    )


class BriefAdminForm(forms.ModelForm):
    """The brief change form, with topics chosen by autocomplete instead of a comma list."""

    topics = topic_autocomplete_field(
        required=False, help_text="Type to search the existing topics."
    )

    class Meta:
        model = Brief
        fields = "__all__"
        # Saved by BriefAdmin.save_related through brief_set_topics, not by the form.
        exclude = ["topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "topics" in self.fields:
            self.initial.setdefault("topics", list(self.instance.topics.all()))


class TopicPickerForm(forms.Form):
    """The intermediate form of the add-topics and remove-topics actions."""

    topics = topic_autocomplete_field()


class TopicFilterForm(forms.Form):
    """The brief changelist's topic filter: briefs carrying all the chosen topics."""

    topic = topic_autocomplete_field(required=False, label="Briefs with all of these topics")


class TopicAdminForm(forms.ModelForm):
    """A topic's name, slug and description; a blank slug follows the name."""

    class Meta:
        model = Topic
        fields = ["name", "slug", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "Leave blank to derive it from the name. When it changes, the old slug keeps "
            "working: its topic pages and feeds redirect here."
        )

    def clean(self):
        """The services' own check (``topic_check``), its errors shown beside the fields."""
        cleaned = super().clean()
        if "name" in cleaned:
            try:
                cleaned["name"], cleaned["slug"] = topic_check(
                    topic=self.instance, name=cleaned["name"], slug=cleaned.get("slug", "")
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class TopicMergeForm(forms.Form):
    """Which of the selected topics survives the merge."""

    keep = forms.ModelChoiceField(
        queryset=Topic.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = topics


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files under one name (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class BriefImportForm(forms.Form):
    """Text files to upload and/or text pasted into a box, each one brief."""

    files = MultipleFileField(
        required=False,
        label="Text files",
        help_text=f"One brief per .txt file; up to {IMPORT_MAX_FILES} files of "
        f"{filesizeformat(IMPORT_MAX_FILE_BYTES)} each.",
    )
    text = forms.CharField(
        required=False,
        label="Or paste a brief",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        max_length=IMPORT_MAX_FILE_BYTES,
    )
    status = forms.ChoiceField(choices=Brief.Status.choices, initial=Brief.Status.PUBLISHED)

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > IMPORT_MAX_FILES:
            raise ValidationError(
                f"{len(files)} files chosen; import at most {IMPORT_MAX_FILES} at a time."
            )
        problems = []
        for upload in files:
            if not upload.name.lower().endswith(".txt"):
                problems.append(f"{upload.name}: only .txt files can be imported.")
            elif upload.size > IMPORT_MAX_FILE_BYTES:
                problems.append(
                    f"{upload.name} is {filesizeformat(upload.size)}; the limit is "
                    f"{filesizeformat(IMPORT_MAX_FILE_BYTES)} per file."
                )
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("files") and not cleaned.get("text", "").strip():
            raise ValidationError("Choose some .txt files or paste the text of a brief.")
        return cleaned
