"""QR codes as SVG: they scan back to the link, with a quiet zone and an accessible title."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image

from server.web.qr import svg

SVG = "{http://www.w3.org/2000/svg}"
SCALE = 4


def parse(markup: str) -> ET.Element:
    tagged = str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(tagged)  # noqa: S314 - our own server's output


def dark_modules(root: ET.Element) -> tuple[int, set[tuple[int, int]]]:
    """The viewBox size and the dark cells drawn by the stroked path (M, m and h commands)."""
    size = int(root.get("viewBox", "").split()[2])
    path = next(p for p in root.iter(f"{SVG}path") if p.get("stroke"))
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, args in re.findall(r"([MmHhVvZz])([^MmHhVvZz]*)", path.get("d", "")):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            dark.update((int(x) + i, int(y)) for i in range(int(numbers[0])))
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    return size, dark


def scan(markup: str) -> str:
    size, dark = dark_modules(parse(markup))
    image = Image.new("L", (size * SCALE, size * SCALE), 255)
    for cx, cy in dark:
        image.paste(0, (cx * SCALE, cy * SCALE, (cx + 1) * SCALE, (cy + 1) * SCALE))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "the code did not scan"
    return results[0].text


def test_the_svg_scans_back_to_the_link():
    link = "https://reachout.example/c/AbC-123_xyz?x=1&y=2"
    assert scan(svg(link, title="QR code")) == link


def test_a_longer_link_still_scans():
    link = "https://reachout.example/j/" + "ABCDEF" * 20
    assert scan(svg(link, title="QR code")) == link


def test_four_module_quiet_zone_on_white_and_no_fixed_size():
    root = parse(svg("https://reachout.example/c/abc", title="QR code"))
    size, dark = dark_modules(root)
    assert min(x for x, _ in dark) == 4 and min(y for _, y in dark) == 4
    assert max(x for x, _ in dark) == size - 5 and max(y for _, y in dark) == size - 5
    background = next(p for p in root.iter(f"{SVG}path") if p.get("fill"))
    assert background.get("fill") == "#fff"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("class") == "qr-svg"


def test_the_title_is_there_for_screen_readers_and_escaped():
    markup = str(svg("https://reachout.example/c/abc", title="QR code for <b>Dana</b> & co"))
    assert "<b>" not in markup
    root = parse(markup)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "QR code for <b>Dana</b> & co"
    assert next(iter(root)) is title
