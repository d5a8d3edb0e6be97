"""Card photos: a small upright square JPEG, no metadata; anything else is refused clearly."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bench import _images
from server.cards import photos


def jpeg(width: int, height: int, *, orientation: int | None = None, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    image.paste((200, 0, 0), (0, 0, width // 2, height))  # left half red
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_any_photo_becomes_a_small_square_without_metadata():
    out = Image.open(io.BytesIO(photos.process(jpeg(1200, 800, gps=True))))
    assert out.format == "JPEG"
    assert out.size == (photos.SIZE, photos.SIZE)
    assert not out.getexif()
    assert "icc_profile" not in out.info


def test_the_cameras_rotation_is_applied_before_its_exif_is_dropped():
    # Orientation 6: the phone was held upright, so the stored image is lying on its side;
    # upright, the red half that was on the left is at the top.
    out = Image.open(io.BytesIO(photos.process(jpeg(800, 600, orientation=6))))
    top = out.getpixel((photos.SIZE // 2, 10))
    bottom = out.getpixel((photos.SIZE // 2, photos.SIZE - 10))
    assert top[0] > 150 and top[1] < 80, top
    assert bottom[0] > 200 and bottom[1] > 200, bottom


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a photo"),
        (b"%PDF-1.7 not a photo", "not a photo we can read"),
        (jpeg(100, 100)[:200], "not a photo we can read"),
    ],
)
def test_what_is_not_a_photo_is_refused_clearly(data, message):
    with pytest.raises(photos.NotAnImage, match=message):
        photos.process(data)


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_decompression_bomb_is_refused_from_its_header(monkeypatch):
    monkeypatch.setattr(photos, "MAX_JPEG_PIXELS", 100 * 100)
    with pytest.raises(photos.NotAnImage, match=r"too large .* JPEG can have up to"):
        photos.process(jpeg(200, 200))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # 8944 x 8944 in 250 KB: the upload that once took the web process to 1 GB.
        (lambda: _images.png(8944, 8944), "A PNG can have up to 16 megapixels"),
        (lambda: _images.jpeg_declaring(65500, 65500), "too large for us to use"),
        (lambda: _images.jpeg_declaring(65535, 639), "too long and narrow"),
        (
            lambda: _images.jpeg_declaring(6000, 4000, progressive=True),
            "A progressive JPEG can have up to 16 megapixels",
        ),
        (lambda: _images.jpeg_separate_scans(6000, 4000), "up to 16 megapixels"),
        (lambda: _images.webp_canvas(13000, 13000), "A WebP can have up to 8 megapixels"),
        (lambda: _images.png(1000, 1000, text_mb=8), "not a photo we can read"),
    ],
    ids=["png-bomb", "huge-jpeg", "narrow-jpeg", "progressive", "scans", "webp-canvas", "text"],
)
def test_hostile_images_are_refused_before_their_pixels_are_decoded(make, message):
    with pytest.raises(photos.NotAnImage, match=message):
        photos.process(make())


def test_a_24_megapixel_phone_photo_is_taken():
    # What an iPhone sends by default since the 15 Pro: 5712 x 4284, 24.5 MP.
    out = Image.open(io.BytesIO(photos.process(_images.jpeg(5712, 4284))))
    assert out.size == (photos.SIZE, photos.SIZE)


@pytest.mark.parametrize("kind", ["EPS", "BMP", "TIFF", "ICO", "PPM", "TGA", "PCX", "SGI", "DDS"])
def test_only_jpeg_png_webp_and_gif_are_opened(kind):
    data = _images.EPS if kind == "EPS" else None
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (64, 64), "red").save(out, kind)
        data = out.getvalue()
    with pytest.raises(photos.NotAnImage, match="Try a JPEG, PNG, WebP or GIF"):
        photos.process(data)


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "GIF"])
def test_each_other_format_becomes_the_same_small_jpeg(kind):
    out = io.BytesIO()
    Image.new("RGB", (900, 700), (0, 0, 200)).save(out, kind)
    result = Image.open(io.BytesIO(photos.process(out.getvalue())))
    assert (result.format, result.size) == ("JPEG", (photos.SIZE, photos.SIZE))
    red, green, blue = result.getpixel((160, 160))
    assert blue > 150 and red < 60 and green < 60


def test_a_portrait_mode_mpo_is_read_as_its_first_picture():
    out = io.BytesIO()
    first, depth = Image.new("RGB", (800, 600), "red"), Image.new("RGB", (800, 600), "blue")
    first.save(out, "MPO", save_all=True, append_images=[depth])
    result = Image.open(io.BytesIO(photos.process(out.getvalue())))
    assert result.getpixel((160, 160))[0] > 200


def test_transparency_becomes_white():
    image = Image.new("RGBA", (1000, 1000), (0, 0, 0, 0))
    result = Image.open(io.BytesIO(photos.process(png_bytes(image))))
    assert min(result.getpixel((160, 160))) > 240


def test_an_animated_gif_gives_its_first_frame():
    gif = _images.gif_frames(500, 500)
    assert Image.open(io.BytesIO(gif)).n_frames == 500
    result = Image.open(io.BytesIO(photos.process(gif)))
    red, _, blue = result.getpixel((160, 160))
    assert red > 200 and blue < 60  # the first frame is red, the second blue


def test_a_large_photo_is_decoded_small_and_turned_upright():
    # 4000 x 3000 lying on its side (orientation 6): decoded at 1/8 scale, rotated after.
    out = Image.open(io.BytesIO(photos.process(jpeg(4000, 3000, orientation=6))))
    assert out.size == (photos.SIZE, photos.SIZE)
    top = out.getpixel((photos.SIZE // 2, 10))
    bottom = out.getpixel((photos.SIZE // 2, photos.SIZE - 10))
    assert top[0] > 150 and top[1] < 80, top
    assert bottom[0] > 200 and bottom[1] > 200, bottom


@pytest.mark.parametrize(
    "data",
    [
        _images.EPS,
        b"RIFF\xff\xff\xff\xffWEBPVP8X" + b"\xff" * 40,
        b"GIF89a" + b"\xff" * 40,
        b"\xff\xd8\xff\xc0\x00\x01",
        b"\xff\xd8" + b"\xff\xe1\xff\xff" * 100,
    ],
)
def test_truncated_and_malformed_headers_are_refused(data):
    with pytest.raises(photos.NotAnImage, match=r"not a photo we can read|too large"):
        photos.process(data)
