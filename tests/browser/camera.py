"""A camera pointed at a QR code, for Chromium's fake video capture.

Chromium reads ``--use-file-for-fake-video-capture=<file>.y4m`` as the only camera and
plays it in a loop. The file holds a few identical frames: the QR of some text, drawn
with ``segno`` in the middle of a white 640x480 picture, as 4:2:0 YUV (I420).
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image

WIDTH = 640
HEIGHT = 480
FRAMES = 5


def qr_frame(text: str, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """``text`` as a black-on-white QR code, centred on a white frame (RGB)."""
    qr = segno.make(text, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    scale = max(1, min(width, height) * 3 // 4 // modules)
    png = io.BytesIO()
    qr.save(png, kind="png", scale=scale, border=4, dark="black", light="white")
    png.seek(0)
    code = Image.open(png).convert("RGB")
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    return frame


def i420(frame: Image.Image) -> bytes:
    """One frame as planar 4:2:0 YCbCr: the full Y plane, then Cb and Cr at half size."""
    assert frame.width % 2 == 0 and frame.height % 2 == 0
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    return (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )


def write_y4m(path: Path, frame: Image.Image, frames: int = FRAMES, fps: int = 10) -> Path:
    """A valid YUV4MPEG2 file holding ``frames`` copies of ``frame``."""
    header = f"YUV4MPEG2 W{frame.width} H{frame.height} F{fps}:1 Ip A1:1 C420jpeg\n"
    data = i420(frame)
    with path.open("wb") as out:
        out.write(header.encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(data)
    return path


def qr_video(path: Path, text: str) -> Path:
    """A fake camera file at ``path`` that sees the QR code of ``text``."""
    return write_y4m(path, qr_frame(text))
