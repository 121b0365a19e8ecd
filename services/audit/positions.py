"""Points in a tenant's log: a position, or a date-time resolved to a position.

"As of 10 April" means: the log as it stood after the last event recorded by then. Event
timestamps are taken when the event is created, just before the append, so they rise with
the position (up to the few milliseconds two concurrent writers may overlap); a binary
search over positions finds the boundary in ~20 indexed probes, even in a 1M-event log.
"""

from __future__ import annotations

from datetime import datetime

from domain.errors import ValidationFailedError
from storage.db import DbConn

EVENTS_TABLE = "evaluations_events"
_TIMESTAMP = "(convert_from(state, 'UTF8')::jsonb #>> '{timestamp,_data_}')::timestamptz"


def parse_point(text: str | None) -> int | datetime | None:
    """``123`` → a position; ``2026-04-10`` or ``2026-04-10T12:00+07:00`` → a date-time."""
    if text is None or text == "":
        return None
    if text.isdigit():
        if len(text) > 18:  # past any position a log can reach (int8)
            raise PositionOutOfRangeError(
                f"Vị trí {text[:24]}… vượt quá mọi vị trí của nhật ký.",
                f"Position {text[:24]}… is beyond any position of the log.")
        return int(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailedError(
            f"'{text}' không phải vị trí hay thời điểm hợp lệ (ví dụ 1200 hoặc 2026-04-10).",
            f"'{text}' is neither a position nor a date-time (e.g. 1200 or 2026-04-10).",
        ) from None
    if when.tzinfo is None:  # a bare date means Vietnam's local time
        from zoneinfo import ZoneInfo

        when = when.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return when


async def position_at(conn: DbConn, schema: str, when: datetime,
                      table: str = EVENTS_TABLE) -> int:
    """The position of the last event recorded at or before ``when`` (0: none)."""
    t = f"{schema}.{table}"
    lo = int(await conn.fetchval(f"SELECT coalesce(min(notification_id), 1) FROM {t}"))
    hi = int(await conn.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {t}"))
    found = 0
    probe = f"SELECT notification_id, {_TIMESTAMP} AS ts FROM {t} " \
            "WHERE notification_id >= $1 ORDER BY notification_id LIMIT 1"
    while lo <= hi:
        mid = (lo + hi) // 2
        row = await conn.fetchrow(probe, mid)
        if row is None or row["notification_id"] > hi:
            hi = mid - 1
            continue
        if row["ts"] <= when:
            found = row["notification_id"]
            lo = row["notification_id"] + 1
        else:
            hi = mid - 1
    return found


class PositionOutOfRangeError(ValidationFailedError):
    code = "POSITION_OUT_OF_RANGE"


async def resolve(conn: DbConn, schema: str, point: int | datetime | None,
                  default: int) -> int:
    """A point → a position of the log. A position past the log's head is refused: the
    log as it stood "after event 999999999" has not happened (a date-time in the future
    is simply the log as it stands now)."""
    if point is None:
        return default
    if isinstance(point, int):
        head = int(await conn.fetchval(
            f"SELECT coalesce(max(notification_id), 0) FROM {schema}.{EVENTS_TABLE}"))
        if point > head:
            raise PositionOutOfRangeError(
                f"Vị trí {point} nằm sau vị trí cuối cùng của nhật ký ({head}).",
                f"Position {point} is after the last position of the log ({head}).")
        return point
    return await position_at(conn, schema, point)
