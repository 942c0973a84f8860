from django.apps import AppConfig


class ReadingConfig(AppConfig):
    """The pages readers open (stories, outlets, articles, claims, tags, search) and the
    queries behind them: the read side, over the models of sources and annotations."""

    name = "reading"
    verbose_name = "Reading"
