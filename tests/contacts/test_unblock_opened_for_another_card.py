"""Unblock on Settings opened for one card, sent while another card that blocked the same
person is signed in on this phone now (switched in another tab): refused (409), saying so,
and the block of the card signed in now stays."""

from __future__ import annotations

from typing import Any

from bs4 import Tag

from tests.phone import Phone, soup, text_of
from tests.reminders import swapped

NOTHING_CHANGED = "so nothing was changed"


async def unblock_form(phone: Phone) -> tuple[str, dict[str, str]]:
    """Settings' Unblock for Mia, as this phone shows it: where it goes and what it sends."""
    section = soup(await phone.get(phone.url("settings"))).select_one("#blocked-section")
    assert section is not None
    button = section.find("button", attrs={"aria-label": "Unblock Mia Chen"})
    assert isinstance(button, Tag)
    form = button.find_parent("form")
    assert isinstance(form, Tag)
    sent = {str(field["name"]): str(field.get("value", "")) for field in form.find_all("input")}
    return str(form["action"]), sent


async def blocked(pool: Any, blocker: str) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM blocks b JOIN cards c ON c.account_id = b.blocker_id"
            " JOIN cards m ON m.account_id = b.blocked_id"
            " WHERE c.name = $1 AND m.name = 'Mia Chen')",
            blocker,
        )
    )


async def test_unblock_from_a_card_signed_in_before_keeps_the_other_cards_block(new_phone, pool):
    # Dana and Sam each swapped with Mia, then each blocked her.
    dana, mia = await swapped(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    assert (await mia.post(await sam.share_link() + "/swap")).status_code == 303
    for phone, name in ((dana, "Dana Lee"), (sam, "Sam Roe")):
        contact_id = await pool.fetchval(
            "SELECT c.id FROM contacts c JOIN cards o ON o.account_id = c.owner_id"
            " WHERE o.name = $1",
            name,
        )
        form = soup(await phone.get(phone.url("contact", contact_id=contact_id))).select_one(
            "details form"
        )
        assert form is not None and form.button.get_text(strip=True) == "Block Mia Chen"
        assert (await phone.post(str(form["action"]))).status_code == 303
    # Dana's Settings page is open in a tab; another tab switched this phone to Sam's card.
    action, sent = await unblock_form(dana)

    for htmx in (True, False):
        refused = await sam.post(action, sent, htmx=htmx)
        assert refused.status_code == 409
        assert NOTHING_CHANGED in text_of(refused) and "Unblocked" not in text_of(refused)
        assert await blocked(pool, "Sam Roe"), "Sam's block on Mia stays"
        assert await blocked(pool, "Dana Lee")

    # From their own pages, each unblocks as before.
    assert (await dana.post(action, sent, htmx=True)).status_code == 200
    assert not await blocked(pool, "Dana Lee")
    action, sent = await unblock_form(sam)
    assert (await sam.post(action, sent)).status_code == 303
    assert not await blocked(pool, "Sam Roe")
