"""Charts as inline SVG drawn on the server: no script, no third-party host.

Each chart has a <title> for screen readers and sits next to its table on the page, which
holds the same figures; colours come from one sequential palette readable in greyscale.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#eef3fb", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#f2f2f2"
TILES_FILE = Path(__file__).parent / "data" / "tiles.json"


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value >= 100 else f"{value:.3g}"


def _colour(value: float | None, top: float) -> str:
    if value is None:
        return NO_DATA
    step = 0 if top <= 0 else min(int(value / top * (len(PALETTE) - 1) + 0.5), len(PALETTE) - 1)
    return PALETTE[step]


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, width: int = 640) -> SafeString:
    """Horizontal bars, one per item, labelled with the value."""
    bar, gap, label_w = 18, 6, 220
    height = max(len(items), 1) * (bar + gap) + 30
    top = max((v for _l, v in items), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 10 + i * (bar + gap)
        w = (width - label_w - 70) * value / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{escape(label[:36])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[4]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def line_chart(
    title: str, points: Sequence[tuple[str, float]], *, width: int = 640, height: int = 220
) -> SafeString:
    """One series over time (e.g. weeks), with the first and last labels on the axis."""
    left, bottom, top_pad = 50, 30, 15
    top = max((v for _l, v in points), default=0) or 1
    n = max(len(points) - 1, 1)
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    coords = [
        (left + plot_w * i / n, top_pad + plot_h * (1 - value / top))
        for i, (_label, value) in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" font-size="11">'
        f"{_fmt(top)}</text>",
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    if coords:
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[5]}" stroke-width="2"/>'
        )
        parts.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[5]}"/>' for x, y in coords
        )
        for index in {0, len(points) - 1}:
            parts.append(
                f'<text x="{coords[index][0]:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11">{escape(points[index][0])}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@functools.cache
def tiles() -> dict[str, object]:
    """Tile positions of the federal subjects (read-only data shipped with the code)."""
    data: dict[str, object] = json.loads(TILES_FILE.read_text(encoding="utf-8"))
    return data


def cartogram(
    title: str,
    values: Mapping[str, float | None],
    names: Mapping[str, str],
    *,
    link: str = "",
) -> SafeString:
    """A tile grid of the federal subjects coloured by a measure; each tile links to
    its region's page when `link` (with `{code}`) is given."""
    grid = tiles()
    size = 34
    cols, rows = int(str(grid["cols"])), int(str(grid["rows"]))
    positions: Mapping[str, Mapping[str, int]] = grid["tiles"]  # type: ignore[assignment]
    top = max((v for v in values.values() if v is not None), default=0) or 1
    # With links the tiles are controls, so the map is a group of them, not one picture.
    role = "group" if link else "img"
    parts = [
        f'<svg class="chart cartogram" role="{role}" aria-label="{escape(title)}" '
        f'viewBox="0 0 {cols * size} {rows * size}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for code, place in positions.items():
        value = values.get(code)
        x, y = place["col"] * size, place["row"] * size
        label = f"{names.get(code, code)}: {'—' if value is None else _fmt(value)}"
        tile = (
            f'<rect x="{x + 1}" y="{y + 1}" width="{size - 2}" height="{size - 2}" rx="3" '
            f'fill="{_colour(value, top)}" stroke="#7a8ca3"><title>{escape(label)}</title></rect>'
            f'<text x="{x + size / 2}" y="{y + size / 2 + 4}" text-anchor="middle" '
            f'font-size="11">{escape(code)}</text>'
        )
        if link:
            name = f"{escape(code)} {escape(label)}"  # the visible code comes first
            tile = f'<a href="{escape(link.format(code=code))}" aria-label="{name}">{tile}</a>'

        parts.append(tile)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
