"""Fitting horizontal lines of text into a box: shrink, then wrap, never overflow.

Used for every address block and letter head. Each line has a size relative to the block's
base size. The base size starts at the largest wanted and steps down until the whole block
fits the box's height; within a step, a line too wide first shrinks (down to
``shrink_limit`` of its size), and a line that would have to shrink more wraps at its best
breaks instead (addressing.address_breaks / name_breaks), each piece shrunk to fit if needed.
The result is exact: every glyph box — from the descent below the baseline to the ascent
above it, as a PDF reader measures it — lies inside the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mailing.renderers.addressing import address_breaks, break_line
from mailing.renderers.fonts import FontSet

Breaks = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class LineSpec:
    text: str
    scale: float = 1.0  # of the block's base size
    breaks: Breaks = address_breaks
    align: str = "left"  # left, right or center
    gap_before: float = 0.0  # extra space above, in units of the base size


@dataclass(frozen=True)
class PlacedLine:
    text: str
    size: float
    x: float  # from the box's left edge
    baseline: float  # from the box's top edge, downwards


def fit_lines(
    fonts: FontSet,
    specs: list[LineSpec],
    *,
    width: float,
    height: float,
    max_size: float,
    min_size: float = 5.0,
    leading: float = 0.18,
    shrink_limit: float = 0.8,
    valign: str = "top",
) -> list[PlacedLine]:
    """Lay ``specs`` out in a ``width`` × ``height`` box (points); see the module doc."""
    specs = [spec for spec in specs if spec.text.strip()]
    unit: dict[str, float] = {spec.text: fonts.width(spec.text.strip(), 1.0) for spec in specs}

    def unit_width(text: str) -> float:
        if text not in unit:
            unit[text] = fonts.width(text, 1.0)
        return unit[text]

    line_height = fonts.ascent + fonts.descent
    # Start from the largest base at which the block fits its height unwrapped: most
    # blocks then fit at the first try.
    units = sum(spec.scale * (line_height + leading) + spec.gap_before for spec in specs)
    units -= leading * specs[0].scale if specs else 0.0
    base = min(max_size, height / units) if units > 0 else max_size
    while True:
        rows: list[tuple[str, float, str, float]] = []
        for spec in specs:
            size = base * spec.scale
            gap = spec.gap_before * base
            whole = unit[spec.text] * size
            if whole <= width:  # the common case: the line fits as it is
                rows.append((spec.text.strip(), size * 0.999, spec.align, gap))
                continue
            for piece in _pieces(spec, size, width, shrink_limit, unit_width):
                piece_size = min(size, width / unit_width(piece)) if unit_width(piece) else size
                rows.append((piece, piece_size * 0.999, spec.align, gap))
                gap = 0.0
        total = sum(size * line_height + gap for _, size, _, gap in rows)
        total += leading * sum(size for _, size, _, _ in rows[1:])
        if total <= height or base < 0.5:
            break
        # Below the smallest readable size the block keeps shrinking rather than overflow.
        base *= 0.93 if base > min_size else 0.85
    top = (height - total) / 2 if valign == "middle" else 0.0
    placed: list[PlacedLine] = []
    y = top
    for index, (text, size, align, gap) in enumerate(rows):
        y += gap + (leading * size if index else 0.0) + fonts.ascent * size
        line_width = unit_width(text) * size
        x = {"left": 0.0, "right": width - line_width, "center": (width - line_width) / 2}[align]
        placed.append(PlacedLine(text=text, size=size, x=max(x, 0.0), baseline=y))
        y += fonts.descent * size
    return placed


def _pieces(
    spec: LineSpec,
    size: float,
    width: float,
    shrink_limit: float,
    unit_width: Callable[[str], float],
) -> list[str]:
    text = spec.text.strip()
    if unit_width(text) * size * shrink_limit <= width:
        return [text]
    return break_line(
        text,
        fits=lambda part: unit_width(part) * size * shrink_limit <= width,
        breaks=spec.breaks,
    )
