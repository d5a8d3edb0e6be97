"""Two accounts, one person: signing in where another card with contacts lives offers to
merge it in (contacts, follow-ups, notes, events, devices) or to keep them apart."""

from __future__ import annotations

import re

import pytest

from tests.mailing import code_sent
from tests.phone import soup, text_of
from tests.reminders import subscribe
from tests.signin.test_guests import signs_in
from tests.signin.test_moving import show_code

MERGE_SUBJECT = re.compile(r"^(\d{8}) is your code to merge your Reachout account$")


async def proves_with_the_code(phone, mail, app, address: str) -> None:  # type: ignore[no-untyped-def]
    """The merge page's "Email me a code", and the code from ``address``'s inbox typed."""
    asked = await phone.post(phone.url("sign_in_merge_send_code"))
    assert asked.headers["location"] == phone.url("sign_in_merge") + "?code=sent"
    code = await code_sent(app, mail, MERGE_SUBJECT, address)
    # The email says what a merge moves, as the merge page does: not only the contacts.
    sent = [m for m in mail.received if MERGE_SUBJECT.match(m.subject)][-1].message
    for part in ("plain", "html"):
        said = " ".join(sent.get_body((part,)).get_content().split())
        assert "notes, events, blocks and requests to connect" in said, part
    checked = await phone.post(phone.url("sign_in_merge_check_code"), {"code": code})
    assert checked.status_code == 303, text_of(checked)


async def swap(phone, other) -> None:
    response = await phone.post((await other.share_link()) + "/swap")
    assert response.status_code == 303


async def two_accounts_and_a_shared_contact(new_phone, pool):
    """Dana's card in Safari (met Sam and Ana); in the installed app she made a second card by
    mistake and met Sam again there (and Ben)."""
    safari = await new_phone()
    await safari.make_card()
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    await swap(safari, sam)
    await swap(safari, ana)
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")
    await swap(installed, sam)
    await swap(installed, ben)
    # Safari met Sam first; the app's connection has a note and is still to follow up.
    await pool.execute(
        "UPDATE contacts SET met_at = now() - interval '2 days' WHERE owner_id = 1"
        " AND contact_id = 2"
    )
    await pool.execute(
        "UPDATE contacts SET note = 'Talked about the spring fair' WHERE owner_id = 5"
        " AND contact_id = 2"
    )
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
    return safari, installed


async def contact_id_of(pool, owner: int, other: int) -> int:
    return int(
        await pool.fetchval(
            "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", owner, other
        )
    )


async def test_merging_keeps_one_connection_per_person_with_both_sides_kept(new_phone, pool):
    safari, installed = await two_accounts_and_a_shared_contact(new_phone, pool)
    # Safari's page for Sam, opened before the merge, with the note as it was (none).
    sam_page = await safari.get(safari.url("contact", contact_id=await contact_id_of(pool, 1, 2)))
    as_of = soup(sam_page).select_one("input[name=note_as_of]")["value"]
    code = await show_code(safari)
    signed = await installed.post(installed.url("move_enter_submit"), {"code": code})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    offer = text_of(await installed.get(signed.headers["location"]))
    assert "Dana L." in offer and "2 contacts" in offer
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Merged." in text_of(await installed.get(merged.headers["location"]))

    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 0
    mine = await pool.fetch(
        "SELECT contact_id, met_at, note FROM contacts WHERE owner_id = 1 ORDER BY contact_id"
    )
    assert [r["contact_id"] for r in mine] == [2, 3, 4], "Sam once, Ana, Ben"
    sam = mine[0]
    assert sam["note"] == "Talked about the spring fair"
    # A save from a page opened before the merge is refused, not written over the merged note.
    stale = await safari.post(
        safari.url("contact_note", contact_id=await contact_id_of(pool, 1, 2)),
        {"note": "Old tab", "note_as_of": as_of},
    )
    assert stale.status_code == 409
    assert (
        await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1 AND contact_id = 2")
        == "Talked about the spring fair"
    )
    earliest = await pool.fetchval("SELECT now() - interval '2 days'")
    assert abs((sam["met_at"] - earliest).total_seconds()) < 60, "the earlier meeting is kept"
    followup = await pool.fetchval(
        "SELECT f.status FROM followups f JOIN contacts c ON c.id = f.contact_id"
        " WHERE c.owner_id = 1 AND c.contact_id = 2"
    )
    assert followup == "open", "the open follow-up wins"
    # Sam's side: one Dana, not two.
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 2") == 1
    # Both browsers are the one account now.
    assert "Ben Ode" in text_of(await safari.get(safari.url("contacts")))
    assert "Ana Silva" in text_of(await installed.get(installed.url("contacts")))


