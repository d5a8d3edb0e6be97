"""Taking it back: removing a contact (both sides, with Undo for a few seconds) and choosing what
one contact sees of my card, seen from the other side."""

from __future__ import annotations

import asyncio
from typing import Any

import vobject

from server.contacts.contacts import UNDO_SECONDS
from server.privacy.retention import Retention
from tests.mailing import confirm_addresses, leaves_details, running_mail_worker, sent_once
from tests.phone import Phone, soup, text_of, words
from tests.reminders import make_due, running_worker, subscribe, swapped

# Everything a removal takes away and an undo must put back, exactly as it was.
TABLES = {
    "contacts": "SELECT to_jsonb(t) FROM contacts t ORDER BY id",
    "followups": "SELECT to_jsonb(t) FROM followups t ORDER BY id",
    "deliveries": "SELECT to_jsonb(t) FROM deliveries t ORDER BY id",
    "emails": "SELECT to_jsonb(t) FROM emails t ORDER BY id",
}


async def rows_of(pool: Any) -> dict[str, list[Any]]:
    return {table: [row[0] for row in await pool.fetch(query)] for table, query in TABLES.items()}


async def contact_of(pool: Any, owner: int) -> int:
    return int(await pool.fetchval("SELECT id FROM contacts WHERE owner_id = $1", owner))


def button_form(response: Any, label: str) -> Any:
    """The form holding the button labelled ``label``."""
    button = next(b for b in soup(response).select("button") if b.get_text(strip=True) == label)
    return button.find_parent("form")


async def remove(phone: Phone, contact_id: int) -> str:
    """Press "Remove ..." on the contact page, as the page names it; the list it lands on."""
    page = await phone.get(phone.url("contact", contact_id=contact_id))
    name = soup(page).h1.get_text(strip=True)
    form = button_form(page, f"Remove {name}")
    response = await phone.post(form["action"])
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


