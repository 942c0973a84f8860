"""Views of the reading pages, one module per kind of page."""
