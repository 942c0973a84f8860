"""What a shared link shows before it is opened: the title, description and address that
templates/_share_meta.html turns into a description, Open Graph and Twitter card tags.

Link previews are fetched by chat apps and search engines as readers, so each description
says only what a reader sees: published claims only, never a draft's statement or count.
Every function here formats objects the view has already loaded; none queries.
"""

from urllib.parse import urlencode

from django.templatetags.static import static
from django.utils.text import Truncator

# Long enough for a chat preview, short enough that none cuts it mid-sentence on its own.
DESCRIPTION_LENGTH = 300
TITLE_LENGTH = 120
# A PNG: Open Graph consumers do not all read SVG.
SHARE_IMAGE = "img/icon-192.png"


def plural(count: int, singular: str, plural_form: str = "") -> str:
    """ "1 article", "3 articles"."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def cut(text: str, length: int) -> str:
    """`text` on one line, cut at a word boundary with "…" when longer than `length`."""
    return Truncator(" ".join(text.split())).chars(length)


def share_meta(request, *, title: str, description: str, path: str, type: str = "website") -> dict:
    """The `share` context base.html renders: absolute addresses, texts cut to size."""
    return {
        "title": cut(title, TITLE_LENGTH),
        "description": cut(description, DESCRIPTION_LENGTH),
        "url": request.build_absolute_uri(path),
        "type": type,
        "image": request.build_absolute_uri(static(SHARE_IMAGE)),
    }


def long_date(value) -> str:
    """ "3 March 2024", without a leading zero, or "" for no date."""
    return f"{value.day} {value:%B %Y}" if value else ""


def story_share(request, story, *, article_count: int, outlet_count: int, claims) -> dict:
    """A story page: its size (articles, outlets, published claims) and its description."""
    published = sum(1 for claim in claims if claim.is_published)
    facts = (
        f"{plural(article_count, 'article')} from {plural(outlet_count, 'outlet')}, "
        f"{plural(published, 'claim')} compared."
    )
    description = f"{facts} {story.description}" if story.description.strip() else facts
    return share_meta(
        request, title=story.title, description=description, path=story.get_absolute_url()
    )


def article_share(request, article, *, annotation_count: int) -> dict:
    """An article page: its outlet, date and byline, and how many annotations it has."""
    source = ", ".join(part for part in (article.outlet.name, long_date(article.published)) if part)
    byline = f" By {article.byline}." if article.byline.strip() else ""
    description = (
        f"{source}.{byline} {plural(annotation_count, 'annotation')}. "
        f"Part of the story “{article.story.title}”."
    )
    return share_meta(
        request,
        title=f"{article.title} ({article.outlet.name})",
        description=description,
        path=article.get_absolute_url(),
        type="article",
    )


def annotation_share(request, annotation) -> dict:
    """An annotation permalink: the quote, its tags, and its claim when published."""
    article = annotation.article
    parts = [f"“{cut(annotation.exact, 200)}”"]
    tags = [tag.name for tag in annotation.tag_list]
    if tags:
        parts.append(f"Tagged {', '.join(tags)}.")
    if annotation.claim_id and annotation.claim.is_published:
        parts.append(f"Claim: {annotation.claim.statement}")
    return share_meta(
        request,
        title=f"Annotation on “{article.title}” ({article.outlet.name})",
        description=" ".join(parts),
        path=annotation.get_absolute_url(),
        type="article",
    )


def tag_share(request, tag, *, total: int, outlet_count: int, story=None, filtered=False) -> dict:
    """A tag page: its definition and how widely it is used, within `story` when the page is
    filtered to one (`filtered` with no `story`: the filter names no story, nothing shows)."""
    path = tag.get_absolute_url()
    title = f"Tag “{tag.name}”"
    if story:
        path += "?" + urlencode({"story": story.slug})
        title += f" in “{story.title}”"
        uses = (
            f"Used {plural(total, 'time')} across {plural(outlet_count, 'outlet')} in this story."
        )
    elif filtered:
        uses = "Not used in the story asked for."
    else:
        uses = f"Used {plural(total, 'time')} across {plural(outlet_count, 'outlet')}."
    definition = tag.definition.strip()
    return share_meta(
        request,
        title=title,
        description=f"{definition} {uses}" if definition else uses,
        path=path,
    )


def outlet_share(request, outlet, *, article_count: int, language: str = "") -> dict:
    """An outlet page: where it publishes from, in what language, and how many articles."""
    facts = ", ".join(part for part in (outlet.country, language) if part)
    where = f" ({facts})" if facts else ""
    return share_meta(
        request,
        title=outlet.name,
        description=f"{outlet.name}{where}: {plural(article_count, 'article')} in Parallax, "
        "with how it reported each claim.",
        path=outlet.get_absolute_url(),
    )
