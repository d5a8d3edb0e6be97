"""A guest typed twice by the same person (unsure the first save worked, on a venue's bad
Wi-Fi) is one contact: online or queued offline, the second save says they are already in
the contacts and links to them; nothing is made, mailed or followed up twice."""

from __future__ import annotations

import asyncio

from tests.phone import Phone, soup, text_of
from tests.swaps.test_sync import action, replay
from tests.tap.test_routes import two_phones


async def guests(pool, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM accounts a JOIN cards c ON c.account_id = a.id"
            " WHERE a.guest AND c.name = $1",
            name,
        )
    )


async def followups_of(pool, name: str) -> int:  # type: ignore[no-untyped-def]
    """The follow-ups (reminders to reach out) about the person ``name``."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM followups f JOIN contacts c ON c.id = f.contact_id"
            " JOIN cards k ON k.account_id = c.contact_id WHERE k.name = $1",
            name,
        )
    )


async def typed(phone: Phone, details: dict[str, str]):  # type: ignore[no-untyped-def]
    return await phone.post(phone.url("tap_guest"), details, htmx=True)


def known_said(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """What the guest form says of a guest typed before, and where its link goes."""
    said = soup(response).select_one("#guest-form [role=status]")
    assert said is not None, response.text
    link = said.select_one("a")
    assert link is not None
    return said.get_text(" ", strip=True), str(link["href"])


async def test_the_same_address_in_other_letters_is_the_guest_typed_before(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    first = await typed(dana, {"name": "Gina Guest", "email": "gina@example.com"})
    assert "hx-redirect" in first.headers, first.text
    page = first.headers["hx-redirect"].split("?")[0]

    again = await typed(
        dana, {"name": "Gina Guest", "email": "GINA@example.com", "phone": "+1 415 555 0142"}
    )
    assert again.status_code == 200
    words, link = known_said(again)
    assert words.startswith("Gina Guest is already in your contacts"), words
    assert link == page
    # The form is blank again for the next person.
    assert soup(again).select_one("#guest-form input[name=name]").get("value", "") == ""
    assert await guests(pool, "Gina Guest") == 1
    assert await followups_of(pool, "Gina Guest") == 1  # one reminder for Dana, not two
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'met'") == 1
    # What the second typing added (a phone where there was none) is on the card now.
    contact = text_of(await dana.get(link))
    assert "gina@example.com" in contact and "555" in contact


async def test_no_address_and_the_same_phone_is_the_guest_typed_before(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    details = {"name": "Phoebe Only", "phone": "+1 415 555 0199"}
    first = await typed(dana, details)
    assert "hx-redirect" in first.headers, first.text
    again = await typed(dana, details)
    words, link = known_said(again)
    assert words == "Phoebe Only is already in your contacts. Open Phoebe Only"
    assert link == first.headers["hx-redirect"].split("?")[0]
    assert await guests(pool, "Phoebe Only") == 1
    assert await followups_of(pool, "Phoebe Only") == 1


async def test_another_guest_someone_elses_guest_or_card_are_each_new(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    # Mia typed Gina on her own phone: Dana's Gina is Dana's own, and Mia's is not told of.
    assert (
        "hx-redirect"
        in (await typed(mia, {"name": "Gina Guest", "email": "g@example.com"})).headers
    )
    for details in (
        {"name": "Gina Guest", "email": "g@example.com"},
        {"name": "Gil Guest", "email": "gil@example.com"},
        # Mia's own card's address: a guest card of Dana's, never Mia's account.
        {"name": "Mia Typed", "email": "MIA@example.com"},
    ):
        made = await typed(dana, details)
        assert "hx-redirect" in made.headers, made.text
        assert "already" not in made.text
    assert await guests(pool, "Gina Guest") == 2
    assert await guests(pool, "Gil Guest") == 1
    assert await guests(pool, "Mia Typed") == 1


async def test_two_saves_at_once_make_one_guest(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    details = {"name": "Tess Twice", "email": "tess@example.com"}
    answers = await asyncio.gather(*(typed(dana, details) for _ in range(4)))
    assert sum("hx-redirect" in answer.headers for answer in answers) == 1
    assert sum("already in your contacts" in answer.text for answer in answers) == 3
    assert await guests(pool, "Tess Twice") == 1


async def test_a_guest_queued_twice_offline_is_one_contact(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    olga = {"name": "Olga Offline", "email": "olga@example.com"}
    # Two saves, two keys: the phone queued each, then sent both once back online.
    first = await replay(dana, action("guest", olga))
    assert first.json()["status"] == "done"
    second = await replay(dana, action("guest", {**olga, "email": "Olga@Example.com"}))
    assert second.status_code == 200
    body = second.json()
    assert body["status"] == "done"
    assert body["message"] == "Olga Offline is already in your contacts."
    assert body["url"] == first.json()["url"].split("?")[0]
    assert (await dana.get(body["url"])).status_code == 200
    assert await guests(pool, "Olga Offline") == 1
    assert await followups_of(pool, "Olga Offline") == 1
