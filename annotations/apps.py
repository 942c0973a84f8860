from django.apps import AppConfig

from annotations import counters
from parallax.fulltext import FullTextIndex, keep_up_to_date

# Claim statements and annotations, searched beside the passages. Neither has a
# language of its own: the `simple` configuration (no stemming) serves every language.
CLAIM_INDEX = FullTextIndex(table="annotations_claim", text="{row}.statement", watch=("statement",))
# An annotation's quoted words and its note: found by either (the claims index finds a
# claim by the words of its excerpts through it).
NOTE_INDEX = FullTextIndex(
    table="annotations_annotation",
    text="{row}.exact || ' ' || {row}.note",
    watch=("exact", "note"),
    version=2,
)


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self):
        from annotations.anchoring import reanchor_annotations
        from sources.models import Article
        from sources.signals import text_revised

        # Annotations follow a corrected text (sources never imports annotations).
        text_revised.connect(reanchor_annotations, sender=Article, dispatch_uid="reanchor")
        keep_up_to_date(self, CLAIM_INDEX, NOTE_INDEX)
        # Tag-use counts per outlet and story, kept by the database (annotations.counters).
        counters.keep_up_to_date(self)
