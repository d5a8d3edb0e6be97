"""The pages our emails link to: a GET only shows a button, the POST acts (once), and
unsubscribing answers a mail provider's one-click POST with no session and no page."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx

from server.web import signing
from tests.conftest import TEST_SECRET
from tests.mailing import leaves_details, link_in, pressed, sent_once
from tests.phone import soup, text_of
from tests.reminders import next_morning, subscribe


async def test_one_click_unsubscribe_works_without_a_session_and_twice(new_phone, pool, mail, app):
    await leaves_details(new_phone)
    met = await sent_once(app, mail)
    url = met.message["List-Unsubscribe"].strip("<>")
    # What a mail provider's server sends (RFC 8058): no cookie, no browser headers.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as provider:
        for _ in range(2):
            answer = await provider.post(url, data={"List-Unsubscribe": "One-Click"})
            assert answer.status_code == 200
            assert "You are unsubscribed" in answer.text
    assert await pool.fetchval("SELECT unsubscribed_at IS NOT NULL FROM email_addresses")
    # Nothing more reaches the address, whoever leaves it where.
    await pool.execute("UPDATE email_addresses SET last_first_mail_at = NULL")
    await leaves_details(new_phone)
    assert await pool.fetchval("SELECT count(*) FROM emails") == 1


async def test_opening_the_unsubscribe_link_only_asks(new_phone, pool, mail, app):
    await leaves_details(new_phone)
    met = await sent_once(app, mail)
    browser = await new_phone()
    page = await browser.get(link_in(met, "/m/unsubscribe"))
    assert page.status_code == 200
    assert "Stop reminders and updates from Reachout to mia@example.com?" in page.text
    assert await pool.fetchval("SELECT unsubscribed_at FROM email_addresses") is None
    pressed = await browser.post(link_in(met, "/m/unsubscribe"), {})
    assert "You are unsubscribed" in pressed.text


async def test_forged_and_expired_links_say_which_and_change_nothing(new_phone, pool, mail, app):
    await leaves_details(new_phone)
    browser = await new_phone()
    forged = await browser.post("/m/unsubscribe?to=mia@example.com&sig=" + "0" * 32, {})
    assert forged.status_code == 404 and "not valid" in forged.text
    assert "expired" not in forged.text, "an unsubscribe link never expires"
    until = int(time.time()) - 60
    signature = signing.sign(TEST_SECRET, "mail-confirm", 1, until)
    # Ours, past its 30 days: gone, with a way on for someone with no app.
    for expired in (
        await browser.get(f"/m/confirm/1?until={until}&sig={signature}"),
        await browser.post(f"/m/confirm/1?until={until}&sig={signature}", {}),
    ):
        assert expired.status_code == 410
        page = soup(expired)
        assert page.h1.get_text() == "This link has expired"
        assert "Links in our emails work for 30 days" in text_of(expired)
        assert page.main.find("a", string="Go to Reachout")["href"] == browser.url("home")
    # Made up, with a time still to come: not ours, so not "expired".
    made_up = await browser.get(f"/m/confirm/1?until={until + 999999}&sig={signature}")
    assert made_up.status_code == 404 and "expired" not in made_up.text
    assert await pool.fetchval(
        "SELECT confirmed_at IS NULL AND unsubscribed_at IS NULL FROM email_addresses"
    )
    wrong_action = await browser.get("/m/followups/1/delete?round=0&until=9999999999&sig=x")
    assert wrong_action.status_code == 404


async def test_a_link_about_a_card_deleted_since_says_so(new_phone, pool, mail, app):
    """Mia's "Remind me tomorrow" after Dana deleted her account: there is nobody to be
    reminded of, and the page says why, not that the link is mistyped."""
    dana = await new_phone()
    await dana.make_card(email="")
    await leaves_details(new_phone, dana)
    met = await sent_once(app, mail)
    gone = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert gone.status_code == 303
    browser = await new_phone()
    for opened in (
        await browser.get(link_in(met, "/m/confirm/")),
        await browser.post(link_in(met, "/m/confirm/"), {}),
    ):
        assert opened.status_code == 410
        assert soup(opened).h1.get_text() == "This link no longer works"
        assert "was deleted from Reachout" in text_of(opened)


MIAS_FOLLOWUP = """SELECT f.status, f.round, f.due_at FROM followups f
                   JOIN contacts ct ON ct.id = f.contact_id WHERE ct.owner_id = 2"""


async def test_a_link_scanners_head_acts_on_nothing_and_the_button_still_does(
    new_phone, pool, mail, app
):
    """Mia unsubscribed; her mail provider's scanner then fetches every link of her "You met"
    by HEAD (with no browser headers, as a safe request): her address stays unsubscribed and
    unconfirmed, her follow-up as it was. Pressing "Remind me tomorrow" herself still works."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    unsubscribe = link_in(met, "/m/unsubscribe")
    assert "You are unsubscribed" in (await visitor.post(unsubscribe, {})).text
    before = await pool.fetchrow(MIAS_FOLLOWUP)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as scanner:
        answers = [
            await scanner.head(link)
            for link in (link_in(met, "/m/confirm/"), unsubscribe, link_in(met, "/m/confirm/"))
        ]
    address = await pool.fetchrow("SELECT confirmed_at, unsubscribed_at FROM email_addresses")
    assert address["confirmed_at"] is None and address["unsubscribed_at"] is not None
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 0
    assert await pool.fetchrow(MIAS_FOLLOWUP) == before, "not pushed to tomorrow"
    assert [answer.status_code for answer in answers] == [200, 200, 200]

    done = soup(await pressed(visitor, link_in(met, "/m/confirm/")))
    assert done.h1.get_text() == "Done: you will be reminded"
    address = await pool.fetchrow("SELECT confirmed_at, unsubscribed_at FROM email_addresses")
    assert address["confirmed_at"] is not None and address["unsubscribed_at"] is None
    assert (await pool.fetchrow(MIAS_FOLLOWUP))["round"] == before["round"] + 1


