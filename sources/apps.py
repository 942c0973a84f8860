from django.apps import AppConfig

from parallax.fulltext import FullTextIndex, keep_up_to_date

# Each passage's words, in its article's language (or its outlet's): search finds
# passages, and a corrected text's new passages are indexed as they are written.
PASSAGE_INDEX = FullTextIndex(
    table="sources_passage",
    text=(
        '(SELECT substr(a.text, {row}.start + 1, {row}."end" - {row}.start) '
        "FROM sources_article a WHERE a.id = {row}.article_id)"
    ),
    watch=("start", "end", "article_id"),
    language=(
        "(SELECT coalesce(nullif(a.language, ''), o.language) FROM sources_article a "
        "JOIN sources_outlet o ON o.id = a.outlet_id WHERE a.id = {row}.article_id)"
    ),
    follows=(
        ("sources_article", ("language",), "{row}.article_id = NEW.id"),
        (
            "sources_outlet",
            ("language",),
            "{row}.article_id IN (SELECT id FROM sources_article WHERE outlet_id = NEW.id)",
        ),
    ),
)


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self):
        keep_up_to_date(self, PASSAGE_INDEX)
