"""Signals the sources app sends; other apps listen (sources imports none of them).

`text_revised` is sent by sources.revisions.revise_text, inside its transaction,
after an article's text was replaced and its passages rebuilt. Arguments:
`article` (already holding the new text and text_version), `old_text`,
`new_text`, `old_version` (the number the old text had) and `user` (or None).
A receiver brings what it derived from the text into line with the new text and
may return a dict of counts ({"anchored": 3, "moved": 1, ...}); revise_text adds
them up into the Correction it returns.
"""

from django.dispatch import Signal

text_revised = Signal()
