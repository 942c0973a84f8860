"""Views of the annotations app, one module per area: browse, reader, relations."""
