"""Stored tag-use counts and the indexes the reading pages' queries need (issue 13).

TagOutletUse and TagStoryUse: the tag page's "N uses in M outlets", its columns' totals and
story filter, and the outlet page's tags read these rows instead of every tagged
annotation. The triggers that keep them, and the first count, are installed after
migrating (annotations.counters, from AnnotationsConfig.ready); going back removes them.

Each index, from EXPLAIN ANALYZE on PostgreSQL with 100,000 articles, 200,000 annotations
and 4,478 published claims:

- claim_by_statement (status, statement, id), the claims index's page of 50:
    before: Seq Scan on annotations_claim rows=4478 -> Sort -> Limit, 4.7 ms before counting
    after:  Index Scan using claim_by_statement rows=50 -> Limit, 0.03 ms
  and its capped count reads the index alone (Index Only Scan, Heap Fetches: 0).
- claim_recently_updated (status, -updated), the home page's latest claims and its live
  comparison's candidates:
    before: Seq Scan on annotations_claim rows=4478, semi-join each to its annotations,
            Sort: 10.9 ms before counting
    after:  Index Scan using claim_recently_updated rows=44 -> semi-join -> Limit, 0.15 ms
- annotation_live_by_claim (claim, article) where live, the outlet count of each claim a
  page shows (claims index, home page):
    before: Bitmap Heap Scan on annotations_annotation (claim_id = ...), Heap Blocks: 2400
            for a page of 50 claims
    after:  Index Only Scan using annotation_live_by_claim, Heap Fetches: 0; the claims
            index's page query 223 ms (every claim aggregated) to 8 ms
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def remove_triggers(apps, schema_editor):
    """Going back: the count tables go, so must the triggers that write them (they are
    made after migrating, by annotations.counters.install)."""
    from annotations import counters

    counters.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0008_name_variants'),
        ('sources', '0003_quotations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
        migrations.CreateModel(
            name='TagOutletUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uses', models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='TagStoryUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uses', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='annotation',
            index=models.Index(condition=models.Q(('claim__isnull', False), ('deleted__isnull', True)), fields=['claim', 'article'], name='annotation_live_by_claim'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['status', 'statement', 'id'], name='claim_by_statement'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(fields=['status', '-updated'], name='claim_recently_updated'),
        ),
        migrations.AddField(
            model_name='tagoutletuse',
            name='outlet',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tag_uses', to='sources.outlet'),
        ),
        migrations.AddField(
            model_name='tagoutletuse',
            name='tag',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outlet_uses', to='annotations.tag'),
        ),
        migrations.AddField(
            model_name='tagstoryuse',
            name='story',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tag_uses', to='sources.story'),
        ),
        migrations.AddField(
            model_name='tagstoryuse',
            name='tag',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='story_uses', to='annotations.tag'),
        ),
        migrations.AddConstraint(
            model_name='tagoutletuse',
            constraint=models.UniqueConstraint(fields=('tag', 'outlet'), name='tag_outlet_use_unique'),
        ),
        migrations.AddConstraint(
            model_name='tagstoryuse',
            constraint=models.UniqueConstraint(fields=('tag', 'story'), name='tag_story_use_unique'),
        ),
    ]
