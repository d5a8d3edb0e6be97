"""A card whose only contact was removed a moment ago is not a card made by mistake: while
Undo can still bring the contact back, signing in to another card from that browser offers it
for merging (Undo then puts the contact back on the account kept) instead of deleting it, and
the contact with it, for good. Someone else's removal of it still to be undone keeps it too.
Once Undo has run out, the card is as empty as it looks and goes, as before."""

from __future__ import annotations

from datetime import timedelta

from tests.contacts.test_take_back import button_form, remove
from tests.phone import Phone, soup, text_of, words
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import swap


async def the_app_card_met_sam(new_phone) -> tuple[Phone, Phone]:  # type: ignore[no-untyped-def]
    """Dana's real account (1) in Safari; in the installed app a card by mistake (2), which
    met Sam (3), its one contact."""
    real = await new_phone()
    await real.make_card(email="dana@example.com")
    app_phone = await new_phone()
    await app_phone.make_card(name="Dana L.", email="")
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(app_phone, sam)
    return app_phone, sam


async def removed(phone: Phone, pool, owner: int, other: int, *, undo: timedelta) -> str:  # type: ignore[no-untyped-def]
    """``owner`` removes ``other`` and Undo works for ``undo`` more (a test run takes longer
    than Undo's few seconds to sign in); the list it lands on, with Undo."""
    contact = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", owner, other
    )
    listing = await remove(phone, contact)
    await pool.execute("UPDATE contact_removals SET undo_until = now() + $1::interval", undo)
    return listing


async def test_a_card_whose_contact_undo_can_bring_back_is_offered_and_undo_works_after_merging(
    new_phone, pool, mail, app
):
    app_phone, sam = await the_app_card_met_sam(new_phone)
    listing = await removed(app_phone, pool, 2, 3, undo=timedelta(minutes=1))

    signed = await signs_in(app_phone, mail, app, "dana@example.com")
    assert signed.headers["location"] == app_phone.url("sign_in_merge") + "?notice=signed_in"
    offer_page = text_of(await app_phone.get(signed.headers["location"]))
    assert "Merge the card this browser had?" in offer_page
    assert (
        "But it has 1 contact removed a moment ago, which Undo can still bring back, so we ask"
        in offer_page
    )
    # The offer counts it with what else a card with no contacts has (accounts.delete_if_empty).
    session_id = await pool.fetchval("SELECT id FROM sessions WHERE merge_from = 2")
    offer = await app.state.sql.run(
        pool, "sessions.merge_offer", session_id=session_id, account_id=1
    )
    assert (offer["contacts"], offer["removals"]) == (0, 1)
    merged = await app_phone.post(app_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, text_of(merged)

    # Undo, still within its seconds, puts Sam back: on her real card now, both ways.
    page = await app_phone.get(listing)
    notice = soup(page).select_one("#removed")
    assert notice is not None and "Removed Sam Park." in words(notice)
    undone = await app_phone.post(button_form(page, "Undo")["action"])
    assert undone.status_code == 303, text_of(undone)
    assert "Sam Park" in text_of(await app_phone.get(app_phone.url("contacts")))
    assert "Dana Lee" in text_of(await sam.get(sam.url("contacts")))


async def test_a_card_someone_removed_a_moment_ago_stays_so_their_undo_works(
    new_phone, pool, mail, app
):
    """Sam removed the app's card; Dana signs in to her real one there meanwhile and keeps
    them apart: Sam's Undo still brings her app card back into his list."""
    app_phone, sam = await the_app_card_met_sam(new_phone)
    listing = await removed(sam, pool, 3, 2, undo=timedelta(minutes=1))

    signed = await signs_in(app_phone, mail, app, "dana@example.com")
    assert signed.headers["location"] == app_phone.url("sign_in_merge") + "?notice=signed_in"
    kept = await app_phone.post(app_phone.url("sign_in_merge_choose"), {"choice": "apart"})
    assert kept.status_code == 303, text_of(kept)

    undone = await sam.post(button_form(await sam.get(listing), "Undo")["action"])
    assert undone.status_code == 303, text_of(undone)
    assert "Dana L." in text_of(await sam.get(sam.url("contacts")))


async def test_once_undo_has_run_out_the_card_goes_as_a_card_made_by_mistake(
    new_phone, pool, mail, app
):
    """The removal waits to be forgotten (retention), but nothing can bring Sam back."""
    app_phone, _ = await the_app_card_met_sam(new_phone)
    await removed(app_phone, pool, 2, 3, undo=timedelta(seconds=-1))

    signed = await signs_in(app_phone, mail, app, "dana@example.com")
    assert signed.headers["location"] == app_phone.url("contacts") + "?notice=signed_in"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 2") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0
