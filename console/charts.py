"""Small server-side SVG charts (no script, no CDN, no inline styles)."""

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = (
    "#1d5fa8",
    "#e07b00",
    "#2e8b57",
    "#b3261e",
    "#7a4fb5",
    "#8c6d1f",
    "#d6418f",
    "#5f6b7a",
    "#17a2b8",
    "#6b8e23",
    "#a0a7af",
)
WIDTH = 640


def _svg(height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _number(value: float) -> str:
    return f"{value:.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value)}"


def stacked_bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """One column per label, one coloured stack per series."""
    height, top, bottom, left = 260, 20, 40, 36
    plot_h = height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    peak = max([*totals, 1])
    step = (WIDTH - left - 10) / max(len(labels), 1)
    bar_w = step * 0.7
    body = [_axis(left, top, plot_h, peak)]
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for (name, values), colour in zip(series, PALETTE, strict=False):
            if values[i]:
                h = values[i] / peak * plot_h
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(label)} {escape(name)}: {values[i]}</title></rect>"
                )
        body.append(
            f'<text class="label" x="{x + bar_w / 2:.1f}" y="{height - 22}" text-anchor="middle">{escape(label)}</text>'
        )
        if totals[i]:
            body.append(
                f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{totals[i]}</text>'
            )
    return _svg(height, body, title)


def columns(title: str, labels: Sequence[str], values: Sequence[float | None], *, unit: str = "") -> Markup:
    """One column per label with its value on top; None (no data) is left empty."""
    height, top, bottom, left = 240, 16, 40, 36
    plot_h = height - top - bottom
    peak = max([v for v in values if v is not None] + [1.0])
    step = (WIDTH - left - 10) / max(len(labels), 1)
    bar_w = step * 0.7
    body = [_axis(left, top, plot_h, peak)]
    if all(v is None for v in values):
        middle = f'x="{WIDTH / 2}" y="{top + plot_h / 2}" text-anchor="middle"'
        body.append(f'<text class="label" {middle}>まだデータがありません</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * step + (step - bar_w) / 2
        if value is not None:
            h = value / peak * plot_h
            y = top + plot_h - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>')
            body.append(
                f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                f"{_number(value)}{escape(unit)}</text>"
            )
        body.append(
            f'<text class="label" x="{x + bar_w / 2:.1f}" y="{height - 22}" text-anchor="middle">{escape(label)}</text>'
        )
    return _svg(height, body, title)


def horizontal_bars(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    row_h, left, right = 26, 150, 50
    height = max(len(items), 1) * row_h + 10
    peak = max([v for _, v in items] + [1])
    body = []
    for i, ((label, value), colour) in enumerate(zip(items, PALETTE * 2, strict=False)):
        y = 5 + i * row_h
        w = value / peak * (WIDTH - left - right)
        body.append(f'<text class="label" x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        body.append(f'<text class="value" x="{left + w + 6:.1f}" y="{y + 16}">{value}</text>')
    return _svg(height, body, title)


def legend(names: Sequence[str]) -> Markup:
    items = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{colour}"/></svg> '
        f"{escape(name)}</li>"
        for name, colour in zip(names, PALETTE, strict=False)
    )
    return Markup(f'<ul class="legend">{items}</ul>')


def _axis(left: int, top: int, plot_h: int, peak: float) -> str:
    base = top + plot_h
    return (
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#aab4be"/>'
        f'<text class="axis" x="{left - 6}" y="{top + 8}" text-anchor="end">{_number(peak)}</text>'
        f'<text class="axis" x="{left - 6}" y="{base}" text-anchor="end">0</text>'
    )
