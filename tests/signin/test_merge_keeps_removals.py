"""Merging keeps "Take it back": a contact removed on the card merged in, a moment before,
can still be put back, now on the account kept, with its follow-up's reminder (the one
queued for the card's phone, signed out by the merge) coming to her own phone instead."""

from __future__ import annotations

from tests.contacts.test_take_back import button_form, remove
from tests.mailing import confirm_addresses
from tests.phone import soup, text_of, words
from tests.reminders import make_due, running_worker
from tests.signin.test_merge_keeps_reminders import dana_in_the_app, merges_into_her_own
from tests.signin.test_merge_worker_locks import her_real_account
from tests.signin.test_merging import swap


async def met_sam_and_removed_him(new_phone, app, pool, push):  # type: ignore[no-untyped-def]
    """In the app (account 2) Dana met Sam (3) and Ben (4), their reminders queued for the
    app's phone, then removed Sam; the list she lands on, with Undo."""
    app_phone, _ = await dana_in_the_app(new_phone, pool, push)
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(app_phone, sam)
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    await swap(app_phone, ben)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.enqueue_due() == 4  # hers for each, and theirs for her
    sams = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2 AND contact_id = 3")
    listing = await remove(app_phone, sams)
    # Signing in and merging takes her longer than Undo's few seconds in a test run.
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '1 minute'")
    return app_phone, sam, listing


async def test_take_it_back_after_merging_puts_the_contact_back_on_the_account_kept(
    new_phone, app, pool, push, mail
):
    own_device = await her_real_account(new_phone, pool, push, device=True)  # 1
    app_phone, sam, listing = await met_sam_and_removed_him(new_phone, app, pool, push)
    await merges_into_her_own(app_phone, mail, app)

    page = await app_phone.get(listing)
    notice = soup(page).select_one("#removed")
    assert notice is not None and "Removed Sam Park." in words(notice)
    undone = await app_phone.post(button_form(page, "Undo")["action"])
    assert undone.status_code == 303, text_of(undone)
    assert "Sam Park" in text_of(await app_phone.get(app_phone.url("contacts")))
    assert "Dana Lee" in text_of(await sam.get(sam.url("contacts")))
    async with running_worker(app, push) as worker:
        # Queued first, then sent: queueing Ben's again while his old push (for the app's
        # phone, gone) is passed on can deadlock inside the worker: push_not_sent() takes her
        # reminders lock, then a key share on his follow-up; the queueing, the other way.
        await worker.enqueue_due()
        await worker.run_once()
    assert sorted(m.json()["title"] for m in push.received_for(own_device)) == [
        "Follow up with Ben Ode",
        "Follow up with Sam Park",
    ]


async def test_a_removal_of_someone_the_account_kept_knows_stays_behind(
    new_phone, app, pool, push, mail
):
    """Her real account met Sam too: that connection stands, and the app's removal of him
    goes with the app's card (nothing to undo)."""
    real = await new_phone()
    await real.make_card(email="dana@example.com")  # 1
    await confirm_addresses(pool, "dana@example.com")
    app_phone, sam, listing = await met_sam_and_removed_him(new_phone, app, pool, push)
    undo = button_form(await app_phone.get(listing), "Undo")["action"]
    await swap(real, sam)
    await merges_into_her_own(app_phone, mail, app)

    assert (await app_phone.post(undo)).status_code == 404
    assert words(soup(await app_phone.get(app_phone.url("contacts")))).count("Sam Park") == 1
