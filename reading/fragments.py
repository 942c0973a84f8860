"""The fragments a page repeats hundreds of times (an excerpt on the claim page, an
annotation beside the article, a tag list), built as strings.

A claim page shows up to 500 excerpts and an article up to hundreds of annotations: each as
an {% include %} costs a context copy and a template walk, which was three quarters of
those pages' time. These functions write the same markup directly, every value through
`_e()` (what Django's escape() does, without its lazy-string wrapper, which costs more than
the escaping), and the templates print them through the tags in
reading/templatetags/fragments.py. They read only what the view loaded: no query.
"""

import datetime
import html
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import get_current_timezone, is_aware, localtime
from django.utils.translation import get_language

from annotations.models import Annotation, Tag
from reading import addresses
from reading.addresses import PLACEHOLDER
from reading.passages import mark_classes

PROPOSED_NOTE = '<span class="visually-hidden"> (a proposed tag, not yet in the vocabulary)</span>'
PROPOSED_LABEL = ' <span class="tag-proposed-label" aria-hidden="true">proposed</span>'
ANCHOR_NOTES = {
    "orphaned": (
        '<p class="anchor-status anchor-orphaned"><span class="badge badge-orphaned">orphaned'
        "</span> its words are no longer in the article</p>"
    ),
    "review": (
        '<p class="anchor-status anchor-review"><span class="badge badge-review">in review'
        "</span> the article was corrected; an editor is checking where these words stand "
        "now</p>"
    ),
}
# Each stance's label, as get_stance_display() gives it, without its lookup per call.
STANCES = dict(Annotation.Stance.choices)
ITEM_BADGES = {
    "review": '<p><span class="badge badge-review">in review</span></p>',
    "orphaned": (
        '<p><span class="badge badge-orphaned">orphaned</span> its words are no longer '
        "in the article</p>"
    ),
}


def _e(value) -> str:
    """`value` escaped for HTML text and attributes, as Django's escape() does."""
    return html.escape(str(value))


def _local(value: datetime.datetime) -> datetime.datetime:
    """An aware time in the current time zone, as the |date filter shows it."""
    return localtime(value) if is_aware(value) else value


@lru_cache(maxsize=128)
def _month(month: int, language: str | None) -> str:
    """The month's short name in `language` (the active one: MONTHS_3 translates lazily)."""
    return str(MONTHS_3[month]).title()


@lru_cache(maxsize=128)
def _month_name(month: int, language: str | None) -> str:
    """The month's full name in `language` (the active one)."""
    return str(MONTHS[month])


def _long_day(value: datetime.date) -> str:
    """ "5 March 2024": the |date:"j F Y" of the templates."""
    return f"{value.day} {_month_name(value.month, get_language())} {value.year}"


def _day(value: datetime.date, language: str | None = None) -> str:
    """ "5 Mar 2024": the |date:"j M Y" of the templates, without its format parser, in
    `language`, the active one (get_language(), which a list of dates looks up once)."""
    return f"{value.day} {_month(value.month, language or get_language())} {value.year}"


def _around_id(address: str) -> tuple[str, str]:
    """An address made with PLACEHOLDER for the id, escaped, as the text before and after
    the id: a list's hundreds of addresses are made by putting each id between them."""
    before, _, after = _e(address).partition(PLACEHOLDER)
    return before, after


