from django.apps import AppConfig


class ParallaxConfig(AppConfig):
    """The settings package, also home to project-wide models: the audit log and login delays."""

    name = "parallax"
    label = "parallax"
    verbose_name = "Parallax"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parallax import audit, generation, page_cache

        audit.connect_signals()
        # The content generation's triggers, made again after every migration.
        generation.keep_up_to_date(self)
        page_cache.connect_signals()
