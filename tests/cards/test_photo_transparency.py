"""A PNG whose transparency is one colour marked see-through (a tRNS chunk, no alpha
channel) shows white there, as the page behind an avatar, not that colour (often black)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.cards import photos


def keyed_png(mode: str, background: int | tuple[int, ...], drawn: int | tuple[int, ...]) -> bytes:
    """A PNG of ``background`` marked transparent, with a square of ``drawn`` in the middle."""
    image = Image.new(mode, (900, 700), background)
    image.paste(drawn, (300, 200, 600, 500))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=background)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "background", "drawn"),
    [("RGB", (7, 7, 7), (0, 0, 200)), ("L", 7, 90)],
    ids=["rgb", "grey"],
)
def test_a_transparent_colour_becomes_white(mode, background, drawn):
    png = keyed_png(mode, background, drawn)
    assert Image.open(io.BytesIO(png)).mode == mode  # no alpha channel: tRNS only

    result = Image.open(io.BytesIO(photos.process(png)))

    assert min(result.getpixel((5, 5))) > 240  # the corner was transparent
    centre = result.getpixel((160, 160))  # the square drawn on it stays as it was
    if mode == "RGB":
        assert centre[2] > 150 and max(centre[:2]) < 60
    else:
        assert all(80 < value < 100 for value in centre)


def test_the_same_colour_without_transparency_stays():
    image = Image.new("RGB", (900, 700), (7, 7, 7))
    out = io.BytesIO()
    image.save(out, "PNG")
    result = Image.open(io.BytesIO(photos.process(out.getvalue())))
    assert max(result.getpixel((5, 5))) < 20