async def test_unsubscribing_after_the_address_was_erased_still_stops_mail_to_it(
    new_phone, pool, mail, app
):
    """Dana typed Lou's details on her phone; Lou never claimed the card, so retention deleted
    it, and his address with it. Then he presses Unsubscribe in the "You met" he got (the link
    never expires): when Ana types his address on her phone later, he gets no "You met"."""
    lou = {"name": "Lou Park", "email": "lou@example.com"}
    dana = await new_phone()
    await dana.make_card()
    assert (await dana.post(dana.url("tap_guest"), lou)).status_code == 303
    met = await sent_once(app, mail)
    assert met.recipients == ("lou@example.com",)
    await app.state.sql.run(pool, "retention.unclaimed_guests", keep=timedelta(0), batch=50)
    assert await pool.fetchval("SELECT count(*) FROM email_addresses") == 0

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as provider:
        answer = await provider.post(
            met.message["List-Unsubscribe"].strip("<>"), data={"List-Unsubscribe": "One-Click"}
        )
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text

    ana = await new_phone()
    await ana.make_card(name="Ana Ruiz", email="ana@example.com")
    assert (await ana.post(ana.url("tap_guest"), lou)).status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0, "no You met queued"
    # Kept as retention keeps a suppression: nothing else about it.
    await app.state.sql.run(pool, "retention.email_addresses", keep=timedelta(0), batch=50)
    assert await pool.fetchval(
        "SELECT unsubscribed_at IS NOT NULL AND confirmed_at IS NULL FROM email_addresses"
        " WHERE address = 'lou@example.com'"
    )


async def test_remind_me_tomorrow_on_a_reminder_turned_off_turns_it_on_again(
    new_phone, pool, mail, app
):
    """Mia turned her reminder about Dana off in the app, then opens "Remind me tomorrow" in
    her "You met": the page says it is off and that the button turns it on; pressed, it does."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    confirm = link_in(met, "/m/confirm/")
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2")
    off = await visitor.post(
        visitor.url("followup_change", contact_id=contact_id), {"action": "off"}
    )
    assert off.status_code == 303
    assert (await pool.fetchrow(MIAS_FOLLOWUP))["status"] == "off"
    page = soup(await visitor.get(confirm))
    assert page.h1.get_text() == "Follow up with Dana Lee"
    assert page.select_one("main p").get_text() == (
        "Reminders about Dana Lee are off. Press the button and we will email"
        f" mia@example.com {next_morning()} at 09:00 to remind you."
    )
    done = soup(await pressed(visitor, confirm))
    assert done.h1.get_text() == "Done: you will be reminded"
    assert (await pool.fetchrow(MIAS_FOLLOWUP))["status"] == "open"
    assert "Dana Lee" in text_of(await visitor.get(visitor.url("followups"))), "listed again"


async def test_remind_me_tomorrow_promises_no_email_when_reminders_come_by_push(
    new_phone, pool, mail, app, push
):
    """Mia turned on notifications in the browser she left her details in: her reminders come
    by push, so the button's page says when it will be due, not that we will email her."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    await subscribe(visitor, push)
    page = soup(await visitor.get(link_in(met, "/m/confirm/")))
    assert page.h1.get_text() == "Follow up with Dana Lee"
    assert page.select_one("main form button").get_text() == "Remind me tomorrow"
    said = page.select_one("main p").get_text()
    assert said == (
        f"Your follow-up with Dana Lee will be due {next_morning()} at 09:00. Your reminders"
        " don't come by email (Settings says how they come), so look at your follow-ups then."
    )
    done = soup(await pressed(visitor, link_in(met, "/m/confirm/")))
    assert done.h1.get_text() == f"Done: it is due {next_morning()}"


async def test_remind_me_tomorrow_pressed_after_the_follow_up_was_done_says_so(
    new_phone, pool, mail, app
):
    """Mia's "You met" page is open on her laptop; on her phone she marks Dana done. The
    laptop's "Remind me tomorrow" sets nothing, and its answer says why: not merely that her
    address is confirmed."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    confirm = link_in(met, "/m/confirm/")
    assert soup(await visitor.get(confirm)).select_one("main form button")
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2")
    done = await visitor.post(
        visitor.url("followup_change", contact_id=contact_id), {"action": "done"}
    )
    assert done.status_code == 303
    page = soup(await pressed(visitor, confirm))
    assert page.h1.get_text() == "You followed up with Dana Lee"
    assert page.select_one("main p").get_text() == "It is marked done: no reminder will come."
    assert (await pool.fetchrow(MIAS_FOLLOWUP))["status"] == "done"
