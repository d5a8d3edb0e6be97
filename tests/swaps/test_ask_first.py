"""A card that asks for details first, written as the attacks: a stranger typing junk, or
anyone with an account tapping Swap, gets name, headline and photo only, everywhere, until
the owner accepts them."""

from __future__ import annotations

import asyncio
from email import message_from_bytes
from email.policy import default

from tests.mailing import running_mail_worker, sent_once
from tests.phone import Phone, soup, text_of
from tests.reminders import zone_where_it_is

PRIVATE = ("dana@example.com", "555", "linkedin.com", "Threadline", "Online marketers")


async def asking_dana(new_phone) -> tuple[Phone, str]:  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("share_ask_first"), {"ask_details_first": "on"})
    return dana, await dana.share_link()


async def everything_they_see(visitor: Phone, link: str, contact_url: str) -> str:
    contact = await visitor.get(contact_url)
    contact_id = contact_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    pages = [
        await visitor.get(link),
        contact,
        await visitor.get(visitor.url("contacts")),
        await visitor.get(visitor.url("contact_vcard", contact_id=int(contact_id))),
    ]
    return "\n".join(page.text for page in pages)


async def test_a_stranger_typing_junk_sees_only_the_basics_until_accepted(
    new_phone, pool, mail, app
):
    dana, link = await asking_dana(new_phone)
    visitor = await new_phone()
    before = await visitor.get(link)
    assert "Dana Lee shares their contact details once you leave yours and they accept." in (
        text_of(before)
    )
    refused = await visitor.get(link + "/vcard")
    assert refused.status_code == 403 and "once you leave yours and they accept" in text_of(refused)
    # Where it is day: once accepted, their "You met" goes at once (at night, in the morning).
    left = await visitor.post(
        link + "/details",
        {"name": "Junk Junk", "email": "junk@example.com", "time_zone": zone_where_it_is(True)},
    )
    assert left.status_code == 303
    welcome = await visitor.get(left.headers["location"])
    assert "Sent! Dana Lee has your details. You'll see all their card once they accept" in (
        text_of(welcome)
    )
    assert "and you have theirs" not in text_of(welcome)
    assert "We'll email Dana Lee's card to junk@example.com once they accept" in text_of(welcome)
    assert soup(welcome).find("a", string="Save Dana Lee to my phone") is None
    contact_url = await pool.fetchval(
        """SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.owner_id
           WHERE c.name = 'Junk Junk'"""
    )
    seen = await everything_they_see(visitor, link, visitor.url("contact", contact_id=contact_url))
    assert "Dana Lee" in seen and "Recruiter, fashion and apparel" in seen
    for private in PRIVATE:
        assert private not in seen, private
    assert (await visitor.get(link + "/vcard")).status_code == 403
    assert "once they accept" in text_of(await visitor.get(link))

    # Their "You met" waits for Dana: sent now, it would carry a card with nothing on it.
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert mail.received_for("junk@example.com") == []

    # Dana sees who left details, and accepts. The badge counts them, as a request.
    listed = await dana.get(dana.url("contacts"))
    assert "waiting for you to accept" in text_of(listed)
    assert soup(listed).select_one(".tabs .badge").get_text() == "1"
    followups = soup(await dana.get(dana.url("followups")))
    [asking] = [a for a in followups.select("a") if "Requests to connect" in a.get_text()]
    assert asking.select_one(".badge").get_text() == "1"
    dana_row = await pool.fetchval(
        """SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id
           WHERE c.name = 'Junk Junk'"""
    )
    requests = soup(await dana.get(dana.url("requests")))
    [waiting] = requests.select("#waiting-list a")
    assert "Junk Junk" in waiting.get_text() and "Waiting for you to accept" in waiting.get_text()
    assert waiting["href"] == dana.url("contact", contact_id=dana_row)
    page = await dana.get(dana.url("contact", contact_id=dana_row))
    assert "Junk Junk left their details on your card" in text_of(page)
    # Asked at the top of the page, and no "what they see" choice with nothing chosen.
    before_note = text_of(page).split("Note")[0]
    assert "Accept and share my card with Junk Junk" in before_note
    assert soup(page).select('input[name="sharing"]') == []
    form = soup(page).find("button", string=lambda s: s is not None and s.startswith("Accept"))
    assert form is not None
    accepted = await dana.post(form.find_parent("form")["action"], {})
    assert accepted.status_code == 303
    listed = await dana.get(dana.url("contacts"))
    assert "waiting for you" not in text_of(listed)
    assert soup(listed).select_one(".tabs .badge") is None
    assert soup(await dana.get(dana.url("requests"))).select("#waiting-list a") == []
    accepted_page = soup(await dana.get(dana.url("contact", contact_id=dana_row)))
    assert accepted_page.select_one('input[name="sharing"][checked]')["value"] == "all"

    seen = await everything_they_see(visitor, link, visitor.url("contact", contact_id=contact_url))
    assert "dana@example.com" in seen
    assert (await visitor.get(link + "/vcard")).status_code == 200
    # Now their "You met" goes, with the whole card, and a reply reaches Dana.
    sent = await sent_once(app, mail)
    message = message_from_bytes(sent.raw, policy=default)
    assert message["Subject"] == "You met Dana Lee"
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Email: dana@example.com" in body
    assert "Reply to this email to write to Dana Lee." in body
    assert message["Reply-To"].addresses[0].addr_spec == "dana@example.com"


