"""An index on articles by outlet and date (issue 13), for the tag page.

The tag page shows each outlet's first uses of a tag, by article date: one LIMIT per
outlet (reading.queries.TagUses.shown). Without this index each outlet's part read all the
outlet's articles and sorted their annotations; with it the database walks the outlet's
articles in date order and stops once it has found enough. EXPLAIN ANALYZE on PostgreSQL,
100,000 articles in 200 outlets, 200,000 annotations, the tag "quote" on 50,000 of them:

    before, per outlet:  Limit -> Sort (top-N heapsort)
                           -> Bitmap Heap Scan on sources_article (outlet_id = 45) rows=500
                              -> annotations by article rows=989 -> tagged rows=495
                         7 to 13 ms an outlet; the page's 25 outlets 438 ms
    after, per outlet:   Limit -> Incremental Sort (presorted: published, article_id)
                           -> Index Only Scan using article_by_outlet_date rows=21
                              -> annotations by article rows=42 -> tagged rows=21
                         0.3 ms an outlet; the page's query 11 ms (8.8 of them planning)
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0004_import_jobs'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['outlet', 'published', 'id'], name='article_by_outlet_date'),
        ),
    ]
