from django.core.management.base import BaseCommand

from sources import quotations
from sources.models import Article


class Command(BaseCommand):
    help = (
        "Find the quotations of stored articles again (all, or those given by id) and trace "
        "them across outlets. Editors' corrections of speakers, verbs and traces are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Article ids (default: all).")

    def handle(self, *args, ids, **options):
        articles = Article.objects.select_related("outlet").order_by("pk")
        if ids:
            articles = articles.filter(pk__in=ids)
        total = articles.count()
        done, found, traced, pending = 0, 0, 0, []

        def flush():
            nonlocal found, traced, pending
            found += len(pending)
            traced += quotations.trace(pending)
            pending = []
            self.stdout.write(f"[{done}/{total}] articles, {found} quotations, {traced} traced")

        # Extracted an article at a time (a text is loaded only while it is read) and traced
        # a hundred articles at a time: each meets the quotations stored before it.
        for article in articles.iterator(chunk_size=100):
            pending.extend(quotations.extract(article))
            done += 1
            if done % 100 == 0:
                flush()
        if pending or done % 100:
            flush()
        self.stdout.write(f"{found} quotations in {done} articles; {traced} traced across outlets")
