"""Every built-in badge icon has an SVG for pages and a PNG to bake, drawn by esafe_learn.badges.icons."""

from __future__ import annotations

import struct
import zlib

import pytest

from esafe_learn.badges import baking, icons
from esafe_learn.content.taxonomy import BADGE_ICONS


@pytest.mark.parametrize("name", BADGE_ICONS)
def test_each_icon_has_an_svg_and_a_png(name):
    svg_file, png_file = icons.ICON_DIR / f"{name}.svg", icons.ICON_DIR / f"{name}.png"
    assert svg_file.read_text() == icons.svg(name), "run: python -m esafe_learn.badges.icons"
    assert "<script" not in svg_file.read_text() and "href" not in svg_file.read_text()
    chunks = baking.read_chunks(png_file.read_bytes())
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, colour) == (icons.PNG_SIZE, icons.PNG_SIZE, 8, 6)
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert _same_pixels(pixels, name)  # the stored picture is what the drawing makes today


def _same_pixels(stored_idat: bytes, name: str) -> bool:
    fresh = baking.read_chunks(icons.png(name))
    return stored_idat == zlib.decompress(b"".join(body for kind, body in fresh if kind == b"IDAT"))


def test_icons_are_served_from_our_origin(client):
    for name in BADGE_ICONS:
        response = client.get(f"/static/badges/{name}.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        response.close()


def test_a_corrupt_png_is_refused_when_baking():
    with pytest.raises(baking.NotAPng):
        baking.bake(b"GIF89a", "{}")
    good = icons.icon_png("star")
    broken = good[:40] + bytes([good[40] ^ 0xFF]) + good[41:]
    with pytest.raises(baking.NotAPng):
        baking.read_chunks(broken)
