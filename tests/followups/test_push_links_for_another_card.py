"""A pushed notification tapped after its browser switched to another of the person's cards:
its page says the notification was for another card and offers Sign in back to that card, as
a link in our email does (tests/mail/test_links_for_another_card.py) but in a notification's
words (``from=push``), rather than "That contact is not in your list", or another card's
list. A reminder's buttons, refused once the switch ended the device, open that same page
(web/static/sw-push.js), which shows the contact once signed in to the card again. A digest
and a request to connect are marked and said alike; tapped signed out, a notification's page
says to sign in, never "This link from our email"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from server.followups.notifications import Paths, notification
from server.mail import links
from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import code_sent
from tests.phone import Phone, soup, text_of
from tests.reminders import event_ended, make_due, running_worker, subscribe, swapped
from tests.roster.test_routes import story

SIGN_IN_SUBJECT = re.compile(r"^Your Reachout code: (\d{8})$")
WORK = "mia.chen@work.example.com"
# errors.FOR_ANOTHER_CARD_PUSHED: not the email's "This email was for another card".
FOR_ANOTHER = "This notification was for another card"


async def signed_in_with_a_code(phone: Phone, app: Any, mail: Any, address: str) -> None:
    """``phone`` signs in to the card carrying ``address``: this browser switches to it."""
    asked = await phone.post(phone.url("sign_in_ask"), {"email": address})
    assert asked.status_code == 303, asked.text
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, address)
    typed = await phone.post(phone.url("sign_in_code"), {"email": address, "code": code})
    assert typed.status_code == 303, typed.text


def for_another_card(opened: Any) -> Any:
    """The page a notification's link opens in a browser switched to another card: 409, in a
    notification's words, with Sign in back to it; returns its Sign in link."""
    assert opened.status_code == 409, opened.text
    shown = soup(opened)
    assert shown.h1.get_text() == FOR_ANOTHER
    said = shown.h1.find_next("p").get_text(" ", strip=True)
    assert said == (
        "This browser is signed in to a different card. Sign in to the card it was sent to,"
        " to open it."
    )
    assert "email" not in text_of(opened).lower()
    sign_in = shown.find("a", string="Sign in")
    assert sign_in is not None
    return sign_in


