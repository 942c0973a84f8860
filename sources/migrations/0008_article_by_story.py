"""A story's articles with their outlets in one index (story, outlet, id), in place of
(story, outlet) (issue 13): the story page joins its story's articles in four queries (its
outlets with their article counts, the grid's stances, the shared quotations' outlet
counts and their longest renderings), and with (story, outlet) or the story_id index each
fetched every article's row from the table.

EXPLAIN ANALYZE on PostgreSQL, 100,000 articles, the biggest story (2,000 articles),
after VACUUM ANALYZE:

    outlets with article counts   Index Scan using sources_article_story_id rows=2000: 3.3 ms
                                  Index Only Scan using article_by_story rows=2000: 1.7 ms
    grid stances (30 claims)      Index Scan using sources_article_story_id,
                                  Index Scan using annotations_annotation_claim_id rows=6158: 5.8 ms
                                  Index Only Scan using article_by_story,
                                  Index Only Scan using annotation_live_by_claim: 2.1 ms
    shared quotations' outlets    Index Scan using sources_article_story_id rows=2000: 5.5 ms
                                  Index Only Scan using article_by_story rows=2000: 3.8 ms
    longest renderings            Index Scan using sources_article_story_id rows=2000: 5.3 ms
                                  Index Only Scan using article_by_story rows=2000: 3.4 ms
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0007_story_newest'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='article',
            name='sources_art_story_i_624e9d_idx',
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['story', 'outlet', 'id'], name='article_by_story'),
        ),
    ]