async def test_tapping_swap_with_an_account_is_no_way_round(new_phone, pool):
    _dana, link = await asking_dana(new_phone)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    # What the button promises, before it is tapped: not their card at once.
    said = text_of(await mia.get(link))
    assert "Dana Lee gets your card, and you see theirs once they accept." in said
    assert "and you get theirs" not in said
    # Swap tapped twice at once, and replayed through the offline queue: still pending.
    answers = await asyncio.gather(mia.post(link + "/swap", {}), mia.post(link + "/swap", {}))
    assert [answer.status_code for answer in answers] == [303, 303]
    contact = await mia.get(answers[0].headers["location"])
    assert "Dana Lee" in text_of(contact)
    for private in PRIVATE:
        assert private not in contact.text, private
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE sharing = 'pending'") == 1
    assert (await mia.get(link + "/vcard")).status_code == 403


async def test_what_they_see_waits_for_accepting_and_their_you_met_still_goes(
    new_phone, pool, mail, app
):
    """A "What they see of me" choice sent for someone still waiting (a page open from
    before, a form sent again) is refused, saying to accept first: choosing would have
    skipped accepting, and their "You met" email, held for it, would never have gone."""
    dana, link = await asking_dana(new_phone)
    visitor = await new_phone()
    # Where it is day: held for the accept, "You met" then goes at a waking hour of hers.
    left = await visitor.post(
        link + "/details",
        {"name": "Val Visitor", "email": "val@example.com", "time_zone": zone_where_it_is(True)},
    )
    assert left.status_code == 303
    waiting = await pool.fetchval("SELECT id FROM contacts WHERE sharing = 'pending'")
    chosen = dana.url("contact_sharing", contact_id=waiting)
    for htmx in (True, False):
        refused = await dana.post(chosen, {"sharing": "basics"}, htmx=htmx)
        assert refused.status_code == 409
        assert "Not changed: they are waiting for you to accept them." in text_of(refused)
    assert await pool.fetchval("SELECT sharing FROM contacts WHERE id = $1", waiting) == "pending"
    page = soup(await dana.get(dana.url("contact", contact_id=waiting)))
    accept = page.find("button", string=lambda s: s is not None and s.startswith("Accept"))
    assert accept is not None
    assert (await dana.post(accept.find_parent("form")["action"], {})).status_code == 303
    message = message_from_bytes((await sent_once(app, mail)).raw, policy=default)
    assert message["Subject"] == "You met Dana Lee"
    assert message["To"].addresses[0].addr_spec == "val@example.com"
