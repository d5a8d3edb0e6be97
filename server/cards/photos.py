"""Card photos: any common image in, a small square JPEG out, with EXIF and GPS gone."""

from __future__ import annotations

import io
import secrets
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.requests import Request

SIZE = 320
# Refuse decompression bombs early: a phone photo is ~12-50 megapixels.
MAX_PIXELS = 80_000_000


class NotAnImage(ValueError):
    pass


def new_key() -> str:
    return secrets.token_urlsafe(16)


def process(data: bytes) -> bytes:
    """Resize to a centred square and re-encode; the output carries no metadata at all."""
    if not data:
        raise NotAnImage("Choose a photo to upload.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise NotAnImage("That image is too large.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                # Apply the camera's rotation before the EXIF that records it is dropped.
                upright = ImageOps.exif_transpose(image)
                square = ImageOps.fit(
                    upright.convert("RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS
                )
    except NotAnImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAnImage("That file is not a photo we can read. Try a JPEG or PNG.") from None
    except (OSError, SyntaxError, ValueError):
        raise NotAnImage("That file is not a photo we can read. Try a JPEG or PNG.") from None
    out = io.BytesIO()
    # A fresh image has no info dict, so no EXIF, GPS, XMP or ICC data is written.
    Image.frombytes("RGB", square.size, square.tobytes()).save(
        out, "JPEG", quality=82, optimize=True, progressive=True
    )
    return out.getvalue()


async def load(request: Request, key: str | None) -> bytes | None:
    """The stored JPEG for a photo key, or None when there is no photo."""
    if not key:
        return None
    jpeg: bytes | None = await request.app.state.sql.run(
        request.app.state.pool, "photos.get", key=key
    )
    return jpeg
