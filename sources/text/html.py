"""Main text and metadata out of an HTML page, with trafilatura doing the hard part."""

from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml.etree import ParserError

from sources.text.decoding import UnreadableFile


@dataclass
class ExtractedPage:
    text: str
    # Offset in `text` where reader comments begin, if the page has them.
    comments_from: int | None = None
    title: str = ""
    author: str = ""
    published: str = ""
    url: str = ""
    site_name: str = ""
    language: str = ""
    captions: set[str] = field(default_factory=set)


def extract_page(html: str) -> ExtractedPage:
    """The article in `html`: its paragraphs (one per line, blank lines between), then comments."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as error:
        raise UnreadableFile(f"the HTML could not be parsed ({error})") from None
    captions = _figures_to_paragraphs(tree)
    document = trafilatura.bare_extraction(
        tree,
        include_comments=True,
        with_metadata=True,
        favor_recall=True,
        include_tables=True,
    )
    if document is None or not (document.text or "").strip():
        raise UnreadableFile("no article text was found in this HTML page")
    body = _paragraphs(document.text)
    title = " ".join((document.title or "").split())
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    text, comments_from = body, None
    comments = _paragraphs(document.comments or "")
    if comments:
        comments_from = len(body) + 2
        text = f"{body}\n\n{comments}"
    return ExtractedPage(
        text=text,
        comments_from=comments_from,
        title=title,
        author=document.author or "",
        published=document.date or "",
        url=document.url or "",
        site_name=document.sitename or "",
        language=document.language or tree.get("lang", "").strip(),
        captions=captions,
    )


def _figures_to_paragraphs(tree) -> set[str]:
    """Keep figure captions as paragraphs (the extractor drops figures) and remember them."""
    captions = set()
    for caption in tree.iter("figcaption"):
        text = " ".join(caption.text_content().split())
        if not text:
            continue
        captions.add(text)
        figure = caption.getparent() if caption.getparent().tag == "figure" else caption
        paragraph = lxml.html.Element("p")
        paragraph.text = text
        paragraph.tail = figure.tail
        figure.getparent().replace(figure, paragraph)
    return captions


def _paragraphs(text: str) -> str:
    """One paragraph per line with a blank line between, as text saved from a browser."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
