"""Merging two accounts that both know someone: where one waits for her to accept them
(her card asks for details first), the one connection still waits, and only accepting shares
her card; one where she shares only her name and headline stays so."""

from __future__ import annotations

from tests.phone import Phone, soup, text_of
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code

PHONE = "555-0199"


async def sam_waits_on_one_card(new_phone, pool) -> tuple[Phone, Phone, Phone]:  # type: ignore[no-untyped-def]
    """Dana's Safari card (account 1) asks first: Sam (2) swapped with it and waits for her
    to accept. Her card in the installed app (3) does not: Sam swapped with it too."""
    safari = await new_phone()
    await safari.make_card(phone="+1 415 555 0199")
    await safari.post(safari.url("share_ask_first"), {"ask_details_first": "on"})
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(sam, safari)
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com", phone="")
    await swap(sam, installed)
    rows = dict(await pool.fetch("SELECT owner_id, sharing FROM contacts WHERE owner_id IN (1, 3)"))
    assert rows == {1: "pending", 3: "all"}
    return safari, installed, sam


async def merge(safari: Phone, installed: Phone) -> None:
    """The installed app signs in to the Safari card with its code and merges its own in."""
    code = await show_code(safari)
    await installed.post(installed.url("move_enter_submit"), {"code": code})
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303


async def dana_row(pool) -> int:  # type: ignore[no-untyped-def]
    return int(await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1 AND contact_id = 2"))


async def sam_sees(sam: Phone, pool) -> str:  # type: ignore[no-untyped-def]
    row = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2 AND contact_id = 1")
    return text_of(await sam.get(sam.url("contact", contact_id=row)))


async def test_merging_in_a_card_that_shares_all_does_not_accept_for_her(new_phone, pool):
    safari, installed, sam = await sam_waits_on_one_card(new_phone, pool)
    await merge(safari, installed)
    seen = await sam_sees(sam, pool)
    assert "Dana Lee" in seen and PHONE not in seen
    # Dana is asked, and accepting is what shares her card.
    page = await installed.get(installed.url("contact", contact_id=await dana_row(pool)))
    button = soup(page).find("button", string=lambda s: s is not None and s.startswith("Accept"))
    assert button is not None, text_of(page)
    accepted = await installed.post(button.find_parent("form")["action"], {})
    assert accepted.status_code == 303
    assert PHONE in await sam_sees(sam, pool)


async def test_name_and_headline_only_stays_so_over_one_waiting(new_phone, pool):
    safari, installed, sam = await sam_waits_on_one_card(new_phone, pool)
    # On the installed app, Dana shows Sam only her name and headline.
    row = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 3 AND contact_id = 2")
    chose = await installed.post(
        installed.url("contact_sharing", contact_id=row), {"sharing": "basics"}
    )
    assert chose.status_code in (200, 303), text_of(chose)
    await merge(safari, installed)
    assert PHONE not in await sam_sees(sam, pool)
    page = soup(await installed.get(installed.url("contact", contact_id=await dana_row(pool))))
    assert page.select_one('input[name="sharing"][checked]')["value"] == "basics"
