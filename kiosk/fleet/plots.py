"""Plots as inline SVG text for the grown-ups' page: pictures that need no script, no network and no library."""
from __future__ import annotations

from html import escape

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def bars(values: list[float], labels: list[str], title: str, width: int = 260, height: int = 120) -> str:
    """A bar per value (e.g. corrections by digit), its label under it and its value above it."""
    top = max(values, default=0) or 1
    step = (width - 20) / max(1, len(values))
    parts = [_open(width, height, title)]
    for i, (value, label) in enumerate(zip(values, labels)):
        h = (height - 40) * value / top
        x, y = 10 + i * step, height - 20 - h
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{COLOURS[0]}"/>'
                     f'<text x="{x + step / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>')
        if value:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">{value:g}</text>')
    return "".join(parts) + "</svg>"


def lines(series: dict[str, list[float | None]], labels: list[str], title: str, percent: bool = True,
          width: int = 560, height: int = 200) -> str:
    """One line per series over the same points (e.g. nights); a gap where a value is None."""
    values = [v for points in series.values() for v in points if v is not None]
    if not values:
        return _open(width, height, title) + f'<text x="10" y="{height // 2}">nothing yet</text></svg>'
    low, high = min(values), max(values)
    low, high = (low - 0.01, high + 0.01) if high - low < 0.02 else (low, high)
    if percent:  # an accuracy axis ends at 100%
        high = min(1.0, high)
        low = max(0.0, min(low, high - 0.02))
    count = max(len(p) for p in series.values())
    left, right, bottom, top = 48, width - 110, height - 24, 24

    def x(i: int) -> float:
        return left + (right - left) * (i / (count - 1) if count > 1 else 0.5)

    def y(v: float) -> float:
        return bottom - (bottom - top) * (v - low) / (high - low)

    shown = (lambda v: f"{v:.1%}") if percent else (lambda v: f"{v:g}")
    parts = [_open(width, height, title),
             f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{y(high) + 4:.1f}" text-anchor="end">{shown(high)}</text>',
             f'<text x="{left - 4}" y="{y(low) + 4:.1f}" text-anchor="end">{shown(low)}</text>']
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>')
    for n, (name, points) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        drawn = [(x(i), y(v)) for i, v in enumerate(points) if v is not None]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in drawn)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in drawn]
        parts.append(f'<text x="{right + 8}" y="{top + 14 * n + 4}" fill="{colour}">{escape(name)}</text>')
    return "".join(parts) + "</svg>"


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img">'
            f"<title>{escape(title)}</title>")
