"""QR codes as inline SVG, drawn server-side: black on white with a full quiet zone."""

from __future__ import annotations

import segno
from markupsafe import Markup


def svg(data: str, *, title: str) -> Markup:
    code = segno.make_qr(data, error="m")
    # No width/height: the SVG scales to its container via its viewBox.
    markup = code.svg_inline(
        border=4, dark="#000", light="#fff", omitsize=True, title=title, svgclass="qr-svg"
    )
    return Markup(markup)  # noqa: S704 - segno's own output, the data is an escaped URL
