"""Path converters the routes of several apps use, registered on import."""

from django.urls import register_converter


class UnicodeSlugConverter:
    """A slug in any script ("признание", "承认", "framing"): what
    slugify(..., allow_unicode=True) makes, and what SlugField(allow_unicode=True) accepts.
    Django's own `slug` converter takes ASCII only, so a tag named in Cyrillic could not be
    reversed and every page showing it failed."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "unicode_slug")
