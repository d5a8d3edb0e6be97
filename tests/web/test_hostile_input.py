"""Hostile and oversized input on every form: a clear 4xx, escaped output, nothing changed."""

from __future__ import annotations

import pytest

from server.cards.fields import QUICK_FIELDS
from tests.phone import text_of

SCRIPT = "<script>alert(document.cookie)</script>"


# What a person saved; a session's last-seen bookkeeping (sessions.touch) is not.
SAVED = {
    "accounts": "*",
    "cards": "*",
    "contacts": "*",
    "sessions": "token_hash, account_id, created_at, revoked_at",
    "photos": "*",
}


async def snapshot(pool) -> list:
    return [
        [tuple(r) for r in await pool.fetch(f"SELECT {columns} FROM {table} ORDER BY 1")]  # noqa: S608
        for table, columns in SAVED.items()
    ]


async def dana_and_mia(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone()
    await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    return dana, mia, link


async def danas_contact(pool) -> int:
    """Dana made the first account, so her contact row is the one she owns as account 1."""
    contact_id: int = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    return contact_id


@pytest.mark.parametrize("field", QUICK_FIELDS)
async def test_script_in_each_leave_details_field_is_refused_or_escaped(new_phone, pool, field):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    data = {"name": "Mia Chen", "email": "mia@example.com", field: SCRIPT}
    response = await visitor.post(link + "/details", data)
    assert response.status_code in (303, 422)
    shown = [response] if response.status_code == 422 else [await dana.get(dana.url("contacts"))]
    if response.status_code == 303:
        contact = await dana.get(dana.url("contact", contact_id=await danas_contact(pool)))
        assert contact.status_code == 200
        shown.append(contact)
    for page in shown:
        assert "<script>alert" not in page.text


async def test_oversized_bodies_get_413_on_every_form(new_phone, pool):
    dana, mia, link = await dana_and_mia(new_phone)
    before = await snapshot(pool)
    huge = "x" * 100_000
    for phone, url in (
        (dana, dana.url("card_save")),
        (dana, dana.url("card_check", field="name")),
        (dana, dana.url("share_ask_first")),
        (dana, dana.url("share_reset")),
        (dana, dana.url("contact_note", contact_id=await danas_contact(pool))),
        (mia, link + "/swap"),
        (await new_phone(), link + "/details"),
    ):
        response = await phone.post(url, {"name": huge, "note": huge, "email": "a@b.co"})
        assert response.status_code == 413, url
        assert "too large" in text_of(response)
    assert await snapshot(pool) == before


async def test_a_lying_content_length_is_refused(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    before = await snapshot(pool)
    response = await dana.client.post(
        dana.url("card_save"),
        content=b"name=x",
        headers={"content-length": "abc", "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 413)
    assert await snapshot(pool) == before


async def test_note_with_script_is_kept_as_text(new_phone, pool):
    dana, _, _ = await dana_and_mia(new_phone)
    contact_id = await danas_contact(pool)
    await dana.post(dana.url("contact_note", contact_id=contact_id), {"note": SCRIPT})
    page = await dana.get(dana.url("contact", contact_id=contact_id))
    assert "<script>alert" not in page.text
    assert SCRIPT in text_of(page)


async def test_search_with_huge_or_odd_queries(new_phone):
    dana, _, _ = await dana_and_mia(new_phone)
    for query in ("x" * 10_000, SCRIPT, "'; DROP TABLE contacts; --", "\\", "%"):
        response = await dana.get(dana.url("contacts"), params={"q": query})
        assert response.status_code == 200
        assert "<script>alert" not in response.text
    assert "Mia Chen" in text_of(await dana.get(dana.url("contacts"), params={"q": "mia"}))


async def test_multipart_garbage_is_a_clear_400(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    before = await snapshot(pool)
    response = await dana.client.post(
        dana.url("card_photo"),
        content=b"--b\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--b--",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code in (400, 403)
    assert "<html" in response.text
    assert await snapshot(pool) == before