def _lines(text: str) -> str:
    """What |linebreaksbr makes of a note: escaped, each line break a <br>."""
    return _e(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def tag_list_html(tags) -> SafeString:
    """A list of tag chips linking to their pages (templates/annotations/_tag_list.html)."""
    if not tags:
        return mark_safe("")
    # A page repeats a few sets of tags hundreds of times: each set is written once, under
    # all it shows (and the address prefix its links take).
    shown = tuple((tag.pk, tag.name, tag.slug, tag.status) for tag in tags)
    return _tag_list(shown, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=1024)
def _tag_list(shown: tuple, prefix: str, urlconf) -> SafeString:
    items = []
    for pk, name, slug, status in shown:
        proposed = status == Tag.Status.PROPOSED
        items.append(
            f'<li class="tag-chip tag-{_e(pk)}{" tag-proposed" if proposed else ""}">'
            f'<a href="{_e(addresses.tag(slug))}">{_e(name)}'
            f"{PROPOSED_NOTE if proposed else ''}</a>{PROPOSED_LABEL if proposed else ''}</li>"
        )
    return mark_safe(f'<ul class="tag-list" aria-label="Tag list">{"".join(items)}</ul>')


def excerpt_html(excerpt, *, show_outlet: bool = False) -> SafeString:
    """One outlet's wording on the claim page: its article, date and stance, the quote in its
    sentence, tags, note and links (reading.comparison.Excerpt)."""
    annotation, article = excerpt.annotation, excerpt.article
    pk = _e(annotation.pk)
    permalink = _e(annotation.get_absolute_url())
    href = f"{_e(article.get_absolute_url())}#hl-{pk}" if excerpt.anchored else permalink
    lang = f' lang="{_e(excerpt.lang)}"' if excerpt.lang else ""
    outlet = (
        f'<span class="excerpt-outlet">{_e(article.outlet.name)}:</span> ' if show_outlet else ""
    )
    published = article.published
    date = (
        f'<time datetime="{published.isoformat()}">{_e(_day(published))}</time>'
        if published
        else "Undated"
    )
    stance = (
        f' · <span class="stance stance-{_e(annotation.stance)}">'
        f"{_e(STANCES.get(annotation.stance, annotation.stance))}</span>"
        if annotation.stance
        else ""
    )
    tags = annotation.tag_list
    title = _e(", ".join(str(tag) for tag in tags) or "annotation")
    note = (
        f'  <p class="excerpt-note"><span class="label">Note:</span> {_lines(annotation.note)}'
        "</p>\n"
        if annotation.note
        else ""
    )
    original = excerpt.original_url
    original_link = (
        f'<a href="{_e(original)}" rel="noopener noreferrer">Original article</a>'
        if original
        else ""
    )
    return mark_safe(
        f'<article class="excerpt" aria-labelledby="excerpt-{pk}">\n'
        f'  <h3 class="excerpt-title" id="excerpt-{pk}">\n'
        f'    {outlet}<a href="{href}"{lang}>{_e(article.title)}</a>\n  </h3>\n'
        f'  <p class="meta">{date}{stance}</p>\n'
        f"{ANCHOR_NOTES.get(annotation.anchor_status, '')}"
        f'  <blockquote class="excerpt-text"{lang}>{_e(excerpt.before)}'
        f'<mark class="hl {_e(" ".join(mark_classes(tags)))}" title="{title}">'
        f"{_e(annotation.exact)}</mark>{_e(excerpt.after)}</blockquote>\n"
        f"  {tag_list_html(tags)}\n{note}"
        f'  <p class="excerpt-links">\n    <a href="{permalink}">Permalink</a>\n'
        f"    {original_link}\n  </p>\n</article>"
    )


def annotation_items_html(annotations, *, show_drafts: bool, urls: dict) -> SafeString:
    """The annotations in the article's panel, each an item with its quote, tags, claim,
    stance, note, author and links. `urls` holds the article's edit and find addresses,
    reversed once for the page (annotation_urls())."""
    panel = _Panel(show_drafts, urls)
    return mark_safe("\n".join(_annotation_item(annotation, panel) for annotation in annotations))


class _Panel:
    """What the items of one panel share, looked up once for the list rather than once per
    item (an article has hundreds): the time zone and language (context-local lookups), the
    addresses around an annotation's id, and the markup of each claim, editor and set of
    tags, which many items repeat."""

    def __init__(self, show_drafts: bool, urls: dict):
        self.show_drafts = show_drafts
        self.zone = get_current_timezone()
        self.language = get_language()
        # What annotation.get_absolute_url() gives, around the id: (before, after).
        self.permalink = _around_id(addresses.annotation(PLACEHOLDER))
        self.edit = _around_id(urls["edit"])
        self.find = _e(urls["find"])
        self._claims: dict = {}
        self._editors: dict = {}
        self._tags: dict = {}

    def claim(self, claim) -> str:
        """The claim's <dt>/<dd> pair ("" for a draft a reader may not see)."""
        if claim.pk not in self._claims:
            shown = ""
            if self.show_drafts or claim.is_published:
                draft = "" if claim.is_published else ' <span class="badge">draft</span>'
                shown = (
                    f'<dt>Claim</dt><dd><a href="{_e(claim.get_absolute_url())}">'
                    f"{_e(claim.statement)}</a>{draft}</dd>"
                )
            self._claims[claim.pk] = shown
        return self._claims[claim.pk]

    def editor(self, author) -> str:
        key = author.pk if author else None
        if key not in self._editors:
            self._editors[key] = _e((author.get_username() if author else "") or "unknown editor")
        return self._editors[key]

    def tags(self, tags) -> str:
        key = tuple(tag.pk for tag in tags)
        if key not in self._tags:
            self._tags[key] = tag_list_html(tags)
        return self._tags[key]


def _annotation_item(annotation, panel: _Panel) -> str:
    # An id is an integer: it needs no escaping.
    pk = str(annotation.pk)
    anchored = annotation.anchor_status == "anchored"
    facts = []
    claim = annotation.claim
    if claim is not None:
        facts.append(panel.claim(claim))
    if annotation.stance:
        stance = STANCES.get(annotation.stance, annotation.stance)
        facts.append(f"<dt>Stance</dt><dd>{_e(stance)}</dd>")
    if annotation.note:
        facts.append(f'<dt>Note</dt><dd class="annotation-note">{_lines(annotation.note)}</dd>')
    links = [f'<a href="#hl-{pk}">Show in text</a>'] if anchored else []
    before, after = panel.permalink
    links.append(f'<a href="{before}{pk}{after}">Permalink</a>')
    if getattr(annotation, "can_change", False):
        before, after = panel.edit
        links.append(f'<a href="{before}{pk}{after}">Edit</a>')
    if panel.show_drafts and anchored:
        links.append(f'<a href="{panel.find}?annotation={pk}" data-find>Find in other outlets</a>')
    created = annotation.created
    if is_aware(created):
        created = created.astimezone(panel.zone)
    exact = annotation.exact
    return (
        f'<li class="annotation-item" id="annotation-{pk}" data-annotation="{pk}">\n'
        f'  <blockquote class="annotation-quote">'
        f"{_e(exact if len(exact) <= 200 else Truncator(exact).chars(200))}"
        f"</blockquote>\n  {ITEM_BADGES.get(annotation.anchor_status, '')}\n"
        f"  {panel.tags(annotation.tag_list)}\n"
        f'  <dl class="annotation-facts">\n    {"".join(facts)}\n  </dl>\n'
        f'  <p class="meta">\n'
        f"    {panel.editor(annotation.author)},\n"
        f'    <time datetime="{created.isoformat()}">{_e(_day(created, panel.language))}</time>\n'
        f'  </p>\n  <p class="annotation-links">\n    {chr(10).join(links)}\n  </p>\n</li>'
    )


def tag_uses_html(annotations, tag, *, show_drafts: bool) -> SafeString:
    """Uses of `tag` on the tag page (reading.queries.TagUses.shown()), each with its
    article, date, stance, quote, claim, note and its other tags.

    What the cards repeat is looked up once for the list: the language of the dates, the
    address around an article's id, and each claim's and tag's address (context-local
    lookups, about seven a card)."""
    language = get_language()
    article_url = _around_id(addresses.article(PLACEHOLDER))
    urls: dict = {}
    return mark_safe(
        "\n".join(
            _tag_use(use, tag, show_drafts, language, article_url, urls) for use in annotations
        )
    )


def _tag_use(
    annotation, tag, show_drafts: bool, language: str | None, article_url: tuple, urls: dict
) -> str:
    # An id is an integer: it needs no escaping.
    pk = str(annotation.pk)
    article = annotation.article
    published = article.published
    date = (
        f'<time datetime="{published.isoformat()}">{_e(_day(published, language))}</time>'
        if published
        else "Undated"
    )
    stance = (
        f" · Stance: {_e(STANCES.get(annotation.stance, annotation.stance).lower())}"
        if annotation.stance
        else ""
    )
    exact = annotation.exact
    claim = annotation.claim
    claim_line = ""
    if claim is not None and (show_drafts or claim.is_published):
        href = urls.get(("claim", claim.pk))
        if href is None:
            href = urls["claim", claim.pk] = _e(claim.get_absolute_url())
        draft = "" if claim.is_published else ' <span class="badge badge-draft">Draft</span>'
        claim_line = (
            f'\n  <p class="tag-use-claim"><span class="label">Claim:</span> '
            f'<a href="{href}">{_e(claim.statement)}</a>{draft}</p>'
        )
    note = (
        f'\n  <p class="tag-use-note"><span class="label">Note:</span> '
        f"{_lines(annotation.note)}</p>"
        if annotation.note
        else ""
    )
    others = annotation.tag_list
    tags = ""
    if len(others) > 1:
        names = []
        for other in others:
            name = _e(other.name)
            if other.pk != tag.pk:
                href = urls.get(("tag", other.pk))
                if href is None:
                    href = urls["tag", other.pk] = _e(other.get_absolute_url())
                name = f'<a href="{href}">{name}</a>'
            names.append(name + (" (proposed)" if other.is_proposed else ""))
        tags = (
            f'\n  <p class="meta tag-use-tags"><span class="label">Tags:</span> '
            f"{', '.join(names)}</p>"
        )
    before, after = article_url
    return (
        f'<article class="tag-use" aria-labelledby="use-{pk}">\n'
        f'  <h4 class="tag-use-title" id="use-{pk}"><a href="{before}{article.pk}{after}'
        f'#hl-{pk}">{_e(article.title)}</a></h4>\n'
        f'  <p class="meta">{date}{stance}</p>\n'
        f'  <blockquote class="tag-use-quote">'
        f"{_e(exact if len(exact) <= 600 else Truncator(exact).chars(600))}</blockquote>"
        f"{claim_line}{note}{tags}\n</article>"
    )


def article_items_html(articles, *, show_byline: bool = False, show_story: bool = False):
    """Articles as list items: title, date, and the byline or the story when asked
    (templates/reading/_article_item.html, for a page of fifty)."""
    items = []
    for article in articles:
        published = article.published
        date = (
            f'<time datetime="{published.isoformat()}">{_e(_long_day(published))}</time>'
            if published
            else '<span class="undated">Undated</span>'
        )
        byline = (
            f' · <span class="byline">{_e(article.byline)}</span>'
            if show_byline and article.byline
            else ""
        )
        story = (
            f' · in <a href="{_e(article.story.get_absolute_url())}">{_e(article.story.title)}</a>'
            if show_story
            else ""
        )
        items.append(
            f'<li><a class="article-title" href="{_e(article.get_absolute_url())}">'
            f'{_e(article.title)}</a>\n<p class="meta">{date}{byline}{story}</p>\n</li>'
        )
    return mark_safe("\n".join(items))


def annotation_urls(article_id: int) -> dict:
    """The article's annotation addresses that are not reading pages, reversed once."""
    return {
        # The edit address, PLACEHOLDER for the annotation's id (_around_id()).
        "edit": reverse("annotations:annotation-edit", args=[PLACEHOLDER]),
        "find": reverse("annotations:article-find", args=[article_id]),
    }


def column_html(column, *, compact: bool, mixed_languages: bool) -> SafeString:
    """One outlet's column on the claim page (reading.comparison.Column): its name, the
    verbs it quotes with, its language when the columns' languages mix, its first date and
    its excerpts; in the `compact` layout, the first excerpt and the rest folded."""
    outlet = column.outlet
    slug, name = _e(outlet.slug), _e(outlet.name)
    verbs = (
        f'<p class="meta column-verbs">Quoting verbs: {", ".join(_e(v) for v in column.verbs)}</p>'
        if column.verbs
        else ""
    )
    language = (
        f'<span class="column-language">{_e(column.language_name)}</span> · '
        if mixed_languages and column.language
        else ""
    )
    first = column.first_published
    date = (
        f'First published <time datetime="{first.isoformat()}">{_e(_day(first))}</time>'
        if first
        else "Undated"
    )
    if compact:
        rest = column.rest
        excerpts = excerpt_html(column.excerpts[0]) if column.excerpts else ""
        if rest:
            more = f"{len(rest)} more excerpt{'' if len(rest) == 1 else 's'} from {name}"
            folded = "".join(excerpt_html(excerpt) for excerpt in rest)
            excerpts += (
                f'\n<details class="more-excerpts">\n<summary>{more}</summary>\n{folded}\n'
                "</details>"
            )
    else:
        excerpts = "".join(excerpt_html(excerpt) for excerpt in column.excerpts)
    return mark_safe(
        f'<section class="column" aria-labelledby="outlet-{slug}">\n'
        f'  <h2 class="column-head" id="outlet-{slug}"><a href="{_e(outlet.get_absolute_url())}">'
        f"{name}</a></h2>\n  {verbs}\n"
        f'  <p class="meta">{language}{date}</p>\n  {excerpts}\n</section>'
    )


def outlet_checkboxes_html(outlets, chosen) -> SafeString:
    """The claim page's outlet filter: a checkbox for each outlet, ticked when chosen."""
    chosen = set(chosen)
    return mark_safe(
        "\n".join(
            f'<label class="check"><input type="checkbox" name="outlets" '
            f'value="{_e(outlet.slug)}"{" checked" if outlet.slug in chosen else ""}> '
            f"{_e(outlet.name)}</label>"
            for outlet in outlets
        )
    )


def outlet_links_html(outlets) -> SafeString:
    """Outlets as list items linking to their pages."""
    return mark_safe(
        "".join(
            f'<li><a href="{_e(outlet.get_absolute_url())}">{_e(outlet.name)}</a></li>'
            for outlet in outlets
        )
    )
