from django import template

register = template.Library()


@register.filter
def join_list(value):
    """Lists (tag names in the history) as "a, b"; anything else as it is."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return value
