"""Forms of the curation admin: topic and story pickers, topic edit, merge, import."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat

from config.limits import (
    IMPORT_MAX_FILE_BYTES,
    IMPORT_MAX_FILES,
    IMPORT_MAX_PAGE_BYTES,
    IMPORT_MAX_UPLOAD_BYTES,
    IMPORT_MAX_URLS,
    IMPORT_URL_MAX_LENGTH,
)
from core.text import whole_number

from ..models import Brief, Story, Topic
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


class AutocompletePickerForm(forms.Form):
    """A form of autocomplete boxes that reads ids that are no whole number as no choice.

    An autocomplete widget looks its chosen rows up to draw them again: a posted id such as
    "x" or "²" would fail that query (a 500 instead of the form with its error).
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            for name, field in self.base_fields.items():
                if isinstance(field.widget, AutocompleteMixin):
                    ids = [v for v in data.getlist(name) if whole_number(v) is not None]
                    data.setlist(name, ids)
        super().__init__(data, *args, **kwargs)


class TopicPickerForm(AutocompletePickerForm):
    """The intermediate form of the add-topics and remove-topics actions."""

    topics = topic_autocomplete_field()


class StoryPickerForm(AutocompletePickerForm):
    """The intermediate form of the put-into-a-story action: one story, searched by title."""

    # The autocomplete hides the select: a browser refusing a required one says nothing,
    # so the server says it instead.
    use_required_attribute = False

    story = forms.ModelChoiceField(
        queryset=Story.objects.all(),
        error_messages={"required": "Choose the story to put the briefs into."},
        help_text="Type to search the stories by title or by one of their briefs' titles.",
        widget=AutocompleteSelect(Brief._meta.get_field("story"), admin.site),
    )


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
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".txt,.html,.htm,text/plain,text/html"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


TEXT_SUFFIXES = (".txt",)
# Characters of a refused URL repeated in the error (a pasted URL can be any length).
URL_SHOWN = 200
PAGE_SUFFIXES = (".html", ".htm")
_web_url = URLValidator(schemes=["http", "https"])


def upload_limit(name):
    """The size limit of an uploaded file by its name, or None for a type not imported."""
    name = name.lower()
    if name.endswith(TEXT_SUFFIXES):
        return IMPORT_MAX_FILE_BYTES
    if name.endswith(PAGE_SUFFIXES):
        return IMPORT_MAX_PAGE_BYTES
    return None


class BriefImportForm(forms.Form):
    """What one admin import reads: text files, saved pages, pasted text, URLs, a clipped page.

    ``clip_page`` and ``clip_url`` come from the clip page the bookmarklet opens (hidden):
    the page's HTML travels as a file, so it is bounded by the page limit, not by the far
    smaller limit on form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``).
    """

    files = MultipleFileField(
        required=False,
        label="Files",
        help_text=f"Text files (.txt, one brief each, up to "
        f"{filesizeformat(IMPORT_MAX_FILE_BYTES)}) and saved pages (.html or .htm, up to "
        f"{filesizeformat(IMPORT_MAX_PAGE_BYTES)}); up to {IMPORT_MAX_FILES} files.",
    )
    text = forms.CharField(
        required=False,
        label="Or paste a brief",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        max_length=IMPORT_MAX_FILE_BYTES,
    )
    urls = forms.CharField(
        required=False,
        label="Or give addresses",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100}),
        help_text=f"One article URL a line (http or https), up to {IMPORT_MAX_URLS}; the pages "
        "are fetched in the background.",
        # a line: one URL, room for spaces around it and its line break
        max_length=IMPORT_MAX_URLS * (IMPORT_URL_MAX_LENGTH + 100),
    )
    clip_page = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"hidden": True, "accept": "text/html"})
    )
    clip_url = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=IMPORT_URL_MAX_LENGTH
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
            limit = upload_limit(upload.name)
            if limit is None:
                problems.append(f"{upload.name}: only .txt, .html and .htm files can be imported.")
            elif upload.size > limit:
                problems.append(
                    f"{upload.name} is {filesizeformat(upload.size)}; the limit is "
                    f"{filesizeformat(limit)} per file."
                )
        total = sum(upload.size for upload in files)
        if total > IMPORT_MAX_UPLOAD_BYTES:
            problems.append(
                f"The files add up to {filesizeformat(total)}; import at most "
                f"{filesizeformat(IMPORT_MAX_UPLOAD_BYTES)} at a time."
            )
        if problems:
            raise ValidationError(problems)
        return files

    def clean_urls(self):
        urls = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if len(urls) > IMPORT_MAX_URLS:
            raise ValidationError(f"{len(urls)} addresses given; at most {IMPORT_MAX_URLS}.")
        problems = []
        for url in urls:
            if len(url) > IMPORT_URL_MAX_LENGTH:
                problems.append(
                    f"{url[:URL_SHOWN]}…: longer than {IMPORT_URL_MAX_LENGTH:,} characters."
                )
                continue
            try:
                _web_url(url)
            except ValidationError:
                problems.append(f"{url[:URL_SHOWN]}: not an http or https address.")
        if problems:
            raise ValidationError(problems)
        return list(dict.fromkeys(urls))

    def clean_clip_page(self):
        page = self.cleaned_data.get("clip_page")
        if page and page.size > IMPORT_MAX_PAGE_BYTES:
            raise ValidationError(
                f"The clipped page is {filesizeformat(page.size)}; the limit is "
                f"{filesizeformat(IMPORT_MAX_PAGE_BYTES)}. Save it and upload the file instead."
            )
        return page

    def clean_clip_url(self):
        url = self.cleaned_data["clip_url"].strip()
        if url:
            try:
                _web_url(url)
            except ValidationError:
                raise ValidationError("The clipped page has no http or https address.") from None
        return url

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if bool(cleaned.get("clip_page")) != bool(cleaned.get("clip_url")):
            raise ValidationError("A clipped page needs both its HTML and its address.")
        if not any(
            [cleaned.get("files"), cleaned.get("text", "").strip(), cleaned.get("urls"),
             cleaned.get("clip_page")]
        ):
            raise ValidationError(
                "Choose some .txt or .html files, paste the text of a brief or give an address."
            )
        return cleaned