async def test_a_reminder_tapped_after_switching_cards_offers_the_card_it_was_for(
    new_phone, push, app, pool, mail
):
    _, mia = await swapped(new_phone)
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'mia@example.com'")
    device = await subscribe(mia, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [pushed] = push.received_for(device)
    message = pushed.json()
    assert message["title"] == "Follow up with Dana Lee"
    page, actions = message["url"], message["actions"]
    # Her other card, made in another browser; then this phone signs in to it.
    await (await new_phone()).make_card(name="Mia Chen", email=WORK)
    await signed_in_with_a_code(mia, app, mail, WORK)
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0

    # "Remind me tomorrow" on the notification: the switch ended the device it came to, so
    # the button is refused, and the service worker opens the notification's page instead.
    refused = await mia.client.post(actions["snooze"])
    assert refused.status_code == 410
    assert await pool.fetchval("SELECT snoozed FROM followups WHERE owner_id = $1", mia_id) is False
    opened = await mia.get(page)
    assert "not in your list" not in text_of(opened)
    sign_in = for_another_card(opened)

    # Sign in goes back to the contact, less the marks, once signed in to the card it was for.
    form = soup(await mia.get(sign_in["href"])).find("button", string="Send me a code")
    back = form.find_parent("form").select_one("[name=next]")["value"]
    assert back == mia.url("contact", contact_id=int(page.split("/")[2].split("?")[0]))
    await signed_in_with_a_code(mia, app, mail, "mia@example.com")
    again = await mia.get(back)
    assert again.status_code == 200
    assert soup(again).h1.get_text(strip=True) == "Dana Lee"
    # And the notification's own page, tapped again now: the contact as ever.
    tapped = await mia.get(page)
    assert tapped.status_code == 200
    assert soup(tapped).h1.get_text(strip=True) == "Dana Lee"


async def test_summaries_digests_and_requests_name_the_card_they_were_pushed_to(app, new_phone):
    """Every kind of notification's page carries the mark of the account it was sent to, with
    our signature, when its row names that account; the buttons stay as they were."""
    secret = app.state.settings.secret_key
    paths = Paths(app, secret)
    phone = await new_phone()
    now = datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {
        "summary": {"id": 1, "request_id": None, "summary_account_id": 7, "summary_waiting": 9},
        "digest": {
            "id": 2,
            "request_id": None,
            "digest_event_id": 3,
            "digest_account_id": 7,
            "digest_event_name": "Lunch",
            "digest_met": 2,
            "digest_waiting": 2,
        },
        "request": {
            "id": 4,
            "request_id": 5,
            "request_to_id": 7,
            "requester_name": "Ana",
            "request_event_name": "Lunch",
            "requests_waiting": 1,
            "request_made_at": now,
        },
    }
    wanted = {
        "summary": phone.url("followups"),
        "digest": phone.url("followups"),
        "request": phone.url("requests"),
    }
    for kind, row in rows.items():
        url = urlsplit(notification(row, paths=paths, now=now)["url"])
        assert url.path == wanted[kind], kind
        query = parse_qs(url.query)
        assert query["from"] == ["push"], kind  # not "email": the pages say "notification"
        # Signed as an email's link is (MailLinks.page), so links.meant_for reads it back.
        assert query["for"] == [links.for_mark(secret, 7)], kind
        assert query["for"][0].startswith("7."), kind
    digest = urlsplit(notification(rows["digest"], paths=paths, now=now)["url"])
    assert parse_qs(digest.query)["event"] == ["3"]
    # Signed once for the account, however many of its notifications (notifications.Paths).
    assert paths.mark_for.cache_info().misses == 1


async def test_a_digest_tapped_after_switching_cards_offers_the_card_it_was_for(
    new_phone, push, app, pool, mail
):
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    device = await subscribe(ben, push)
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.enqueue_digests()
        await worker.run_once()
    [digest] = [m.json() for m in push.received_for(device)]
    assert "Who did you miss" in digest["title"]
    # He met nobody there: its page is the people who were, marked as pushed to him.
    page = digest["url"]
    assert urlsplit(page).path == ben.url("event_people", event_id=event_id)
    ben_id = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'ben@example.com'")
    assert parse_qs(urlsplit(page).query)["for"] == [
        links.for_mark(app.state.settings.secret_key, ben_id)
    ]

    work = "ben.ode@work.example.com"
    await (await new_phone()).make_card(name="Ben Ode", email=work)
    await signed_in_with_a_code(ben, app, mail, work)
    opened = await ben.get(page)
    assert "not one of yours" not in text_of(opened)
    for_another_card(opened)


async def test_a_request_tapped_after_switching_cards_offers_the_card_it_was_for(
    new_phone, push, app, pool, mail
):
    event_id, ana, ben = await story(new_phone, pool)
    ana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ana Silva'")
    device = await subscribe(ana, push)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ana_id))
    assert asked.status_code == 303
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [request] = [m.json() for m in push.received_for(device) if "connect" in m.json()["title"]]
    assert request["title"] == "Request to connect: “Ben Ode”"
    page = request["url"]
    assert urlsplit(page).path == ana.url("requests")
    # Tapped while still hers: the request, to accept.
    shown = soup(await ana.get(page))
    assert shown.find("button", string="Accept") is not None

    work = "ana.silva@work.example.com"
    await (await new_phone()).make_card(name="Ana Silva", email=work)
    await signed_in_with_a_code(ana, app, mail, work)
    # Not the other card's Requests, empty, as if Ben's had gone.
    sign_in = for_another_card(await ana.get(page))
    form = soup(await ana.get(sign_in["href"])).find("button", string="Send me a code")
    assert form.find_parent("form").select_one("[name=next]")["value"] == ana.url("requests")

    # Signed out here now, the notification still on screen: sign in, in its words.
    assert (await ana.post(ana.url("sign_out"), {})).status_code == 200
    signed_out = await ana.get(page)
    assert signed_out.status_code == 404
    assert soup(signed_out).h1.get_text() == "Sign in to open this"
    assert "This notification opens a page of your Reachout" in text_of(signed_out)


async def test_a_reminder_tapped_signed_out_says_sign_in_in_a_notifications_words(
    new_phone, push, app, pool
):
    _, mia = await swapped(new_phone)
    device = await subscribe(mia, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [pushed] = push.received_for(device)
    page = pushed.json()["url"]
    # Signed out on this phone (Settings): the notification stays on screen, and is tapped.
    assert (await mia.post(mia.url("sign_out"), {})).status_code == 200
    opened = await mia.get(page)
    assert opened.status_code == 404
    shown = soup(opened)
    assert shown.h1.get_text() == "Sign in to open this"
    said = text_of(opened)
    assert "This notification opens a page of your Reachout" in said
    assert "This link from our email" not in said
    # Sign in leads back to the contact, less the marks.
    form = soup(await mia.get(shown.find("a", string="Sign in")["href"]))
    back = form.find("button", string="Send me a code").find_parent("form")
    assert back.select_one("[name=next]")["value"] == urlsplit(page).path
