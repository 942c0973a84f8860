"""An index on stories, newest first (issue 13), for the claims index's story filter: the
100 newest stories with claims (reading.queries.stories_with_claims).

EXPLAIN ANALYZE on PostgreSQL, 2,000 stories, 4,441 claims:

    before: Seq Scan on annotations_claim rows=4006 -> HashAggregate -> Hash Join
            Seq Scan on sources_story rows=2000 -> Sort (top-N heapsort) -> Limit: 2.6 ms
    after:  Index Only Scan using story_newest rows=114 -> Nested Loop Semi Join
            Index Scan on claims by story -> Limit: 0.69 ms
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0006_quotation_traced_by_article'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='story',
            index=models.Index(fields=['-created', '-id'], name='story_newest'),
        ),
    ]
