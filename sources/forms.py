"""The import page's two forms: files to upload, and a text to paste."""

from django import forms

from sources.models import Outlet, Story
from sources.uploads import Limits, accepted_suffixes, file_size


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, each validated (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        # No file at all goes through the single-file check too, for "required".
        cleaned = [single_file_clean(item, initial) for item in items or [None]]
        return [upload for upload in cleaned if upload]


def existing_or_new(model, field: str, noun: str, new_label: str):
    """A choice of an existing row, or the name of a new one (found by name if it exists)."""
    return (
        forms.ModelChoiceField(
            label=f"Existing {noun}",
            queryset=model.objects.order_by(field),
            required=False,
            empty_label="— none —",
        ),
        forms.CharField(
            label=f"Or a new {noun}",
            max_length=model._meta.get_field(field).max_length,
            required=False,
            help_text=f"Type a name to add a new {noun}; if {new_label} exists, that one is used.",
        ),
    )


def outlet_fields():
    return existing_or_new(Outlet, "name", "outlet", "an outlet of that name")


def story_fields():
    return existing_or_new(Story, "title", "story", "a story of that title")


class OutletAndStoryMixin:
    """Cleans the pairs (existing outlet or new name, existing story or new title).

    `cleaned_data["outlet_name"]` and `["story_title"]` hold what the importer
    is given: a name, or "" when neither was chosen (allowed only when the
    form does not require it).
    """

    outlet_and_story_required = False

    def clean(self):
        cleaned = super().clean()
        for existing, new, result, noun, attribute in (
            ("outlet", "new_outlet", "outlet_name", "outlet", "name"),
            ("story", "new_story", "story_title", "story", "title"),
        ):
            chosen, typed = cleaned.get(existing), " ".join(cleaned.get(new, "").split())
            cleaned[result] = ""
            if chosen and typed:
                self.add_error(
                    new,
                    f"Choose an existing {noun} or type a new one, not both.",
                )
            elif chosen:
                cleaned[result] = getattr(chosen, attribute)
            elif typed:
                cleaned[result] = typed
            elif self.outlet_and_story_required and existing not in self.errors:
                self.add_error(
                    existing, f"Choose the {noun} from the list or type a new one below."
                )
        return cleaned


class UploadForm(OutletAndStoryMixin, forms.Form):
    files = MultipleFileField(
        label="Files",
        # Empty files reach the importer, which reports them with the others.
        allow_empty_file=True,
        error_messages={"required": "Choose at least one file to import."},
    )
    outlet, new_outlet = outlet_fields()
    story, new_story = story_fields()

    def __init__(self, *args, limits: Limits, refused: str = "", **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.refused = refused
        if refused:
            # The upload was stopped while it was read; say why, not "choose a file".
            self.fields["files"].required = False
        self.fields["files"].widget.attrs["accept"] = accepted_suffixes()
        self.fields["files"].help_text = (
            "Choose several at once: saved web pages, text files, lists of articles, or zip "
            f"archives holding them. Up to {limits.files:,} files at a time, "
            f"{file_size(limits.file_bytes)} each and {file_size(limits.request_bytes)} in all."
        )

    def clean(self):
        if self.refused:
            self.add_error("files", self.refused)
        return super().clean()


class PasteForm(OutletAndStoryMixin, forms.Form):
    outlet_and_story_required = True

    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 14}),
        strip=False,
        help_text="The article as published, headline first. Paragraphs are separated by "
        "blank lines.",
        error_messages={
            "required": "Paste the article's text.",
            # Django refuses NUL in any text field; the database could not store it.
            "null_characters_not_allowed": (
                "The text holds a NUL character (U+0000), which is not text and cannot be "
                "stored; remove it and paste again."
            ),
        },
    )
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=500,
        help_text="Leave empty to take the first line of the text.",
        error_messages={
            "null_characters_not_allowed": (
                "The title holds a NUL character (U+0000), which cannot be stored; remove it."
            )
        },
    )
    outlet, new_outlet = outlet_fields()
    story, new_story = story_fields()
    published = forms.DateField(
        label="Published",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    url = forms.URLField(
        label="Original URL",
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text="Where the article was published, if it is online.",
    )

    def __init__(self, *args, limits: Limits, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.limits = limits
        self.fields["text"].help_text += f" Up to {file_size(limits.file_bytes)}, as for a file."

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Paste the article's text.")
        size = len(text.encode("utf-8"))
        if size > self.limits.file_bytes:
            raise forms.ValidationError(
                f"The text is {file_size(size)}; the limit is "
                f"{file_size(self.limits.file_bytes)}, as for a file."
            )
        return text

    def import_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "title": " ".join(data["title"].split()),
            "outlet": data["outlet_name"],
            "story": data["story_title"],
            "published": data["published"],
            "url": data["url"],
        }
