from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self):
        from annotations.anchoring import reanchor_annotations
        from sources.models import Article
        from sources.signals import text_revised

        # Annotations follow a corrected text (sources never imports annotations).
        text_revised.connect(reanchor_annotations, sender=Article, dispatch_uid="reanchor")
