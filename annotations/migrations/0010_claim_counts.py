"""Stored claim counts (issue 13), for the story page: ClaimOutletUse (live annotations of
a claim per outlet), ClaimCount (per claim: annotations and outlets) and StoryOutletClaims
(per story and outlet: the claims carried, and how many are published). The triggers that
keep them, and the first count, are installed after migrating (annotations.counters, from
AnnotationsConfig.ready); going back removes them.

The story page ranked its claims and outlets by counting over every annotation of the
story. EXPLAIN ANALYZE on PostgreSQL, 100,000 articles, the biggest story 2,000 articles,
220 claims, 44,500 annotations:

    outlets by claims carried, before: Nested Loop over annotation_live_by_claim
        rows=39014 -> Hash Join sources_article -> Sort -> GroupAggregate, 29.7 ms
    after: Index Scan on story_outlet_claims_unique (story_id = 1) rows=400
"""

import django.db.models.deletion
from django.db import migrations, models


def remove_triggers(apps, schema_editor):
    """Going back: the count tables go, so must the triggers that write them."""
    from annotations import counters

    counters.remove(schema_editor.connection, counters.CLAIM_USES)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0009_tag_use_counts'),
        ('sources', '0006_quotation_traced_by_article'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
        migrations.CreateModel(
            name='ClaimCount',
            fields=[
                ('claim', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='counts', serialize=False, to='annotations.claim')),
                ('annotations', models.IntegerField(default=0)),
                ('outlets', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='ClaimOutletUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uses', models.IntegerField(default=0)),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outlet_uses', to='annotations.claim')),
                ('outlet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='claim_uses', to='sources.outlet')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('claim', 'outlet'), name='claim_outlet_use_unique')],
            },
        ),
        migrations.CreateModel(
            name='StoryOutletClaims',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('claims', models.IntegerField(default=0)),
                ('published', models.IntegerField(default=0)),
                ('outlet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='story_claims', to='sources.outlet')),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outlet_claims', to='sources.story')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('story', 'outlet'), name='story_outlet_claims_unique')],
            },
        ),
    ]
