"""Every published annotation in one W3C Web Annotation document, for other tools.

`manage.py export_annotations` writes an AnnotationCollection (JSON-LD) whose first and
only page holds every live annotation, as annotations.w3c writes one: tags, note, claim
(published claims only: drafts stay with the editors), stance, and the target with its
quote and position. Other W3C tools (Hypothesis, Recogito) read such a document; another
Parallax reads it with annotations.w3c.import_annotations.

It is written as it is read, a chunk of annotations at a time, so memory stays flat
whatever the count, from one snapshot of the database (a REPEATABLE READ transaction on
PostgreSQL), so that its `total` is the number of items it holds. The collection's label
says whose words the quotes are: the outlets'. Without texts, the quotes are left out
(each target keeps its position in Parallax's text of the article, when it has one).
"""

import json
from collections.abc import Callable
from typing import IO
from urllib.parse import urljoin

from django.db import connection, transaction
from django.urls import reverse

from annotations.models import Annotation
from annotations.w3c import ANNO_CONTEXT, annotation_to_w3c, for_w3c

CHUNK = 500
RIGHTS_NOTE = (
    "The quoted words belong to the outlets that published them; Parallax's editors wrote "
    "the tags, claims, stances and notes."
)


def export_annotations(
    out: IO[str],
    base_url: str,
    *,
    texts: bool = True,
    chunk_size: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the collection to `out`; returns how many annotations it holds. Two queries a
    chunk (the annotations, their tags) and one for the total."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _write(out, base_url, texts, chunk_size, progress)


def _write(out: IO[str], base_url: str, texts: bool, chunk_size: int, progress) -> int:
    annotations = Annotation.objects.visible()
    total = annotations.count()
    collection = urljoin(base_url, reverse("api:annotations"))
    label = f"Annotations of Parallax ({base_url}). {RIGHTS_NOTE}"
    if not texts:
        label += " The quoted words are left out."
    head = {
        "@context": ANNO_CONTEXT,
        "id": collection,
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
    }
    page = {"id": f"{collection}#all", "type": "AnnotationPage", "startIndex": 0}
    # The collection, its page and the page's items written around the items as they come.
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    out.write(f'{opening}, "first": {json.dumps(page, ensure_ascii=False)[:-1]}, "items": [')
    written, last = 0, 0
    while True:
        chunk = list(for_w3c(annotations.filter(pk__gt=last)).order_by("pk")[:chunk_size])
        if not chunk:
            break
        for annotation in chunk:
            item = annotation_to_w3c(annotation, base_url)
            del item["@context"]
            if not texts:
                _leave_out_quote(item)
            out.write(("\n" if not written else ",\n") + json.dumps(item, ensure_ascii=False))
            written += 1
        last = chunk[-1].pk
        if progress:
            progress(written, total)
    out.write("\n]}}\n")
    return written


def _leave_out_quote(item: dict) -> None:
    """The item without the outlet's words: no TextQuoteSelector (its `exact` is required)."""
    target = item["target"]
    kept = [s for s in target.get("selector", []) if s["type"] != "TextQuoteSelector"]
    if kept:
        target["selector"] = kept
    else:
        target.pop("selector", None)
