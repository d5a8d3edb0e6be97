"""Sessions live in PostgreSQL: revocable, hashed, and readable by any web process."""

from __future__ import annotations

from tests.phone import in_another_web_process, text_of


async def test_revoked_session_stops_working(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    assert (await phone.get(phone.url("share"))).status_code == 200
    await pool.execute("UPDATE sessions SET revoked_at = now()")
    response = await phone.get(phone.url("share"))
    assert response.status_code == 303  # back to "make my card"
    assert response.headers["location"] == phone.url("card")


async def test_a_second_app_process_reads_the_same_session(new_phone, settings):
    phone = await new_phone()
    await phone.make_card(name="Ada Obi")
    # A second web process: shares nothing but the database.
    async with in_another_web_process(settings, phone) as other:
        response = await other.get("/share")
    assert response.status_code == 200
    assert "Ada Obi" in text_of(response)


async def test_garbage_session_cookie_is_just_signed_out(new_phone, pool):
    phone = await new_phone()
    phone.client.cookies.set("ro_session", "x" * 500, domain="testserver.local")
    response = await phone.get(phone.url("contacts"))
    assert response.status_code == 200
    assert "No card on this phone yet" in text_of(response)
