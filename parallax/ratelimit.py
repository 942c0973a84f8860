"""Counting requests in fixed windows of time, in Django's cache (locmem, files, Redis).

Each window has its own counter key, made with `add` (which never overwrites) and moved
with `incr`, atomic in Redis and in the in-memory cache (the file cache reads and
writes: two processes may then count one request less, never more).
"""

import math
import time

from django.core.cache import cache


def hit(key: str, limit: int, window: int, *, now: float | None = None) -> int | None:
    """Count one request under `key`; None while within `limit` requests per `window`
    seconds, else the seconds until the window ends (for Retry-After, at least 1)."""
    now = time.time() if now is None else now
    number = int(now // window)
    counter = f"ratelimit:{key}:{window}:{number}"
    # Kept a little past its window, so a late incr never finds it gone mid-window.
    cache.add(counter, 0, timeout=window + 5)
    try:
        count = cache.incr(counter)
    except ValueError:
        # Evicted between add and incr (a full cache): start it again.
        cache.set(counter, 1, timeout=window + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((number + 1) * window - now))
