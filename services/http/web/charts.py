"""Charts drawn on the server as inline SVG — no chart library, no script, nothing fetched.
Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` saying in words what
it shows, and the page gives the same figures as a table beside it. Colours are classes of
app.css (``sw-A`` …), never inline styles (the CSP allows styles from files only).

Inputs are the API's counts and shares (``TrendPoint``-shaped dicts); never people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

LEVELS = ("A", "B", "C", "D")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 360, 200, 34, 26, 10  # phone-sized: text stays legible


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    members: int
    decided: int
    counts: dict[str, int]

    @property
    def label(self) -> str:
        return f"{self.month}/{self.year % 100:02d}"

    @property
    def completion(self) -> float:
        return self.decided / self.members if self.members else 0.0


def months_of(points: Sequence[dict[str, Any]]) -> list[Month]:
    """Trend points (one or several tenants) → one Month per month, summed, oldest first."""
    merged: dict[tuple[int, int], Month] = {}
    for p in points:
        key = (int(p["year"]), int(p["month"]))
        old = merged.get(key) or Month(key[0], key[1], 0, 0, dict.fromkeys(LEVELS, 0))
        counts = dict(old.counts)
        for level in p.get("levels") or []:
            counts[level["level"]] = counts.get(level["level"], 0) + int(level["count"])
        merged[key] = Month(key[0], key[1], old.members + int(p["members"] or 0),
                            old.decided + int(p["decided"] or 0), counts)
    return [merged[k] for k in sorted(merged)]


def _frame(title: str, desc: str, body: list[str], ident: str) -> Markup:
    head = (f'<svg class="chart" id="{ident}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')
    axis = (f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
            'stroke="#6b717a"/>')
    grid = "".join(
        f'<line x1="{LEFT}" x2="{WIDTH}" y1="{_y(f):.1f}" y2="{_y(f):.1f}" stroke="#e6e9ee"/>'
        f'<text x="{LEFT - 4}" y="{_y(f) + 4:.1f}" text-anchor="end">{int(f * 100)}%</text>'
        for f in (0.5, 1.0))
    # Safe: every text above passed through escape(); the rest are numbers and constants.
    return Markup(head + grid + axis + "".join(body) + "</svg>")  # noqa: S704


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def _slots(n: int) -> tuple[float, float]:
    step = (WIDTH - LEFT) / max(n, 1)
    return step, step * 0.7


def distribution(months: list[Month], title: str, desc: str, labels: dict[str, str]) -> Markup:
    """Stacked columns: each month's decided people by level, as shares of those decided."""
    step, bar = _slots(len(months))
    body: list[str] = []
    for i, m in enumerate(months):
        x, below = LEFT + i * step + (step - bar) / 2, 0.0
        total = sum(m.counts.values())
        for level in LEVELS:
            share = m.counts.get(level, 0) / total if total else 0.0
            if share:
                top = _y(below + share)
                body.append(f'<rect class="sw-{level}" x="{x:.1f}" y="{top:.1f}" '
                            f'width="{bar:.1f}" height="{_y(below) - top:.1f}">'
                            f'<title>{escape(labels.get(level, level))}: {m.counts[level]} '
                            f'({share:.0%})</title></rect>')
            below += share
        body.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" '
                    f'text-anchor="middle">{m.label}</text>')
    return _frame(title, desc, body, "chart-distribution")


def trend(months: list[Month], title: str, desc: str) -> Markup:
    """A line: the share decided each month, with a dot per month."""
    step, _ = _slots(len(months))
    dots = [(LEFT + i * step + step / 2, _y(m.completion), m) for i, m in enumerate(months)]
    body = []
    if len(dots) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in dots)
        body.append(f'<polyline points="{path}" fill="none" stroke="#0b4f9c" '
                    'stroke-width="2.5"/>')
    for x, y, m in dots:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#0b4f9c">'
                    f'<title>{m.label}: {m.completion:.0%}</title></circle>'
                    f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{m.label}</text>')
    return _frame(title, desc, body, "chart-trend")


def completion(rows: list[tuple[str, float]], expected: float, title: str, desc: str,
               expected_label: str) -> Markup:
    """Horizontal bars: each row's share decided this month, against a marker for where an
    on-schedule month would be today."""
    line = 26
    height = TOP + line * max(len(rows), 1) + 24
    name_w, plot = 120, WIDTH - 120 - 10
    body = []
    for i, (name, share) in enumerate(rows):
        y = TOP + i * line
        cls = "sw-D" if share < expected else "sw-A"
        body.append(f'<text x="{name_w - 6}" y="{y + 16}" text-anchor="end">'
                    f'{escape(name[:18])}</text>'
                    f'<rect class="sw-none" x="{name_w}" y="{y + 4}" width="{plot}" height="16"/>'
                    f'<rect class="{cls}" x="{name_w}" y="{y + 4}" width="{plot * share:.1f}" '
                    f'height="16"><title>{escape(name)}: {share:.0%}</title></rect>'
                    f'<text x="{name_w + 4}" y="{y + 16}">{share:.0%}</text>')
    mark = name_w + plot * expected
    body.append(f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="{TOP}" y2="{height - 20}" '
                'stroke="#1a1a1a" stroke-dasharray="4 3"/>'
                f'<text x="{mark:.1f}" y="{height - 6}" text-anchor="middle">'
                f'{escape(expected_label)} {expected:.0%}</text>')
    ident = "chart-completion"
    # Safe: every text passed through escape(); the rest are numbers and constants.
    return Markup(  # noqa: S704
        f'<svg class="chart" id="{ident}" viewBox="0 0 {WIDTH} {height}" role="img" '
                  f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
                  f'<title id="{ident}-t">{escape(title)}</title>'
                  f'<desc id="{ident}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>")
