"""My card: creating it makes the account, edits validate, bad input changes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.phone import DEFAULT_CARD, soup, text_of


async def saved_card(pool) -> dict:
    row = await pool.fetchrow("SELECT * FROM cards")
    return dict(row) if row else {}


async def test_viewing_pages_creates_no_account(new_phone, pool):
    phone = await new_phone()
    for name in ("home", "card", "card_edit", "contacts", "share"):
        response = await phone.get(phone.url(name))
        assert response.status_code in (200, 303)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0


async def test_first_save_creates_account_session_and_card(new_phone, pool):
    phone = await new_phone()
    response = await phone.make_card()
    assert response.headers["location"] == phone.url("share")
    cookie = response.headers["set-cookie"]
    assert "ro_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    card = await saved_card(pool)
    assert card["name"] == "Dana Lee"
    assert card["phone"] == "+14155550134", "phone numbers are stored normalised (E.164)"
    token = phone.client.cookies["ro_session"]
    assert token.encode() not in (await pool.fetchval("SELECT token_hash FROM sessions"))
    page = await phone.get(phone.url("card"))
    assert "Intros to recruiters in fashion and apparel" in text_of(page)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Please enter your name."),
        ("name", "   ", "Please enter your name."),
        ("email", "dana@", "email address does not look right"),
        ("email", "not an email", "email address does not look right"),
        ("phone", "12", "phone number does not look right"),
        ("phone", "call me maybe", "phone number does not look right"),
        ("website", "javascript:alert(1)", "Only web links"),
        ("website", "JaVaScRiPt://%0aalert(1)", "Only web links"),
        ("other_link", "data:text/html,<script>alert(1)</script>", "Only web links"),
        ("other_link", "ftp://files.example.com", "Only web links"),
        ("linkedin", "https://evil.example.com/in/dana", "linkedin.com link"),
        ("headline", "x" * 121, "under 120 characters"),
        ("looking_for", "y" * 501, "under 500 characters"),
    ],
)
async def test_invalid_edit_shows_message_and_keeps_saved_card(
    new_phone, pool, field, value, message
):
    phone = await new_phone()
    await phone.make_card()
    before = await saved_card(pool)
    response = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, field: value})
    assert response.status_code == 422
    page = soup(response)
    error = page.select_one(f"#err-{field}")
    assert error is not None and message in error.get_text()
    assert await saved_card(pool) == before


async def test_invalid_first_card_creates_nothing(new_phone, pool):
    phone = await new_phone()
    response = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "email": "nope"})
    assert response.status_code == 422
    assert "ro_session" not in response.headers.get("set-cookie", "")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_hostile_text_is_saved_as_text_and_shown_escaped(new_phone):
    phone = await new_phone()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fields = {
        name: hostile for name in ("name", "headline", "company", "looking_for", "can_help_with")
    }
    await phone.make_card(**fields)
    for url in (phone.url("card"), await phone.share_link()):
        response = await phone.get(url)
        assert "<script>alert" not in response.text
        assert "<img src=x" not in response.text
        assert "&lt;script&gt;" in response.text
        assert soup(response).find("script", string=lambda s: s and "alert" in s) is None


async def test_invalid_value_is_shown_back_escaped(new_phone):
    phone = await new_phone()
    response = await phone.post(
        phone.url("card_save"), {**DEFAULT_CARD, "email": '"><script>alert(1)</script>'}
    )
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.text
    field = soup(response).select_one("#in-email")
    assert field is not None and field["value"] == '"><script>alert(1)</script>'


async def test_links_are_normalised(new_phone, pool):
    phone = await new_phone()
    await phone.make_card(linkedin="danalee", website="danalee.example.com")
    card = await saved_card(pool)
    assert card["linkedin"] == "https://www.linkedin.com/in/danalee"
    assert card["website"] == "https://danalee.example.com/"


async def test_national_phone_number_read_in_browser_region(new_phone, pool):
    phone = await new_phone(**{"accept-language": "en-GB,en;q=0.8"})
    await phone.make_card(phone="07911 123456")
    assert (await saved_card(pool))["phone"] == "+447911123456"


async def test_htmx_edit_returns_fragment_and_varies(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    form = await phone.get(phone.url("card_edit"), headers={"HX-Request": "true"})
    assert "HX-Request" in form.headers["vary"]
    assert "<html" not in form.text and 'id="card-form"' in form.text

    saved = await phone.post(
        phone.url("card_save"), {**DEFAULT_CARD, "headline": "Head of talent"}, htmx=True
    )
    assert saved.status_code == 200
    assert "<html" not in saved.text
    assert "Head of talent" in text_of(saved) and "Saved." in text_of(saved)

    invalid = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "email": "x@"}, htmx=True)
    assert invalid.status_code == 422
    assert "<html" not in invalid.text
    assert (await saved_card(pool))["headline"] == "Head of talent"


async def test_inline_field_check_reports_without_saving(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    bad = await phone.post(phone.url("card_check", field="email"), {"email": "bad@"}, htmx=True)
    assert bad.status_code == 422
    assert "does not look right" in text_of(bad)
    good = await phone.post(
        phone.url("card_check", field="email"), {"email": "new@example.com"}, htmx=True
    )
    assert good.status_code == 200 and "does not look right" not in text_of(good)
    assert (await saved_card(pool))["email"] == "dana@example.com"
    assert (await phone.post("/card/check/password", {"x": "1"})).status_code == 404


async def test_oversized_body_is_refused_with_413_and_nothing_changes(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    before = await saved_card(pool)
    response = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "name": "x" * 200_000})
    assert response.status_code == 413
    assert "too large" in text_of(response)
    assert await saved_card(pool) == before


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def test_photo_is_resized_and_stripped_of_exif(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("me.jpg", original, "image/jpeg")}
    )
    assert response.status_code == 303
    key = await pool.fetchval("SELECT photo_key FROM cards")
    served = await phone.get(phone.url("photo", key=key))
    assert served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (320, 320)
    assert not image.getexif()
    assert b"PhoneMaker" not in served.content


async def test_replacing_and_removing_photo_deletes_old_bytes(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    for _ in range(2):
        await phone.post(
            phone.url("card_photo"), files={"photo": ("me.jpg", jpeg_with_gps(), "image/jpeg")}
        )
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1
    key = await pool.fetchval("SELECT photo_key FROM cards")
    await phone.post(phone.url("card_photo_remove"), {"photo_key": key})  # as the page sends
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0
    assert await pool.fetchval("SELECT photo_key FROM cards") is None


@pytest.mark.parametrize(
    "payload",
    [b"", b"%PDF-1.4 not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"<svg></svg>"],
)
async def test_non_images_are_refused(new_phone, pool, payload):
    phone = await new_phone()
    await phone.make_card()
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("x.jpg", payload, "image/jpeg")}, htmx=True
    )
    assert response.status_code == 422
    assert "photo" in text_of(response).lower()
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0


async def test_photo_over_the_limit_gets_413(new_phone, pool, app):
    phone = await new_phone()
    await phone.make_card()
    huge = b"\xff\xd8\xff" + b"0" * app.state.settings.max_photo_bytes
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("big.jpg", huge, "image/jpeg")}
    )
    assert response.status_code == 413
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0


async def test_photo_needs_a_card_first(new_phone, pool):
    phone = await new_phone()
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("me.jpg", jpeg_with_gps(), "image/jpeg")}
    )
    assert response.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0
