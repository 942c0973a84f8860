"""An index on tag uses per story by count (issue 13), for a tag page's story filter:
the 100 stories using the tag most (reading.queries.TagUses.stories).

EXPLAIN ANALYZE on PostgreSQL, 100,000 articles, the tag "quote" in 2,000 stories:

    before: Bitmap Heap Scan on annotations_tagstoryuse (tag_id = 3) rows=2000,
            Heap Blocks: exact=1466 -> Sort (top-N heapsort) -> Limit 100: 3.1 ms
    after:  Index Only Scan using tag_story_use_ranking rows=100 -> Limit: 0.55 ms
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0010_claim_counts'),
        ('sources', '0006_quotation_traced_by_article'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='tagstoryuse',
            index=models.Index(fields=['tag', '-uses', 'story'], name='tag_story_use_ranking'),
        ),
    ]
