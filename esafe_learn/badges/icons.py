"""The built-in badge icons: simple shapes drawn on a 100 x 100 grid, written out as SVG and PNG.

One drawing serves both files: the SVG is what pages show, the PNG is what an Open Badges
image is baked into (the baking specification needs PNG or SVG, and PNG travels best).
Regenerate static/badges/ after changing a drawing:

    python -m esafe_learn.badges.icons
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

from ..content.taxonomy import BADGE_ICONS
from ..paths import STATIC_DIR

ICON_DIR = STATIC_DIR / "badges"
PNG_SIZE = 128
SUPERSAMPLE = 4
WHITE = "#ffffff"

# Shapes: ("circle", cx, cy, r), ("ellipse", cx, cy, rx, ry), ("rect", x, y, w, h),
# ("polygon", [(x, y), ...]), ("line", x1, y1, x2, y2, width) with round ends,
# ("ring", cx, cy, rx, ry, width): the outline of an ellipse. Colour "bg" is the disc's colour.
ICONS: dict[str, dict] = {
    "star": {"colour": "#b45309", "label": "Star", "layers": [
        ("fg", ("polygon", [(50 + (30 if i % 2 == 0 else 12.5) * math.cos(math.radians(-90 + 36 * i)),
                             53 + (30 if i % 2 == 0 else 12.5) * math.sin(math.radians(-90 + 36 * i)))
                            for i in range(10)])),
    ]},
    "heart": {"colour": "#b91c1c", "label": "Heart", "layers": [
        ("fg", ("circle", 39, 42, 13)),
        ("fg", ("circle", 61, 42, 13)),
        ("fg", ("polygon", [(26.6, 46), (73.4, 46), (50, 74)])),
    ]},
    "shield": {"colour": "#1d4f91", "label": "Shield", "layers": [
        ("fg", ("polygon", [(50, 20), (74, 28), (74, 48), (71, 59), (64, 69), (50, 80), (36, 69), (29, 59),
                            (26, 48), (26, 28)])),
        ("bg", ("line", 39, 50, 47, 58, 5)),
        ("bg", ("line", 47, 58, 62, 41, 5)),
    ]},
    "lock": {"colour": "#2f6f4e", "label": "Padlock", "layers": [
        ("fg", ("ring", 50, 40, 12, 14, 6)),
        ("fg", ("rect", 30, 44, 40, 32)),
        ("bg", ("circle", 50, 56, 5)),
        ("bg", ("rect", 48, 58, 4, 10)),
    ]},
    "speech": {"colour": "#6b3fa0", "label": "Speech bubble", "layers": [
        ("fg", ("ellipse", 50, 45, 28, 20)),
        ("fg", ("polygon", [(36, 58), (29, 76), (52, 63)])),
        ("bg", ("circle", 39, 45, 3.5)),
        ("bg", ("circle", 50, 45, 3.5)),
        ("bg", ("circle", 61, 45, 3.5)),
    ]},
    "lightbulb": {"colour": "#a15c07", "label": "Light bulb", "layers": [
        ("fg", ("circle", 50, 40, 18)),
        ("fg", ("polygon", [(39, 50), (61, 50), (57, 64), (43, 64)])),
        ("fg", ("rect", 42, 66, 16, 4)),
        ("fg", ("rect", 44, 72, 12, 4)),
        ("bg", ("line", 45, 44, 50, 50, 2.5)),
        ("bg", ("line", 50, 50, 55, 44, 2.5)),
        ("bg", ("line", 50, 50, 50, 62, 2.5)),
    ]},
    "handshake": {"colour": "#0f766e", "label": "Handshake", "layers": [
        ("fg", ("line", 19, 64, 37, 51, 12)),
        ("fg", ("line", 81, 64, 63, 51, 12)),
        ("bg", ("line", 27, 50, 35, 62, 2.5)),
        ("bg", ("line", 73, 50, 65, 62, 2.5)),
        ("fg", ("ellipse", 50, 50, 16, 11)),
        ("fg", ("line", 43, 40, 54, 37, 5)),
        ("bg", ("line", 44, 46, 44, 55, 2)),
        ("bg", ("line", 50, 45, 50, 56, 2)),
        ("bg", ("line", 56, 46, 56, 55, 2)),
    ]},
    "book": {"colour": "#7c3f12", "label": "Open book", "layers": [
        ("fg", ("polygon", [(21, 31), (48, 36), (48, 73), (21, 68)])),
        ("fg", ("polygon", [(52, 36), (79, 31), (79, 68), (52, 73)])),
        ("bg", ("line", 27, 42, 43, 45, 2)),
        ("bg", ("line", 27, 50, 43, 53, 2)),
        ("bg", ("line", 27, 58, 43, 61, 2)),
        ("bg", ("line", 57, 45, 73, 42, 2)),
        ("bg", ("line", 57, 53, 73, 50, 2)),
        ("bg", ("line", 57, 61, 73, 58, 2)),
    ]},
    "trophy": {"colour": "#8a5a00", "label": "Trophy", "layers": [
        ("fg", ("ring", 33, 37, 8, 8, 4)),
        ("fg", ("ring", 67, 37, 8, 8, 4)),
        ("fg", ("rect", 35, 25, 30, 17)),
        ("fg", ("circle", 50, 42, 15)),
        ("fg", ("rect", 47, 55, 6, 11)),
        ("fg", ("rect", 37, 65, 26, 8)),
    ]},
    "compass": {"colour": "#1e5f8a", "label": "Compass", "layers": [
        ("fg", ("circle", 50, 50, 31)),
        ("bg", ("circle", 50, 50, 26)),
        ("fg", ("polygon", [(50, 25), (56.5, 50), (43.5, 50)])),
        ("accent", ("polygon", [(50, 75), (56.5, 50), (43.5, 50)])),
        ("bg", ("circle", 50, 50, 3)),
    ]},
    "camera": {"colour": "#3f4754", "label": "Camera", "layers": [
        ("fg", ("rect", 38, 28, 20, 9)),
        ("fg", ("rect", 21, 35, 58, 36)),
        ("bg", ("circle", 50, 53, 13)),
        ("fg", ("circle", 50, 53, 8)),
        ("bg", ("rect", 67, 40, 7, 4)),
    ]},
    "globe": {"colour": "#1e6b3a", "label": "Globe", "layers": [
        ("fg", ("circle", 50, 50, 29)),
        ("bg", ("ring", 50, 50, 12, 29, 3)),
        ("bg", ("line", 20, 50, 80, 50, 3)),
        ("bg", ("line", 25, 36, 75, 36, 3)),
        ("bg", ("line", 25, 64, 75, 64, 3)),
        ("bg", ("line", 50, 20, 50, 80, 3)),
    ]},
}

ACCENT = "#ffd27a"
BORDER = ("ring", 50, 50, 44, 44, 2.5)


def _layers(name: str) -> list[tuple[str, tuple]]:
    """Every layer of an icon with real colours: the disc, a thin border, then the drawing."""
    icon = ICONS[name]
    colours = {"fg": WHITE, "bg": icon["colour"], "accent": ACCENT}
    layers = [(icon["colour"], ("circle", 50, 50, 48)), (WHITE, BORDER)]
    layers += [(colours[colour], shape) for colour, shape in icon["layers"]]
    return layers


# --- SVG ------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg_element(colour: str, shape: tuple) -> str:
    kind, *args = shape
    if kind == "circle":
        cx, cy, r = args
        return f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{colour}"/>'
    if kind == "ellipse":
        cx, cy, rx, ry = args
        return f'<ellipse cx="{_num(cx)}" cy="{_num(cy)}" rx="{_num(rx)}" ry="{_num(ry)}" fill="{colour}"/>'
    if kind == "rect":
        x, y, w, h = args
        return f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" fill="{colour}"/>'
    if kind == "polygon":
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in args[0])
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "line":
        x1, y1, x2, y2, width = args
        return (f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="{colour}" '
                f'stroke-width="{_num(width)}" stroke-linecap="round"/>')
    if kind == "ring":
        cx, cy, rx, ry, width = args
        return (f'<ellipse cx="{_num(cx)}" cy="{_num(cy)}" rx="{_num(rx - width / 2)}" ry="{_num(ry - width / 2)}" '
                f'fill="none" stroke="{colour}" stroke-width="{_num(width)}"/>')
    raise ValueError(f"unknown shape {kind!r}")


def svg(name: str) -> str:
    label = ICONS[name]["label"]
    body = "\n  ".join(_svg_element(colour, shape) for colour, shape in _layers(name))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{PNG_SIZE}" '
            f'height="{PNG_SIZE}" role="img" aria-label="{label}">\n  <title>{label}</title>\n  {body}\n</svg>\n')


# --- PNG ------------------------------------------------------------------------------------------


def _ellipse_span(y: float, cx: float, cy: float, rx: float, ry: float) -> tuple[float, float] | None:
    dy = (y - cy) / ry
    if abs(dy) >= 1:
        return None
    half = rx * math.sqrt(1 - dy * dy)
    return cx - half, cx + half


def _polygon_spans(y: float, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    xs = []
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 <= y < y2) or (y2 <= y < y1):
            xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    xs.sort()
    return list(zip(xs[0::2], xs[1::2], strict=True))


def _line_polygon(x1, y1, x2, y2, width) -> list[tuple[float, float]]:
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    nx, ny = -(y2 - y1) / length * width / 2, (x2 - x1) / length * width / 2
    return [(x1 + nx, y1 + ny), (x2 + nx, y2 + ny), (x2 - nx, y2 - ny), (x1 - nx, y1 - ny)]


def _spans(shape: tuple, y: float) -> list[tuple[float, float]]:
    """The x ranges of a shape on the horizontal line at height y (grid units)."""
    kind, *args = shape
    if kind == "circle":
        cx, cy, r = args
        span = _ellipse_span(y, cx, cy, r, r)
        return [span] if span else []
    if kind == "ellipse":
        span = _ellipse_span(y, *args)
        return [span] if span else []
    if kind == "rect":
        x, top, w, h = args
        return [(x, x + w)] if top <= y < top + h else []
    if kind == "polygon":
        return _polygon_spans(y, list(args[0]))
    if kind == "line":
        x1, y1, x2, y2, width = args
        spans = _polygon_spans(y, _line_polygon(x1, y1, x2, y2, width))
        for cx, cy in ((x1, y1), (x2, y2)):
            cap = _ellipse_span(y, cx, cy, width / 2, width / 2)
            if cap:
                spans.append(cap)
        return spans
    if kind == "ring":
        cx, cy, rx, ry, width = args
        outer = _ellipse_span(y, cx, cy, rx, ry)
        if not outer:
            return []
        inner = _ellipse_span(y, cx, cy, rx - width, ry - width)
        if not inner:
            return [outer]
        return [(outer[0], inner[0]), (inner[1], outer[1])]
    raise ValueError(f"unknown shape {kind!r}")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def render_rgba(name: str, size: int = PNG_SIZE) -> bytes:
    """The icon as RGBA rows, anti-aliased by drawing each pixel as SUPERSAMPLE x SUPERSAMPLE samples."""
    samples = size * SUPERSAMPLE
    scale = 100 / samples
    palette = [(0, 0, 0, 0)]
    canvas = [bytearray(samples) for _ in range(samples)]  # palette index per sample; 0 = transparent
    for colour, shape in _layers(name):
        palette.append((*_rgb(colour), 255))
        index = len(palette) - 1
        for row in range(samples):
            y = (row + 0.5) * scale
            for left, right in _spans(shape, y):
                start = max(0, math.ceil(left / scale - 0.5))
                end = min(samples, math.floor(right / scale - 0.5) + 1)
                if end > start:
                    canvas[row][start:end] = bytes([index]) * (end - start)
    out = bytearray()
    area = SUPERSAMPLE * SUPERSAMPLE
    for py in range(size):
        rows = canvas[py * SUPERSAMPLE:(py + 1) * SUPERSAMPLE]
        for px in range(size):
            r = g = b = a = 0
            for sample_row in rows:
                for index in sample_row[px * SUPERSAMPLE:(px + 1) * SUPERSAMPLE]:
                    cr, cg, cb, ca = palette[index]
                    r, g, b, a = r + cr * ca, g + cg * ca, b + cb * ca, a + ca
            if a:
                out += bytes((round(r / a), round(g / a), round(b / a), round(a / area)))
            else:
                out += b"\0\0\0\0"
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgba: bytes, width: int, height: int) -> bytes:
    """A plain 8-bit RGBA PNG, every row with filter type 0."""
    stride = width * 4
    raw = b"".join(b"\0" + rgba[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def png(name: str, size: int = PNG_SIZE) -> bytes:
    return encode_png(render_rgba(name, size), size, size)


def icon_png(name: str) -> bytes:
    """The stored PNG of a built-in icon (generated into static/badges/ by this module)."""
    return (ICON_DIR / f"{name}.png").read_bytes()


def write_icons(directory: Path = ICON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in BADGE_ICONS:
        for path, data in ((directory / f"{name}.svg", svg(name).encode()), (directory / f"{name}.png", png(name))):
            path.write_bytes(data)
            written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    for written_path in write_icons():
        print(written_path)