async def test_remove_takes_both_sides_out_cancels_what_was_queued_and_undo_restores_it(
    new_phone, pool, push, app
):
    dana, mia = await swapped(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    await mia.post(mia.url("contact_note", contact_id=mia_contact), {"note": "Fashion recruiters"})
    # Reminders come to both by push and by email, and both are due and queued now.
    device = await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com", "mia@example.com")
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
    before = await rows_of(pool)
    assert [len(rows) for rows in before.values()] == [2, 2, 1, 2]

    listing = await remove(mia, mia_contact)
    assert listing.startswith(mia.url("contacts") + "?removed=")
    page = await mia.get(listing)
    notice = soup(page).select_one("#removed")
    assert notice is not None and "Removed Dana Lee." in words(notice)
    undo = button_form(page, "Undo")
    assert undo["action"].endswith("/undo")
    # The button goes when Undo stops working (app.js), after the window.
    assert UNDO_SECONDS - 3 < float(undo["data-expires-in"]) <= UNDO_SECONDS

    # Both sides: gone from the list, the page a friendly 404, the vCard too.
    assert "Dana Lee" not in text_of(await mia.get(mia.url("contacts")))
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    for phone, contact_id in ((mia, mia_contact), (dana, dana_contact)):
        gone = await phone.get(phone.url("contact", contact_id=contact_id))
        assert gone.status_code == 404
        assert "That contact is not in your list." in text_of(gone)
        assert (
            await phone.get(phone.url("contact_vcard", contact_id=contact_id))
        ).status_code == 404
    # Follow-ups, the queued push and the queued reminder emails: gone, nothing goes out.
    assert {t: len(rows) for t, rows in (await rows_of(pool)).items()} == dict.fromkeys(TABLES, 0)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 0
    assert push.received_for(device) == []
    assert "Dana Lee" not in text_of(await mia.get(mia.url("followups")))

    # Undo, within the window: both sides and what hung off them come back exactly.
    restored = await mia.post(undo["action"])
    assert restored.status_code == 303
    assert restored.headers["location"] == mia.url("contact", contact_id=mia_contact) + (
        "?notice=restored"
    )
    back = await mia.get(restored.headers["location"])
    assert "Dana Lee is back in your contacts" in text_of(back)
    assert "Fashion recruiters" in text_of(back)
    assert await rows_of(pool) == before
    assert "Mia Chen" in text_of(await dana.get(dana.url("contacts")))
    # The reminder that was waiting goes out after all, once.
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
    assert len(push.received_for(device)) == 1
    again = await mia.post(undo["action"])
    assert again.status_code == 404, "an undo is used once"
    assert "nothing to undo" in text_of(again)


async def test_after_the_window_undo_is_refused_and_retention_forgets_the_removal(
    new_phone, pool, app
):
    _dana, mia = await swapped(new_phone)
    listing = await remove(mia, await contact_of(pool, 2))
    removed_for = await pool.fetchval("SELECT undo_until - removed_at FROM contact_removals")
    assert removed_for.total_seconds() == UNDO_SECONDS
    undo_url = button_form(await mia.get(listing), "Undo")["action"]

    # Time passes beyond the window.
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 second'")
    page = await mia.get(listing)
    assert "Removed Dana Lee. It's too late to undo." in text_of(page)
    assert not [b for b in soup(page).select("button") if b.get_text(strip=True) == "Undo"]
    late = await mia.post(undo_url)
    assert late.status_code == 410
    assert "Too late to undo" in text_of(late) and "Dana Lee was removed for good" in text_of(late)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0

    await Retention(pool, app.state.sql, app.state.settings).run_once()
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0
    assert (await mia.post(undo_url)).status_code == 404
    assert "Removed" not in text_of(await mia.get(listing)), "nothing left to name"


async def test_remove_and_undo_refuse_what_is_not_mine(new_phone, pool):
    dana, mia = await swapped(new_phone)
    eve = await new_phone()
    await eve.make_card(name="Eve Intruder")
    anonymous = await new_phone()
    mia_contact = await contact_of(pool, 2)
    for phone in (eve, anonymous):
        refused = await phone.post(phone.url("contact_remove", contact_id=mia_contact))
        assert refused.status_code == 404
        assert "Dana Lee" not in refused.text
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2

    listing = await remove(mia, mia_contact)
    undo_url = button_form(await mia.get(listing), "Undo")["action"]
    removal = listing.rsplit("=", 1)[1]
    for phone in (eve, anonymous, dana):
        # Someone else's removal: not named, not undone (Dana did not remove anybody).
        assert "Removed" not in text_of(
            await phone.get(phone.url("contacts") + f"?removed={removal}")
        )
        assert (await phone.post(undo_url)).status_code == 404
    for junk in ("x", "-1", "9" * 40, "²", "٣"):  # superscript, Arabic-Indic digit
        assert (await mia.get(mia.url("contacts") + f"?removed={junk}")).status_code == 200
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 1
    assert (await mia.post(undo_url)).status_code == 303


async def test_removing_at_the_same_moment_from_both_sides_removes_once(new_phone, pool):
    dana, mia = await swapped(new_phone)
    answers = await asyncio.gather(
        mia.post(mia.url("contact_remove", contact_id=await contact_of(pool, 2))),
        dana.post(dana.url("contact_remove", contact_id=await contact_of(pool, 1))),
    )
    assert sorted(a.status_code for a in answers) in ([303, 303], [303, 404])
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 1


async def test_a_queued_you_met_email_is_held_back_by_a_removal_and_sent_after_undo(
    new_phone, pool, mail, app
):
    dana, _visitor = await leaves_details(new_phone)
    listing = await remove(dana, await contact_of(pool, 1))
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0
    async with running_mail_worker(app, mail) as worker:
        assert await worker.run_once() == 0
        assert (
            await dana.post(button_form(await dana.get(listing), "Undo")["action"])
        ).status_code == 303
        assert await worker.run_once() == 1
    [sent] = await mail.wait_for(1)
    assert sent.subject == "You met Dana Lee"


async def set_sharing(phone: Phone, contact_id: int, value: str, **options: Any) -> Any:
    return await phone.post(
        phone.url("contact_sharing", contact_id=contact_id), {"sharing": value}, **options
    )


async def test_what_they_see_of_me_changes_their_side_at_once(new_phone, pool):
    dana, mia = await swapped(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    page = await dana.get(dana.url("contact", contact_id=dana_contact))
    legend = soup(page).select_one("#sharing legend")
    assert legend is not None and legend.get_text() == "What Mia Chen sees of your card"
    labels = [label.get_text(strip=True) for label in soup(page).select("#sharing label")]
    assert labels == ["All my card", "Name and headline only"]
    assert soup(page).select_one("#sharing input[checked]")["value"] == "all"
    # What the choice does not reach is said where it is made: the link opens the whole card.
    fieldset = soup(page).select_one("#sharing fieldset")
    hint = soup(page).find(id=fieldset["aria-describedby"])
    assert "share link still open all your card to whoever has them" in hint.get_text()

    saved = await set_sharing(dana, dana_contact, "basics", htmx=True)
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "Saved. Mia Chen now sees only your name and headline." in text_of(saved)

    # Mia's side: her page, her list, her vCard and her follow-ups show only name and headline.
    theirs = await mia.get(mia.url("contact", contact_id=mia_contact))
    shown = text_of(theirs)
    assert "Dana Lee" in shown and "Recruiter, fashion and apparel" in shown
    for hidden in (
        "dana@example.com",
        "555",
        "Threadline",
        "linkedin",
        "danalee.example.com",
        "Online marketers",
        "Intros to recruiters",
    ):
        assert hidden not in theirs.text, hidden
    listing = await mia.get(mia.url("contacts"))
    assert "Recruiter, fashion and apparel" in text_of(listing)
    assert "Threadline" not in text_of(listing)
    assert (
        text_of(await mia.get(mia.url("contacts"), params={"q": "threadline"})).count("Dana Lee")
        == 0
    ), "a hidden company does not match a search either"
    card = vobject.readOne((await mia.get(mia.url("contact_vcard", contact_id=mia_contact))).text)
    assert card.fn.value == "Dana Lee" and card.title.value == "Recruiter, fashion and apparel"
    for field in ("email", "tel", "org", "url", "photo"):
        assert field not in card.contents, field
    assert "Threadline" not in text_of(await mia.get(mia.url("followups")))
    # Dana still sees all of Mia's card: the choice is each person's own.
    assert "mia@example.com" in (await dana.get(dana.url("contact", contact_id=dana_contact))).text

    assert (await set_sharing(dana, dana_contact, "all")).status_code == 303
    assert "dana@example.com" in (await mia.get(mia.url("contact", contact_id=mia_contact))).text
    assert "Threadline" in text_of(await mia.get(mia.url("contacts")))


async def test_you_met_email_shows_only_what_the_sharer_shares_with_them(
    new_phone, pool, mail, app
):
    dana, _visitor = await leaves_details(new_phone)
    await set_sharing(dana, await contact_of(pool, 1), "basics")
    sent = await sent_once(app, mail)
    text = sent.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dana Lee" in text and "Recruiter, fashion and apparel" in text
    # Not her email, phone or company ("555" alone also turned up in a link's signature).
    assert "dana@example.com" not in text and "Threadline" not in text
    assert "Phone:" not in text and "415-555" not in text and "4155550134" not in text


async def test_bad_sharing_values_and_strangers_are_refused_and_nothing_changes(new_phone, pool):
    dana, _mia = await swapped(new_phone)
    dana_contact = await contact_of(pool, 1)
    for value in ("", "everything", "basics; DROP TABLE contacts"):
        bad = await set_sharing(dana, dana_contact, value, htmx=True)
        assert bad.status_code == 422
        assert "Choose what they see" in text_of(bad)
        page = await set_sharing(dana, dana_contact, value)
        assert page.status_code == 422 and "Choose what they see" in text_of(page)
    eve = await new_phone()
    await eve.make_card(name="Eve Intruder")
    anonymous = await new_phone()
    for phone in (eve, anonymous):
        assert (await set_sharing(phone, dana_contact, "basics")).status_code == 404
    assert await pool.fetchval("SELECT array_agg(DISTINCT sharing) FROM contacts") == ["all"]
