"""Card photos: a common image in, a small square JPEG out, with EXIF and GPS gone.

Decoding is where one upload could cost the most, so it is bounded at each step: only four
formats are opened; what decoding will hold is worked out from the header before any pixel
is decoded; a JPEG is decoded straight at 1/2, 1/4 or 1/8 scale (``draft``), anything else
reduced by a whole factor as soon as it is decoded; and one decode runs at a time in a web
process (``process_upload``). bench/photo.py measures the web process meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
import re
import secrets
import warnings
from datetime import timedelta
from typing import BinaryIO

from PIL import Image, ImageOps, PngImagePlugin
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from server.web import limits

SIZE = 320
# Never EPS, PSD, TIFF and the rest of what Pillow can open: EPS runs Ghostscript, and each
# further decoder is more code facing strangers' files. Phones send JPEG (iOS converts HEIC
# to JPEG for a web upload; a portrait shot is MPO, a JPEG with more pictures after it, which
# Pillow's JPEG opener reads); PNG, WebP and GIF cover screenshots and pictures from the web.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# What one decode may hold: with a web process's own ~100 MB, under 300 MB whatever comes.
BUDGET = 128_000_000
# Bytes a pixel each kind of file holds at the peak of its decoding (counted in decoded
# pixels for a JPEG, in declared pixels otherwise). A JPEG streams: libjpeg decodes a few
# rows at a time, at 1/8 scale for a phone photo, into one image. A progressive JPEG (or
# one with its colours in separate scans) first keeps every coefficient of the whole image,
# 2 bytes a sample. PNG and GIF are decoded whole, then reduced through a copy (RGBA has a
# premultiplied twin); WebP holds its canvas, the frame and the image as well.
BYTES_PER_PIXEL = {"JPEG": 4, "progressive JPEG": 8, "PNG": 8, "GIF": 8, "WebP": 16}
# Even decoded at 1/8 scale, every block is entropy-decoded: CPU. Phones take 12 MP by
# default, 24.5 MP on recent iPhones (5712 x 4284) and 50 MP in high-resolution modes.
MAX_JPEG_PIXELS = 50_000_000
# Pillow keeps a PNG's decompressed text chunks (64 MB by default) beside its pixels; a
# photo's metadata is a few kilobytes, its ICC profile under one megabyte.
PngImagePlugin.MAX_TEXT_MEMORY = 4_000_000
# Reduce by whole factors until the short side is at most this many times SIZE; the final
# resampling (LANCZOS) then shrinks by under 2x, which keeps the result as sharp.
REDUCING_GAP = 2
# Modes that Image.reduce averages correctly; anything else (palette, 1-bit, 16-bit) is
# converted first.
REDUCIBLE = ("L", "LA", "RGB", "RGBA", "CMYK")
# Greyscale deeper than 8 bits (a 16-bit PNG opens as I;16): Pillow's own conversion to RGB
# clips every value above 255, which is nearly all of them, so the photo came out white.
# (Its other 16-bit modes come from none of FORMATS.)
DEEP_GREY = ("I", "I;16")
# One decode at a time per web process: decoding is CPU-bound (two at once only share the
# cores the processes already share) and holds the most memory a request ever does, so a
# burst of uploads queues instead of multiplying it. Per process is the point: it bounds
# that process's memory; each of WEB_CONCURRENCY processes has its own.
DECODING_AT_ONCE = 1
# JPEG segments read to find the first scan before giving up (APPn, tables, the frame...).
JPEG_SEGMENTS = 64
# libjpeg entropy-decodes each scan over every block of its colour, even at 1/8 scale: a
# 31-byte scan costs ~1.5 ms in a 16 MP grey progressive JPEG, up to ~12 ms (a refinement
# scan) in a 16 MP CMYK one, so one tiny scan repeated thousands of times in a 1 MB file
# cost 44 s of CPU. Encoders write 1 scan (baseline), 6 to 10 (libjpeg's progression; 18
# for CMYK), a few more at most (mozjpeg's optimised scans): 100 leaves room for any of
# them and bounds the worst we measured at ~1.3 s of CPU.
MAX_JPEG_SCANS = 100
# Markers a scan count walks through: a real photo has a few a scan (tables, the scan) and a
# few APPn; each costs the walk a Python step, so 8 MiB of empty comments is refused instead.
MAX_JPEG_MARKERS = 20 * MAX_JPEG_SCANS
# The next marker as libjpeg finds it: an FF neither stuffed (FF 00) nor fill before another
# FF; restart markers and TEM carry nothing and are passed over in the search itself.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\x01\xd0-\xd7\xff]")
# Markers libjpeg reads or skips by their length: SOFn, DHT, DAC, SOS, DQT, DNL, DRI, APPn
# and COM. It refuses any other (a restart resync scans past it): stepping past one by its
# length could skip a scan libjpeg sees, so the walk looks inside it instead.
_JPEG_SKIPPED = {*range(0xC0, 0xD0), *range(0xDA, 0xDE), *range(0xE0, 0xF0), 0xFE}

# What a file other than a JPEG may weigh; a JPEG may be as large as the upload itself
# (MAX_PHOTO_BYTES, 20 MiB: a 50 MP phone photo is a 10-20 MB JPEG). A PNG or GIF cut into
# hundreds of thousands of tiny chunks costs Pillow ~0.3 s of CPU a MB, which this bounds;
# a JPEG's scans and markers are bounded already, and a 25 MB one decodes in ~0.35 s of CPU
# (a progressive 9 MB one in ~0.4 s).
MAX_OTHER_BYTES = 8 * 1024 * 1024

UNREADABLE = "That file is not a photo we can read. Try a JPEG, PNG, WebP or GIF."
TOO_MANY_SCANS = (
    "That JPEG is saved in too many passes for us to read. Save it again from a photo app,"
    " or try a PNG."
)

# Uploads, counted whether or not the file turns out to be a photo: each costs a decode (up
# to ~0.3 s of CPU for a large PNG), one at a time per process, so a script sending large
# files would keep everyone else's photo waiting. Accounts are cheap (many per address), so
# the address has its own limit; a venue's Wi-Fi is one address for a room adding photos at
# the door, so it is as loose as swaps from one address (server/swaps/rates.py). A person
# choosing and changing their photo uses a few.
UPLOADS_PER_ACCOUNT = limits.Rule(
    "account-photo-uploads",
    30,
    timedelta(hours=1),
    "You have uploaded 30 photos in the last hour. Your card keeps the photo it has:"
    " please try again {wait}.",
)
UPLOADS_PER_ADDRESS = limits.Rule(
    "address-photo-uploads",
    300,
    timedelta(minutes=10),
    "Many photos were uploaded from your network just now. Your card keeps the photo it has:"
    " please try again {wait}, or use mobile data instead of this Wi-Fi.",
)


class NotAnImage(ValueError):
    pass


def new_key() -> str:
    return secrets.token_urlsafe(16)


def decoding() -> asyncio.Semaphore:
    """The bound on decodes at once, made at start as ``app.state.photo_decoding``."""
    return asyncio.Semaphore(DECODING_AT_ONCE)


async def count_upload(request: Request, account_id: int) -> None:
    """Count one upload by ``account_id`` from this address, before it is decoded; raises
    ``limits.TooMany`` when either has had its fill."""
    await limits.take(
        request.app.state.pool,
        request.app.state.sql,
        (UPLOADS_PER_ACCOUNT, account_id),
        (UPLOADS_PER_ADDRESS, limits.address_key(request)),
    )


async def process_upload(request: Request, source: bytes | BinaryIO) -> bytes:
    """``process`` off the event loop, one at a time in this process."""
    async with request.app.state.photo_decoding:
        return await run_in_threadpool(process, source)


def process(source: bytes | BinaryIO) -> bytes:
    """Resize to a centred square and re-encode; the output carries no metadata at all."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    head = stream.read(32)
    if not head:
        raise NotAnImage("Choose a photo to upload.")
    stream.seek(0)
    # WebP's decoder allocates its whole canvas as soon as it is opened: check first.
    canvas = _webp_canvas(head)
    if canvas is not None:
        _check_size("WebP", canvas, canvas)
    # Before Pillow reads a JPEG's header, which it does in Python, a step a segment.
    if head.startswith(b"\xff\xd8\xff"):  # how Pillow knows a JPEG (and MPO)
        _check_scans(stream)
    else:
        _check_bytes(stream)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=FORMATS) as image:
                kind = _kind(image, stream)
                declared = image.size
                # JPEG only (a no-op elsewhere): libjpeg will decode at the largest of 1/2,
                # 1/4 and 1/8 scale that keeps the short side at SIZE or more.
                image.draft(None, (SIZE, SIZE))
                _check_size(kind, declared, image.size)
                small = _reduced(image)
    except NotAnImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own bound (about 89 MP), above all of ours: raised as the file is opened.
        raise NotAnImage(_too_large("", 0)) from None
    except Exception:
        # Whatever a malformed file makes a decoder raise (UnidentifiedImageError for what is
        # not one of FORMATS, OSError, SyntaxError, EOFError, struct.error...), it is the
        # file that is wrong: refuse it.
        raise NotAnImage(UNREADABLE) from None
    square = ImageOps.fit(_opaque(small), (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image has no info dict, so no EXIF, GPS, XMP or ICC data is written.
    Image.frombytes("RGB", square.size, square.tobytes()).save(
        out, "JPEG", quality=82, optimize=True, progressive=True
    )
    return out.getvalue()


def max_pixels(kind: str) -> int:
    """The most pixels a file of this kind may declare."""
    if kind == "JPEG":
        return MAX_JPEG_PIXELS
    return BUDGET // BYTES_PER_PIXEL[kind]


def _kind(image: Image.Image, stream: BinaryIO) -> str:
    """The key into BYTES_PER_PIXEL: the format, with "progressive JPEG" for a JPEG that
    libjpeg cannot decode a few rows at a time."""
    if image.format in ("JPEG", "MPO"):
        return "JPEG" if _jpeg_streams(stream) else "progressive JPEG"
    return "WebP" if image.format == "WEBP" else str(image.format)


def _check_size(kind: str, declared: tuple[int, int], decoded: tuple[int, int]) -> None:
    """Refuse what declares more pixels than its kind may have, or would hold more than
    BUDGET decoded (a JPEG too narrow to decode at a smaller scale)."""
    cap = max_pixels(kind)
    if declared[0] * declared[1] > cap:
        raise NotAnImage(_too_large(kind, cap))
    counted = decoded if kind == "JPEG" else declared
    if counted[0] * counted[1] * BYTES_PER_PIXEL[kind] > BUDGET:
        raise NotAnImage(
            "That image is too long and narrow for us to shrink. Crop it, or try a smaller copy."
        )


def _too_large(kind: str, cap: int) -> str:
    said = f" A {kind} can have up to {cap // 1_000_000} megapixels." if cap else ""
    return f"That image is too large for us to use.{said} Try a smaller copy."


def _reduced(image: Image.Image) -> Image.Image:
    """The image upright, its short side between SIZE and a few times SIZE, never holding
    more than the decoded image and one copy of it at once."""
    image.load()  # GIF and WebP: the first frame only
    if image.mode in DEEP_GREY:
        image = _eight_bit_grey(image)
    # Grey or RGB with one colour marked transparent (a PNG's tRNS chunk) as well: reduce()
    # and _opaque() know only an alpha channel, and would keep that colour, often black.
    if image.mode not in REDUCIBLE or (image.mode in ("L", "RGB") and image.has_transparency_data):
        converted = image.convert("RGBA" if image.has_transparency_data else "RGB")
        image.close()
        image = converted
    factor = min(image.size) // (SIZE * REDUCING_GAP)
    small = image.reduce(factor) if factor > 1 else image.copy()
    image.close()  # frees the decoded pixels before anything else is allocated
    # After reducing, so the rotation moves a few hundred thousand pixels, not millions.
    # Whatever a damaged EXIF block makes Pillow raise: the pixels are fine (decoded by now),
    # only the camera's note of how the phone was held is unreadable, so the picture is kept
    # as stored rather than refused.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(small, in_place=True)
    return small


def _eight_bit_grey(image: Image.Image) -> Image.Image:
    """16-bit (or 32-bit integer) grey as 8-bit grey, its 0-65535 scale brought to 0-255;
    ``image`` is closed."""
    # point() takes only a linear map on these modes, done in their own width; two images
    # of that width at most at once (8 bytes a pixel for mode I, as BYTES_PER_PIXEL counts
    # a PNG).
    scaled = image.point(lambda value: value / 256)
    image.close()
    grey = scaled.convert("L")
    scaled.close()
    # The transparent value (a tRNS chunk) is on the 16-bit scale: meaningless now.
    grey.info.pop("transparency", None)
    return grey


def _opaque(image: Image.Image) -> Image.Image:
    """RGB; what was transparent is white, as the page behind an avatar."""
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg_streams(stream: BinaryIO) -> bool:
    """Whether a JPEG is sequential (SOF0/SOF1) with every colour in its first scan, the
    kind libjpeg decodes a few rows at a time. Anything else (progressive, lossless,
    colours in separate scans, or markers we cannot follow) keeps the coefficients of the
    whole image until its last scan."""
    position = stream.tell()
    try:
        stream.seek(2)  # after SOI
        colours = 0
        for _ in range(JPEG_SEGMENTS):
            header = stream.read(4)
            if len(header) < 4 or header[0] != 0xFF:
                return False
            marker, length = header[1], int.from_bytes(header[2:4], "big")
            if length < 2:
                return False
            if marker in (0xC0, 0xC1):  # a sequential frame: P, Y, X, then Nf
                frame = stream.read(6)
                colours = frame[5] if len(frame) == 6 else 0
                stream.seek(length - 2 - len(frame), io.SEEK_CUR)
            elif marker == 0xDA:  # the first scan: Ns
                return colours > 0 and stream.read(1) == bytes([colours])
            elif 0xC2 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return False  # another frame type: progressive, lossless, arithmetic...
            else:
                stream.seek(length - 2, io.SEEK_CUR)
        return False
    finally:
        stream.seek(position)


def _check_scans(stream: BinaryIO) -> None:
    """Refuse a JPEG with more than MAX_JPEG_SCANS scans in its first picture (up to its
    EOI; an MPO's further pictures are never decoded). Only a marker segment's length is
    skipped, never searched: an APPn (EXIF with its thumbnail, ICC, XMP) may hold FF DA as
    data. Entropy-coded data is searched: an FF in it is always stuffed (FF 00), so FF DA
    there is a real start of scan."""
    position = stream.tell()
    stream.seek(0)
    data = stream.read()
    stream.seek(position)
    scans = markers = 0
    found = _JPEG_MARKER.search(data, 2)  # after SOI
    while found and found[0][1] != 0xD9:  # EOI
        markers += 1
        scans += found[0][1] == 0xDA
        if scans > MAX_JPEG_SCANS or markers > MAX_JPEG_MARKERS:
            raise NotAnImage(TOO_MANY_SCANS)
        after = found.end()
        if found[0][1] in _JPEG_SKIPPED:
            after += int.from_bytes(data[after : after + 2], "big")
        found = _JPEG_MARKER.search(data, after)


def _check_bytes(stream: BinaryIO) -> None:
    """Refuse a file other than a JPEG of more than MAX_OTHER_BYTES."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > MAX_OTHER_BYTES:
        mib = 1024 * 1024
        raise NotAnImage(
            f"That image is {math.ceil(size * 10 / mib) / 10:g} MB: a PNG, WebP or GIF can be"
            f" up to {MAX_OTHER_BYTES // mib} MB. Try a smaller copy, or save it as a JPEG."
        )


def _webp_canvas(head: bytes) -> tuple[int, int] | None:
    """The canvas size a WebP file declares in its first 30 bytes (RIFF, then the first
    chunk: VP8X carries the canvas, VP8 and VP8L the one frame's size); None if not WebP."""
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    chunk = head[12:16]
    if chunk == b"VP8X":
        return (
            int.from_bytes(head[24:27], "little") + 1,
            int.from_bytes(head[27:30], "little") + 1,
        )
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        return (
            int.from_bytes(head[26:28], "little") & 0x3FFF,
            int.from_bytes(head[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


async def load(request: Request, key: str | None) -> bytes | None:
    """The stored JPEG for a photo key, or None when there is no photo."""
    if not key:
        return None
    jpeg: bytes | None = await request.app.state.sql.run(
        request.app.state.pool, "photos.get", key=key
    )
    return jpeg
