"""Tags printing the fragments of reading.fragments: `{% load fragments %}`, then
`{% excerpt excerpt show_outlet=True %}`, `{% annotation_items annotations show_drafts urls %}`,
`{% tag_uses annotations tag show_drafts %}`, `{% passages blocks %}` (reading.passages) or
`{% tag_list tags %}`."""

from django import template

from reading import fragments
from reading.passages import blocks_html

register = template.Library()


@register.simple_tag
def excerpt(excerpt, show_outlet=False):
    return fragments.excerpt_html(excerpt, show_outlet=show_outlet)


@register.simple_tag
def annotation_items(annotations, show_drafts, urls):
    return fragments.annotation_items_html(annotations, show_drafts=bool(show_drafts), urls=urls)


@register.simple_tag
def tag_uses(annotations, tag, show_drafts):
    return fragments.tag_uses_html(annotations, tag, show_drafts=bool(show_drafts))


@register.simple_tag
def passages(blocks):
    return blocks_html(blocks)


@register.simple_tag
def tag_list(tags):
    return fragments.tag_list_html(tags)


@register.simple_tag
def column(column, comparison):
    return fragments.column_html(
        column, compact=comparison.compact, mixed_languages=comparison.mixed_languages
    )


@register.simple_tag
def outlet_checkboxes(outlets, chosen):
    return fragments.outlet_checkboxes_html(outlets, chosen)


@register.simple_tag
def outlet_links(outlets):
    return fragments.outlet_links_html(outlets)


@register.simple_tag
def article_items(articles, show_byline=False, show_story=False):
    return fragments.article_items_html(
        articles, show_byline=bool(show_byline), show_story=bool(show_story)
    )
