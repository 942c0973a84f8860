"""The home page's live comparison: one published claim, its first outlets side by side.

live_comparison() runs two bounded queries (reading/queries.py); the rest are plain
functions over their rows, tested without a database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reading import queries
from reading.comparison import Excerpt, context_in_window

# Look for a claim carried by two outlets among this many of the latest published claims,
# and show this many outlets of it: enough to compare, few enough to stay compact.
SHOWCASE_CANDIDATES = 20
SHOWCASE_OUTLETS = 3


@dataclass
class Showcase:
    claim: Any
    excerpts: list[Excerpt]
    # How many outlets carry the claim in all: the "See all n outlets" link.
    outlet_count: int

    @property
    def more(self) -> bool:
        return self.outlet_count > len(self.excerpts)


def pick_claim(candidates: Sequence[Any]) -> Any | None:
    """The first claim (candidates come latest first) carried by at least two outlets, or
    failing that the first one at all; None when there is none. Each has `outlet_count`."""
    for claim in candidates:
        if claim.outlet_count >= 2:
            return claim
    return candidates[0] if candidates else None


def excerpt_in_window(annotation: Any) -> Excerpt:
    """The annotation's excerpt, its sentence around it taken from `context` (the text from
    `context_start`, as first_excerpt_per_outlet() cuts it) rather than the whole text."""
    return Excerpt(annotation, *context_in_window(annotation))


def live_comparison() -> Showcase | None:
    """The latest published claim that two outlets carry (or failing that, one), with its
    first outlets' excerpts; None when no published claim has an annotation. Two queries."""
    claim = pick_claim(list(queries.claims_to_showcase()[:SHOWCASE_CANDIDATES]))
    if claim is None:
        return None
    annotations = queries.first_excerpt_per_outlet(claim, SHOWCASE_OUTLETS)
    return Showcase(
        claim=claim,
        excerpts=[excerpt_in_window(annotation) for annotation in annotations],
        outlet_count=claim.outlet_count,
    )
