"""The tests' page walks end: a cursor that does not move fails the walk instead of hanging
it (tests/support/paging.py)."""

from __future__ import annotations

import pytest

from tests.support.paging import MAX_PAGES, next_cursor, too_many_pages

pytestmark = pytest.mark.unit


def test_a_cursor_that_does_not_move_fails_the_walk() -> None:
    assert next_cursor({"hasNextPage": True, "endCursor": "b"}, "a") == "b"
    assert next_cursor({"hasNextPage": False, "endCursor": "b"}, "a") is None
    with pytest.raises(AssertionError, match="did not move"):
        next_cursor({"hasNextPage": True, "endCursor": "a"}, "a")
    with pytest.raises(AssertionError, match="without an endCursor"):
        next_cursor({"hasNextPage": True, "endCursor": None}, "a")


def _walk_endless_list() -> None:
    after: str | None = None
    for n in range(MAX_PAGES):
        after = next_cursor({"hasNextPage": True, "endCursor": f"c{n}"}, after)
        if after is None:
            break
    else:
        raise too_many_pages()


def test_a_list_that_always_has_a_next_page_fails_after_the_bound() -> None:
    with pytest.raises(AssertionError, match=f"after {MAX_PAGES} pages"):
        _walk_endless_list()
