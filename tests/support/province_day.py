"""The day the demo province is loaded on in tests.

The province tests share one database per test process and either may load the province
first (``add_demo_province`` loads only what is missing), so they load it as of the same day:
the month one of them opens is the month the other reads."""

from __future__ import annotations

from datetime import date

PROVINCE_DAY = date(2026, 11, 23)
