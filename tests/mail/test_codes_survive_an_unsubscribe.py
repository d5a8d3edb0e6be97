"""Unsubscribing keeps what its page says still comes: a code someone asked for, queued when
the one-click POST (or the page's button) arrives, is sent all the same, as is a confirmation
asked for in Settings; what was queued unasked ("You met") is not."""

from __future__ import annotations

import re

import httpx

from tests.mailing import confirm_addresses, leaves_details, link_in, running_mail_worker, sent_once

SIGN_IN = re.compile(r"^Your Reachout code: (\d{8})$")
DELETE = re.compile(r"^(\d{8}) is your code to delete your Reachout account$")


async def one_click(app, url: str) -> None:  # type: ignore[no-untyped-def]
    """The mail provider's one-click POST (RFC 8058): no session, no browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as provider:
        answer = await provider.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200, answer.text


async def test_a_sign_in_code_queued_before_a_one_click_unsubscribe_still_comes(
    new_phone, pool, mail, app
):
    await leaves_details(new_phone)
    met = await sent_once(app, mail)
    mail.received.clear()
    # Mia asks for a code on her laptop; before it leaves, her mail app unsubscribes.
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": "mia@example.com"})
    assert asked.status_code == 303
    # And another "You met" waits for her, which unsubscribing stops.
    beth = await new_phone()
    await beth.make_card(name="Beth Moore", email="beth@example.com")
    await pool.execute("UPDATE email_addresses SET last_first_mail_at = NULL")  # a day on
    await leaves_details(new_phone, beth)
    waiting = "SELECT kind FROM emails WHERE status = 'queued' ORDER BY id"
    assert await pool.fetch(waiting) == [("code",), ("met",)]
    await one_click(app, met.message["List-Unsubscribe"].strip("<>"))
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [code] = await mail.wait_for(1)
    found = SIGN_IN.match(code.subject)
    assert found and code.recipients == ("mia@example.com",)
    signed_in = await laptop.post(
        laptop.url("sign_in_code"), {"email": "mia@example.com", "code": found.group(1)}
    )
    assert signed_in.status_code == 303, "the code works"
    assert [m.subject for m in mail.received] == [code.subject], "no You met Beth Moore"


async def test_a_delete_code_and_a_confirmation_queued_before_the_page_still_come(
    new_phone, pool, mail, app
):
    """Unsubscribing from the page its link opens, while Mia waits for a code to delete her
    account and for the confirmation she asked for in Settings."""
    _, mia = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    mail.received.clear()
    await confirm_addresses(pool, "mia@example.com")
    assert (await mia.post(mia.url("settings_email_confirm"), {})).status_code == 303
    assert (await mia.post(mia.url("delete_account_send_code"))).status_code in (200, 303)
    assert (await mia.post(link_in(met, "/m/unsubscribe"), {})).status_code == 200
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    received = await mail.wait_for(2)
    subjects = sorted(m.subject for m in received)
    assert DELETE.match(subjects[0]), subjects
    assert subjects[1] == "Confirm your address for Reachout"
