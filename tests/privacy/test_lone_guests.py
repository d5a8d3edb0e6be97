"""A guest card (details I typed for someone without the app) goes once it is connected to
nobody: when Undo of my removing it runs out, when I delete my account, and when I lift my
block on it; not while a block needs it, Undo still can bring it back, someone else still holds
it, or its owner claimed it."""

from __future__ import annotations

from typing import Any

from server.privacy.retention import Retention
from tests.contacts.test_take_back import button_form, remove
from tests.mailing import code_sent
from tests.phone import Phone, soup, text_of
from tests.signin.test_guests import CODE, dana_types_lou

LOU = "lou@example.com"


async def lou_in_the_database(pool: Any) -> dict[str, int]:
    """Where Lou's name or address is still kept."""
    return {
        "cards": await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Lou Park'"),
        "email_addresses": await pool.fetchval(
            "SELECT count(*) FROM email_addresses WHERE address = $1", LOU
        ),
    }


GONE = {"cards": 0, "email_addresses": 0}


async def lou_removed(dana: Phone, pool: Any) -> str:
    """Dana removes Lou from his contact page; the list she lands on."""
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards l ON l.account_id = c.contact_id"
        " WHERE l.name = 'Lou Park'"
    )
    return await remove(dana, contact_id)


async def undo_runs_out_and_retention_passes(pool: Any, app: Any) -> None:
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 second'")
    await Retention(pool, app.state.sql, app.state.settings).run_once()


async def test_a_guest_i_removed_goes_once_undo_runs_out(new_phone, pool, app):
    dana = await dana_types_lou(new_phone)
    listing = await lou_removed(dana, pool)
    # While Undo works, Lou's card is kept for it: Undo brings him back whole.
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert (await lou_in_the_database(pool))["cards"] == 1
    await dana.post(button_form(await dana.get(listing), "Undo")["action"])
    assert "Lou Park" in text_of(await dana.get(dana.url("contacts")))

    await lou_removed(dana, pool)
    await undo_runs_out_and_retention_passes(pool, app)
    assert await lou_in_the_database(pool) == GONE, "typed for Dana alone, kept for nobody"
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "Dana's stays"
    assert "Dana Lee" in text_of(await dana.get(dana.url("card")))


async def test_a_guest_who_claimed_the_card_keeps_it(new_phone, pool, app, mail):
    dana = await dana_types_lou(new_phone)
    lou = await new_phone()
    await lou.post(lou.url("sign_in_ask"), {"email": LOU})
    code = await code_sent(app, mail, CODE, LOU)
    await lou.post(lou.url("sign_in_code"), {"email": LOU, "code": code})
    await lou_removed(dana, pool)
    await undo_runs_out_and_retention_passes(pool, app)
    assert "Lou Park" in text_of(await lou.get(lou.url("card"))), "his own card now"


async def test_a_blocked_guest_stays_so_that_the_block_still_stands(new_phone, pool, app):
    dana = await dana_types_lou(new_phone)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards l ON l.account_id = c.contact_id"
        " WHERE l.name = 'Lou Park'"
    )
    blocked = await dana.post(dana.url("contact_block", contact_id=contact_id))
    assert blocked.status_code == 303
    await undo_runs_out_and_retention_passes(pool, app)
    assert (await lou_in_the_database(pool))["cards"] == 1
    # His address, left on Dana's link, still finds the block.
    visitor = await new_phone()
    left = await visitor.post(await dana.share_link() + "/details", {"name": "Lou P", "email": LOU})
    assert "Lou P" not in text_of(await dana.get(dana.url("contacts")))
    assert left.status_code != 500


async def test_deleting_my_account_takes_the_guests_i_typed(new_phone, pool, app):
    dana = await dana_types_lou(new_phone)
    typed = await dana.post(dana.url("tap_guest"), {"name": "Ana Ruiz", "email": "ana@example.com"})
    assert typed.status_code == 303
    # One removed a moment ago (Undo still open), one still in the list.
    await lou_removed(dana, pool)
    gone = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert gone.status_code == 303, text_of(gone)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0
    assert await pool.fetchval("SELECT count(*) FROM email_addresses") == 0


async def test_a_guest_i_blocked_goes_with_my_account(new_phone, pool, app):
    """The block was mine: it goes with my account, and so does the card it kept."""
    dana = await dana_types_lou(new_phone)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards l ON l.account_id = c.contact_id"
        " WHERE l.name = 'Lou Park'"
    )
    await dana.post(dana.url("contact_block", contact_id=contact_id))
    gone = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert gone.status_code == 303, text_of(gone)
    assert await lou_in_the_database(pool) == GONE


async def dana_blocks_lou(new_phone: Any, pool: Any) -> Phone:
    """Dana typed Lou's card on her phone, then blocked him from his contact page."""
    dana = await dana_types_lou(new_phone)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards l ON l.account_id = c.contact_id"
        " WHERE l.name = 'Lou Park'"
    )
    blocked = await dana.post(dana.url("contact_block", contact_id=contact_id))
    assert blocked.status_code == 303
    return dana


async def unblocked_in_settings(dana: Phone) -> str:
    """Dana taps Unblock beside Lou under Settings' "Blocked people"; what the list then says."""
    settings = soup(await dana.get(dana.url("settings")))
    button = settings.select_one("#blocked-section button")
    assert button is not None and button["aria-label"] == "Unblock Lou Park"
    unblocked = await dana.post(button.find_parent("form")["action"], htmx=True)
    assert unblocked.status_code == 200, text_of(unblocked)
    return text_of(unblocked)


async def test_unblocking_a_guest_nothing_else_keeps_forgets_him(new_phone, pool, app):
    dana = await dana_blocks_lou(new_phone, pool)
    said = await unblocked_in_settings(dana)
    assert "Unblocked Lou Park." in said and "Nobody." in said
    assert await lou_in_the_database(pool) == GONE, "the block was all that kept him"
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "Dana's stays"
    assert "Dana Lee" in text_of(await dana.get(dana.url("card")))
    # Typed again, he is a stranger like any other: no block, no leftover of the old card.
    typed = await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "email": LOU})
    assert typed.status_code == 303
    assert (await lou_in_the_database(pool))["cards"] == 1


async def test_unblocking_a_guest_someone_else_still_holds_keeps_him(new_phone, pool, app):
    dana = await dana_blocks_lou(new_phone, pool)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe")
    # No screen makes this today (a guest is connected to whoever typed it), but a guest
    # someone still holds is theirs to keep, whatever Dana does.
    await pool.execute(
        "INSERT INTO contacts (owner_id, contact_id) SELECT s.account_id, l.account_id"
        " FROM cards s, cards l WHERE s.name = 'Sam Roe' AND l.name = 'Lou Park'"
    )
    await unblocked_in_settings(dana)
    assert (await lou_in_the_database(pool))["cards"] == 1
    assert "Lou Park" in text_of(await sam.get(sam.url("contacts")))
