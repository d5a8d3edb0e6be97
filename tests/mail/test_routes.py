"""The pages our emails link to: a GET only shows a button, the POST acts (once), and
unsubscribing answers a mail provider's one-click POST with no session and no page."""

from __future__ import annotations

import time

import httpx

from server.web import signing
from tests.conftest import TEST_SECRET
from tests.mailing import leaves_details, link_in, sent_once
from tests.phone import soup, text_of


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
    assert (
        page.status_code == 200 and "Stop all email from Reachout to mia@example.com?" in page.text
    )
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
