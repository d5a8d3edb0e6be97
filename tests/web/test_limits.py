"""Body limits: a body that grows past the limit is refused with 413, declared or not."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tests.phone import DEFAULT_CARD, text_of


async def chunks(total: int, size: int = 8192) -> AsyncIterator[bytes]:
    yield b"name=Dana&note="
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


async def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(new_phone, pool, app):
    phone = await new_phone()
    await phone.make_card()
    limit = app.state.settings.max_body_bytes
    response = await phone.client.post(
        phone.url("card_save"),
        content=chunks(limit * 2),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "same-origin",
        },
    )
    assert response.status_code == 413
    assert "too large" in text_of(response)
    assert await pool.fetchval("SELECT name FROM cards") == DEFAULT_CARD["name"]


async def test_a_photo_may_be_larger_than_a_form(new_phone, app):
    phone = await new_phone()
    await phone.make_card()
    size = app.state.settings.max_body_bytes * 2
    response = await phone.post(
        phone.url("card_photo"), files={"photo": ("p.jpg", b"\xff" * size, "image/jpeg")}
    )
    # Past the form limit, yet read and judged as a photo, not refused as too large.
    assert response.status_code == 422
    assert "not a photo we can read" in text_of(response)
