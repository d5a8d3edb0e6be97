"""A photo whose upload ends after its account was deleted from another browser is said
(403, the deleted-account message), not a 500; and a body too large is refused with the photo
limit MAX_PHOTO_BYTES sets, not a number written in the message."""

from __future__ import annotations

import dataclasses

import pytest

from server.cards import photos
from tests.cards.test_photo_uploads import photo_jpeg
from tests.events.test_routes import PLAIN
from tests.phone import text_of


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-form"])
async def test_a_photo_after_the_account_was_deleted_elsewhere_is_said(
    new_phone, pool, monkeypatch, htmx
):
    dana = await new_phone()
    await dana.make_card(**PLAIN, name="Dana Lee", email="dana@example.com")
    process = photos.process_upload

    async def deleted_meanwhile(request, source):
        jpeg = await process(request, source)
        await pool.execute("SELECT delete_account(id) FROM accounts")
        return jpeg

    monkeypatch.setattr(photos, "process_upload", deleted_meanwhile)
    response = await dana.post(
        dana.url("card_photo"),
        files={"photo": ("me.jpg", photo_jpeg(), "image/jpeg")},
        htmx=htmx,
    )
    assert response.status_code == 403
    assert "Your account was deleted from another browser" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0


async def test_too_large_says_the_photo_limit_as_set(new_phone, app):
    dana = await new_phone()
    settings = app.state.settings
    # Set back by hand: monkeypatch's undo deletes what it set on a State.
    app.state.settings = dataclasses.replace(settings, max_photo_bytes=3 * 1024 * 1024)
    try:
        response = await dana.post(dana.url("card_save"), {"name": "x" * 100_000})
    finally:
        app.state.settings = settings
    assert response.status_code == 413
    said = text_of(response)
    assert "Photos can be up to 3 MB" in said
    assert "8 MB" not in said
