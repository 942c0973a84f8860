from django.db import migrations
from django.utils.text import slugify

# The curated vocabulary of PRODUCT.md. Colours are light enough for dark text
# on top of them to keep a contrast ratio above 7:1.
VOCABULARY = [
    ("admission", "#ffd6a5", "The speaker concedes something against their own interest or earlier position."),
    ("framing", "#cdb4db", "Choices of words, order or emphasis that steer how the reader sees the facts."),
    ("quote", "#bde0fe", "Words presented as a direct quotation of a source."),
    ("paraphrase", "#caffbf", "A source's words restated in the outlet's own words."),
    ("omission", "#ffadad", "Something other outlets report that this one leaves out or cuts short."),
    ("editorialising", "#fdffb6", "The outlet's own opinion presented inside a news report."),
    ("attribution", "#a0c4ff", "Who is said to have said or done something, and the verb that introduces it."),
    ("context", "#e2ece9", "Background the outlet adds to help the reader place the claim."),
    ("correction", "#ffc6ff", "A fix or retraction of something the outlet or a source said earlier."),
]


def create_vocabulary(apps, schema_editor):
    Tag = apps.get_model("annotations", "Tag")
    for name, colour, definition in VOCABULARY:
        Tag.objects.update_or_create(
            name=name, defaults={"slug": slugify(name), "colour": colour, "definition": definition}
        )


def remove_vocabulary(apps, schema_editor):
    Tag = apps.get_model("annotations", "Tag")
    Tag.objects.filter(name__in=[name for name, _, _ in VOCABULARY], tagged_annotations=None).delete()


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [migrations.RunPython(create_vocabulary, remove_vocabulary)]
