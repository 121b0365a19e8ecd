"""The client's walk of a binary COPY stream: the same verdict however the stream is cut."""

from __future__ import annotations

import asyncio
import struct
from uuid import UUID

from services.store.integrity import GENESIS, _Links, link

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = b"\xff\xff"


def _row(stored: bytes | None, position: int, topic: str, state: bytes) -> bytes:
    """One row as the verify query sends it: hash (NULL when it cannot be a link), head,
    topic, state."""
    head = struct.pack(">q", position) + UUID(int=position).bytes + struct.pack(">q", 1)
    hashed = struct.pack(">i", -1) if stored is None else struct.pack(">i", 32) + stored
    return (struct.pack(">h", 4) + hashed + struct.pack(">i", 32) + head
            + struct.pack(">i", len(topic)) + topic.encode() + struct.pack(">i", len(state))
            + state)


def _log(events: int, altered: int = 0, unlinked: int = 0) -> tuple[bytes, bytes]:
    """A stream of ``events`` rows (the state of ``altered`` changed after hashing, the hash
    of ``unlinked`` NULL), and the last stored hash."""
    rows, previous = [], GENESIS
    for position in range(1, events + 1):
        topic, state = f"domain.t:E{position % 3}", bytes(range(position % 7)) * position
        previous = link(previous, position, UUID(int=position), 1, topic, state)
        stored = None if position == unlinked else previous
        rows.append(_row(stored, position, topic, state + b"!" if position == altered else state))
    return _HEADER + b"".join(rows) + _TRAILER, previous


def _walked(stream: bytes, cuts: list[int]) -> tuple[int, int | None, int | None, bytes, int]:
    links = _Links(GENESIS, 0)

    async def feed() -> None:
        for lo, hi in zip([0, *cuts], [*cuts, len(stream)], strict=True):
            await links(stream[lo:hi])
    asyncio.run(feed())
    return links.events, links.broken, links.null_after, links.previous, links.position


def test_an_intact_stream_walks_whole_wherever_it_is_cut() -> None:
    stream, head = _log(12)
    assert _walked(stream, []) == (12, None, None, head, 12)
    for cut in range(1, len(stream)):
        assert _walked(stream, [cut]) == (12, None, None, head, 12)
    assert _walked(stream, list(range(1, len(stream)))) == (12, None, None, head, 12)


def test_an_altered_row_is_named_wherever_the_stream_is_cut() -> None:
    stream, _ = _log(12, altered=7)
    whole = _walked(stream, [])
    assert whole[:3] == (6, 7, None)
    for cut in range(1, len(stream)):
        assert _walked(stream, [cut]) == whole
    assert _walked(stream, list(range(1, len(stream)))) == whole


def test_a_row_that_cannot_be_a_link_is_counted_wherever_the_stream_is_cut() -> None:
    stream, _ = _log(12, unlinked=5)
    whole = _walked(stream, [])
    assert whole[:3] == (4, None, 4)
    for cut in range(1, len(stream)):
        assert _walked(stream, [cut]) == whole
    assert _walked(stream, list(range(1, len(stream)))) == whole
