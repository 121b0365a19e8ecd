"""Walking a connection page by page, in a test that cannot hang.

A cursor that stops advancing (or a ``hasNextPage`` that never turns false) would loop a
``while True:`` walk forever; these walks are bounded and check that each cursor moved.
"""

from __future__ import annotations

from typing import Any

MAX_PAGES = 100  # far above any list a test builds; reaching it means the walk never ends


def next_cursor(page_info: dict[str, Any], after: str | None) -> str | None:
    """The cursor of the next page, or None on the last one; fails if it did not move."""
    if not page_info["hasNextPage"]:
        return None
    cursor = page_info["endCursor"]
    assert isinstance(cursor, str), f"hasNextPage without an endCursor: {page_info}"
    assert cursor != after, f"the cursor did not move past {after!r}"
    return cursor


def too_many_pages(limit: int = MAX_PAGES) -> AssertionError:
    return AssertionError(f"no last page after {limit} pages: the walk would never end")