async def test_keeping_them_apart_leaves_both_accounts_whole(new_phone, pool):
    safari, installed = await two_accounts_and_a_shared_contact(new_phone, pool)
    code = await show_code(safari)
    await installed.post(installed.url("move_enter_submit"), {"code": code})
    kept = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "apart"})
    assert "Kept apart" in text_of(await installed.get(kept.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 5") == 2
    assert (
        await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    ).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 1


async def bob_signs_in_on_alices_phone(new_phone, mail, app):  # type: ignore[no-untyped-def]
    """Alice (a contact, and signed in on her laptop too) lends her phone to Bob, who signs in
    to his own account on it: the phone is offered Alice's account to merge in."""
    alice_phone = await new_phone()
    await alice_phone.make_card(name="Alice Wu", email="alice@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, alice_phone)
    laptop = await new_phone()
    await signs_in(laptop, mail, app, "alice@example.com")
    bob = await new_phone()
    await bob.make_card(name="Bob Roe", email="bob@example.com")
    signed = await signs_in(alice_phone, mail, app, "bob@example.com")
    assert signed.headers["location"] == alice_phone.url("sign_in_merge") + "?notice=signed_in"
    return alice_phone, laptop


async def test_the_merge_page_names_both_cards_and_says_what_merging_signs_out(
    new_phone, pool, mail, app
):
    """Which card it goes into (someone lured to "sign in here" with another's code sees it),
    that the laptop will be signed out, and for how long the offer is open."""
    alice_phone, _ = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    offer = text_of(await alice_phone.get(alice_phone.url("sign_in_merge")))
    assert "This browser is signed in to Bob Roe now." in offer
    assert "Before you signed in, it had the card of Alice Wu" in offer
    assert (
        "1 other browser or app is signed in to Alice Wu: merging signs it out, and its"
        " reminders stop. Sign in there again, to Bob Roe."
    ) in offer
    assert "Not your card, Bob Roe? Keep them apart, then sign out." in offer
    assert "This offer is open for 60 more minutes." in offer
    await pool.execute(
        "UPDATE sessions SET created_at = created_at - interval '59 minutes'"
        " WHERE merge_from IS NOT NULL"
    )
    offer = text_of(await alice_phone.get(alice_phone.url("sign_in_merge")))
    assert "This offer is open for 1 more minute." in offer


async def test_merging_signs_the_other_browsers_out_not_in_to_the_account_merged_into(
    new_phone, pool, mail, app, push
):
    """Bob merges Alice's account into his, with the code from her inbox (she lets him: both
    accounts are to be one): her laptop is signed out, not signed in to Bob's account, and its
    reminders stop."""
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await subscribe(laptop, push)
    await proves_with_the_code(alice_phone, mail, app, "alice@example.com")
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == alice_phone.url("contacts") + "?notice=merged"
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))
    signed_out = text_of(await laptop.get(laptop.url("contacts")))
    assert "You were signed out on this phone." in signed_out
    assert "Bob Roe" not in text_of(await laptop.get(laptop.url("card")))
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0


@pytest.mark.parametrize("signing_out", ["sign_out_others", "sign_out"])
async def test_signing_out_the_accounts_browsers_ends_offers_to_merge_it(
    new_phone, pool, mail, app, signing_out
):
    """Alice, on her laptop, signs out every other browser (or that one): the offer on her
    lent phone ends, and her account stays hers."""
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    assert (await laptop.post(laptop.url(signing_out), {})).status_code in (200, 303)
    offer = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert offer.headers["location"] == alice_phone.url("contacts"), "nothing offered"
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 404
    assert "Mia Chen" not in text_of(await alice_phone.get(alice_phone.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 1") == 1, "hers"


async def test_an_offer_to_merge_ends_an_hour_after_signing_in(new_phone, pool, mail, app):
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await pool.execute(
        "UPDATE sessions SET created_at = created_at - interval '1 hour'"
        " WHERE merge_from IS NOT NULL"
    )
    offer = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert offer.headers["location"] == alice_phone.url("contacts"), "nothing offered"
    late = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert late.status_code == 404
    assert "an offer is open for an hour after signing in" in text_of(late)
    assert "Alice Wu" in text_of(await laptop.get(laptop.url("card")))
