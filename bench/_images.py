"""Hostile images for photo uploads, shared by bench/photo.py and tests/cards.

Each is what a stranger could upload as their card photo: small files declaring many
pixels, made without holding those pixels here (PNG rows compressed as they are made,
dimensions written into a small file's header), plus real images at each format's cap.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

_PNG_MODES = {"RGB": (2, 3), "RGBA": (6, 4)}  # colour type, bytes a pixel


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(width: int, height: int, *, mode: str = "RGB", text_mb: int = 0) -> bytes:
    """A real PNG of one colour (8944 x 8944 RGB is about 250 KB), compressed row by row;
    ``text_mb`` adds that many compressed text chunks of 1 MB each (zTXt)."""
    colour_type, depth = _PNG_MODES[mode]
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    squeeze = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * (width * depth)  # filter 0, mid grey
    compressed = [squeeze.compress(row) for _ in range(height)]
    compressed.append(squeeze.flush())
    text = [
        _png_chunk(b"zTXt", b"Comment%d\x00\x00" % n + zlib.compress(b" " * 1_000_000, 9))
        for n in range(text_mb)
    ]
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            *text,
            _png_chunk(b"IDAT", b"".join(compressed)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _pillow(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def jpeg(width: int, height: int, *, progressive: bool = False, mode: str = "RGB") -> bytes:
    """A real JPEG of one colour, baseline or progressive."""
    image = Image.new(mode, (width, height), "white" if mode == "RGB" else (0, 0, 0, 0))
    return _pillow(image, "JPEG", quality=50, progressive=progressive, subsampling=0)


def jpeg_declaring(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A small JPEG whose frame header says ``width`` x ``height`` (up to 65535 each)."""
    data = bytearray(jpeg(64, 64, progressive=progressive))
    frame = data.index(b"\xff\xc2" if progressive else b"\xff\xc0")
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


def jpeg_separate_scans(width: int, height: int) -> bytes:
    """A baseline JPEG header whose first scan carries one colour of three: libjpeg must
    keep the whole image's coefficients for it, as for a progressive one (no pixels follow)."""
    data = bytearray(jpeg_declaring(width, height))
    scan = data.index(b"\xff\xda")
    data[scan + 4] = 1  # Ns: components in this scan
    return bytes(data)


def gif_frames(size: int, frames: int) -> bytes:
    """An animated GIF: ``frames`` frames of ``size`` x ``size``, red and blue in turn."""
    pictures = [Image.new("P", (size, size), 1 + n % 2) for n in range(frames)]
    for picture in pictures:
        picture.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255])
    return _pillow(pictures[0], "GIF", save_all=True, append_images=pictures[1:], optimize=False)


def webp_canvas(width: int, height: int) -> bytes:
    """An animated WebP of one 1 x 1 frame on a ``width`` x ``height`` canvas: a few hundred
    bytes, yet libwebp's animation decoder allocates 4 bytes a pixel of canvas to open it."""
    one = _pillow(Image.new("RGBA", (1, 1), (0, 0, 0, 0)), "WEBP", lossless=True)
    vp8l = one[12:]  # the one VP8L chunk after RIFF/size/WEBP
    frame = struct.pack("<I", 0)[:3] * 2 + b"\x00\x00\x00" * 2 + b"\x64\x00\x00" + b"\x00"
    anmf = b"ANMF" + struct.pack("<I", len(frame) + len(vp8l)) + frame + vp8l
    anim = b"ANIM" + struct.pack("<I", 6) + b"\xff\xff\xff\xff" + b"\x00\x00"
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([0x12, 0, 0, 0]) + canvas
    body = b"WEBP" + vp8x + anim + anmf
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp(width: int, height: int) -> bytes:
    """A real lossless WebP with transparency (decoded as RGBA)."""
    return _pillow(Image.new("RGBA", (width, height), (10, 20, 30, 128)), "WEBP", lossless=True)


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
    b"newpath 0 0 moveto 100 100 lineto stroke showpage\n%%EOF\n"
)


@dataclass(frozen=True)
class Upload:
    name: str
    filename: str
    make: Callable[[], bytes]
    refused: bool  # the server must refuse it (422), leaving the saved photo as it was
    heavy: bool = False  # minutes of generating or a lot of memory here: not in --smoke


# What a stranger might send: each refused, then the largest each format accepts.
HOSTILE = [
    Upload("PNG 8944x8944, one colour", "bomb.png", lambda: png(8944, 8944), refused=True),
    Upload("PNG 4000x4000 + 64 MB of zTXt", "text.png", lambda: png(4000, 4000, text_mb=64), True),
    Upload("JPEG declaring 65500x65500", "huge.jpg", lambda: jpeg_declaring(65500, 65500), True),
    Upload("JPEG declaring 65535x639", "narrow.jpg", lambda: jpeg_declaring(65535, 639), True),
    Upload(
        "progressive JPEG declaring 6000x4000",
        "prog.jpg",
        lambda: jpeg_declaring(6000, 4000, progressive=True),
        refused=True,
    ),
    Upload(
        "JPEG, colours in separate scans, 6000x4000",
        "scans.jpg",
        lambda: jpeg_separate_scans(6000, 4000),
        refused=True,
    ),
    Upload(
        "WebP 13000x13000 canvas, 1 px frame", "bomb.webp", lambda: webp_canvas(13000, 13000), True
    ),
    Upload("EPS (PostScript)", "photo.eps", lambda: EPS, refused=True),
    Upload("GIF 500x500, 500 frames", "many.gif", lambda: gif_frames(500, 500), refused=False),
    Upload("PNG 4000x4000 RGBA (cap)", "cap.png", lambda: png(4000, 4000, mode="RGBA"), False),
    Upload("JPEG 8000x6250 (cap)", "cap.jpg", lambda: jpeg(8000, 6250), False, heavy=True),
    Upload(
        "progressive CMYK JPEG 4000x4000 (cap)",
        "cap-prog.jpg",
        lambda: jpeg(4000, 4000, progressive=True, mode="CMYK"),
        refused=False,
        heavy=True,
    ),
    Upload("GIF 4000x4000 (cap)", "cap.gif", lambda: gif_frames(4000, 2), False, heavy=True),
    Upload("WebP 2828x2828 RGBA (cap)", "cap.webp", lambda: webp(2828, 2828), False, heavy=True),
]
