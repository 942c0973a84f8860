import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils.text import slugify

# The seeded vocabulary (0002), in the order moderators start from.
VOCABULARY_ORDER = [
    "admission", "framing", "quote", "paraphrase", "omission",
    "editorialising", "attribution", "context", "correction",
]


def name_key(text):
    return " ".join(text.split()).casefold()


def repair_tags(apps, schema_editor):
    """Before the new constraints: fold tags whose names differ only in case into the
    oldest, give every tag a slug its Unicode route can reverse, order the vocabulary."""
    Tag = apps.get_model("annotations", "Tag")
    TaggedAnnotation = apps.get_model("annotations", "TaggedAnnotation")
    keep = {}
    for tag in Tag.objects.order_by("pk"):
        key = name_key(tag.name)
        if key not in keep:
            keep[key] = tag
            continue
        target = keep[key]
        for link in TaggedAnnotation.objects.filter(tag=tag):
            if TaggedAnnotation.objects.filter(
                tag=target, content_object_id=link.content_object_id
            ).exists():
                link.delete()
            else:
                link.tag = target
                link.save(update_fields=["tag"])
        tag.delete()
    slugs = set()
    for tag in Tag.objects.order_by("pk"):
        slug = slugify(tag.name, allow_unicode=True)[:90].strip("-_") or f"tag-{tag.pk}"
        base, n = slug, 1
        while slug in slugs:
            n += 1
            slug = f"{base}-{n}"
        slugs.add(slug)
        tag.slug = slug
        tag.key = name_key(tag.name)
        tag.position = (
            VOCABULARY_ORDER.index(tag.name) + 1 if tag.name in VOCABULARY_ORDER else 100
        )
        tag.save(update_fields=["slug", "key", "position"])


def repair_claims(apps, schema_editor):
    """Before the new constraint: statements fit 500 characters, and claims of one story
    whose statements differ only in case are merged into the oldest (its links redirect)."""
    Claim = apps.get_model("annotations", "Claim")
    ClaimAlias = apps.get_model("annotations", "ClaimAlias")
    ClaimRelation = apps.get_model("annotations", "ClaimRelation")
    keep = {}
    for claim in Claim.objects.order_by("pk"):
        claim.statement = " ".join(claim.statement.split())[:500]
        claim.statement_key = hashlib.sha256(
            name_key(claim.statement).encode("utf-8")
        ).hexdigest()
        claim.save(update_fields=["statement", "statement_key"])
        group = (claim.story_id, claim.statement_key)
        if group not in keep:
            keep[group] = claim
            continue
        target = keep[group]
        claim.annotations.update(claim=target)
        for relation in ClaimRelation.objects.filter(source=claim).exclude(target=target):
            if not ClaimRelation.objects.filter(
                source=target, target=relation.target_id, kind=relation.kind
            ).exists():
                relation.source = target
                relation.save(update_fields=["source"])
        for relation in ClaimRelation.objects.filter(target=claim).exclude(source=target):
            if not ClaimRelation.objects.filter(
                source=relation.source_id, target=target, kind=relation.kind
            ).exists():
                relation.target = target
                relation.save(update_fields=["target"])
        claim.aliases.update(claim=target)
        ClaimAlias.objects.create(claim=target, slug=claim.slug)
        claim.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0005_claim_aliases_and_relations"),
        ("sources", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(name="tag", options={"ordering": ["position", "name"]}),
        migrations.AddField(
            model_name="annotation",
            name="submission",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="annotation",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="statement_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tag",
            name="created",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="tag",
            name="position",
            field=models.PositiveIntegerField(
                default=0, help_text="Place in the vocabulary: lower numbers come first."
            ),
        ),
        migrations.AddField(
            model_name="tag",
            name="proposed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="tag",
            name="status",
            field=models.CharField(
                choices=[("accepted", "In the vocabulary"), ("proposed", "Proposed")],
                default="accepted",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="tag",
            name="key",
            field=models.CharField(default="", editable=False, max_length=300),
            preserve_default=False,
        ),
        migrations.RunPython(repair_tags, migrations.RunPython.noop),
        migrations.RunPython(repair_claims, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="tag",
            name="key",
            field=models.CharField(editable=False, max_length=300, unique=True),
        ),
        migrations.AlterField(
            model_name="claim",
            name="statement",
            field=models.CharField(max_length=500),
        ),
        # Existing tags were the vocabulary (accepted above); new ones start as proposed.
        migrations.AlterField(
            model_name="tag",
            name="status",
            field=models.CharField(
                choices=[("accepted", "In the vocabulary"), ("proposed", "Proposed")],
                default="proposed",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.UniqueConstraint(
                fields=("author", "submission"), name="annotation_unique_submission"
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                fields=("story", "statement_key"), name="claim_statement_unique_per_story"
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=models.Q(("slug", ""), _negated=True), name="tag_slug_not_empty"
            ),
        ),
    ]
