"""The event story with three phones, in Chromium against the real server.

An organizer creates an event and shows its poster; Ana (no account) and Ben (with a
card) join by scanning the poster's QR code, decoded from a screenshot. They talk but
do not swap. Later Ben finds Ana in the list of people by a word from what she can
help with and asks to connect; Ana gets a push (through the local push service, into
her service worker) and the request in the app, accepts, and both have each other in
their contacts, tagged with the event, each with a follow-up.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from playwright.async_api import Page, expect
from starlette.applications import Starlette

from server.local_services.push_service import LocalPushService, Received
from tests.browser.conftest import NewPage
from tests.browser.test_reminders import (
    subscription_from_browser,
    turn_on_reminders,
)
from tests.browser.ui import (
    Card,
    ServiceWorkerControl,
    assert_same_document,
    contact_links,
    make_card_from_home,
    mark_document,
    name_input,
    scan_qr,
    tab,
)
from tests.reminders import running_worker

EVENT = "Fashion Founders Breakfast"
# The words of an element that are broken across lines.
WORDS_BROKEN = """(element) => {
  const broken = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (const match of text.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""
OLGA = Card(name="Olga Organizer", email="olga@example.com")
ANA = Card(
    name="Ana Silva",
    email="ana@example.com",
    can_help_with="Intros to recruiters in fashion and apparel",
)
BEN = Card(
    name="Ben Ode",
    email="ben@example.com",
    headline="Online marketer",
    looking_for="People hiring in fashion",
)


def local_input(moment: datetime) -> str:
    """What a datetime-local input holds: the wall-clock time, to the minute."""
    return moment.strftime("%Y-%m-%dT%H:%M")


async def create_event(page: Page) -> int:
    """From the Contacts tab: Events, "Create an event", fill it in; ends on the event page."""
    await tab(page, "Contacts").tap()
    await page.get_by_role("link", name="Events", exact=True).tap()
    await page.get_by_role("link", name="Create an event").tap()
    await expect(page.get_by_role("heading", level=1, name="Create an event")).to_be_visible()
    now = datetime.now(UTC)
    await page.get_by_label("Event name").fill(EVENT)
    await page.get_by_label("Venue").fill("The Loft, 2nd floor")
    await page.get_by_label("Starts").fill(local_input(now - timedelta(hours=1)))
    await page.get_by_label("Ends").fill(local_input(now + timedelta(hours=2)))
    await page.get_by_label("Time zone").fill("UTC")
    await page.get_by_label("Description").fill("Coffee, pastries and introductions")
    await page.get_by_role("button", name="Create event").tap()
    await expect(page).to_have_url(re.compile(r"/events/\d+$"))
    await expect(page.get_by_role("heading", level=1, name=EVENT)).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


def join_form(page: Page) -> Any:
    return page.locator("form", has=page.get_by_role("button", name="Join the event"))


async def join_with_nothing(page: Page, link: str, card: Card) -> None:
    """Someone without the app scans the poster and makes their card in the join form."""
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1, name=EVENT)).to_be_visible()
    form = join_form(page)
    await expect(form.get_by_role("heading", name="Your card")).to_be_visible()
    await name_input(form).fill(card.name)
    await form.get_by_label("Email", exact=True).fill(card.email)
    await expect(
        form.get_by_role("checkbox", name=re.compile("Show me in the list"))
    ).to_be_checked()
    await form.get_by_role("button", name="Join the event").tap()
    await expect(page).to_have_url(re.compile(r"/events/\d+\?notice=joined$"))
    await expect(page.get_by_role("status").filter(has_text="You're in!")).to_be_visible()


async def join_with_a_card(page: Page, link: str) -> None:
    """Someone with a card scans the poster: one tap, listed by default."""
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1, name=EVENT)).to_be_visible()
    form = join_form(page)
    await expect(
        form.get_by_role("checkbox", name=re.compile("Show me in the list"))
    ).to_be_checked()
    await form.get_by_role("button", name="Join the event").tap()
    await expect(page).to_have_url(re.compile(r"/events/\d+\?notice=joined$"))
    await expect(page.get_by_role("heading", level=1, name=EVENT)).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="You're in!")).to_be_visible()


async def add_can_help_with(page: Page, text: str) -> None:
    """Just joined, on the event's page: "Get matched here", fill in "I can help with", Save
    (in place), and it is on my card."""
    asked = page.locator("#event-matching")
    await expect(asked.get_by_role("heading", name="Get matched here")).to_be_visible()
    await mark_document(page)
    await asked.get_by_label("I can help with").fill(text)
    await asked.get_by_role("button", name="Save").tap()
    await expect(asked.get_by_role("status").filter(has_text="Saved")).to_have_text(
        "Saved to your card."
    )
    await expect(asked.get_by_label("I can help with")).to_have_value(text)
    await assert_same_document(page)
    await tab(page, "My card").tap()
    await expect(page.get_by_role("heading", level=1, name="My card")).to_be_visible()
    await expect(page.locator("#card-view")).to_contain_text(text)


async def sees_in_contacts_from_the_event(page: Page, name: str) -> None:
    await tab(page, "Contacts").tap()
    await expect(page.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(page)).to_have_count(1)
    person = contact_links(page).filter(has_text=name)
    await expect(person).to_contain_text(f"Met at {EVENT}")


async def test_event_story_join_by_poster_find_in_roster_request_accept(
    new_phone_page: NewPage,
    live_server: str,
    app: Starlette,
    push: LocalPushService,
    pool: asyncpg.Pool,
) -> None:
    # The organizer makes a card, creates the event and puts up its poster.
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    await olga.get_by_role("link", name="Poster").tap()
    await expect(olga.get_by_text("Scan to join and swap details")).to_be_visible()
    link = await scan_qr(olga)
    assert re.fullmatch(
        rf"{re.escape(live_server)}/j/[2-9A-HJKMNP-Z]{{6}}\?k=[0-9a-f]{{32}}", link
    ), link

    # Ana has nothing: she joins with the one-form card, then adds what she can help with.
    ana = await new_phone_page()
    await join_with_nothing(ana, link, ANA)
    await add_can_help_with(ana, ANA.can_help_with)
    await turn_on_reminders(ana, live_server, push)
    state = await ana.evaluate("() => window.__reachoutTestPush")
    assert state, "the page never called PushManager.subscribe()"
    device = push.adopt(subscription_from_browser(state))
    sw_push = await ServiceWorkerControl.attach(ana, live_server)

    # Ben made his card earlier; he joins with one tap, staying in the list.
    ben = await new_phone_page()
    await make_card_from_home(ben, BEN)
    await join_with_a_card(ben, link)
    # His QR page leads to the event, in words that wrap as words (a flex item each, "At"
    # stood one letter a line beside the name).
    await ben.goto(f"{live_server}/share")
    way = ben.locator("a", has_text="who's here")
    await expect(way).to_have_text(f"At {EVENT}: who's here")
    assert await way.evaluate(WORDS_BROKEN) == []
    await way.tap()

    # They talk, but do not swap. Later Ben looks for Ana in the list of people.
    await ben.get_by_role("link", name="People here").tap()
    await expect(ben.get_by_role("heading", level=1, name=f"People at {EVENT}")).to_be_visible()
    names = ben.locator("#people-list .name")
    await expect(names).to_have_text([ANA.name, OLGA.name])
    # htmx at work before he types: the list is shown before its deferred scripts have run
    # (on a busy machine, for long enough to type every key unheard).
    await ben.wait_for_load_state("load")
    await mark_document(ben)
    search = ben.get_by_label("Search names, companies, and what people look for or offer")
    await search.press_sequentially("recruit", delay=30)
    await expect(names).to_have_text([ANA.name])
    await expect(ben).to_have_url(re.compile(r"/people\?q=recruit$"))
    person = ben.locator("#people-list .card").filter(has_text=ANA.name)
    await expect(person).to_contain_text(ANA.can_help_with)
    await expect(person).not_to_contain_text(ANA.email)  # never contact details
    await expect(person.get_by_role("link", name="In your contacts")).to_have_count(0)
    await person.get_by_role("button", name="Request to connect").tap()
    await expect(person.get_by_text("Request sent.", exact=True)).to_be_visible()
    await expect(ben.locator("#flash")).to_contain_text(f"Request sent to {ANA.name}")
    await expect(person.get_by_role("button", name="Request to connect")).to_have_count(0)
    # Typed on, the list comes back with her row saying so plainly: a status in every
    # requested row would be read out all at once, at each keystroke.
    await person.evaluate("(row) => { row.dataset.before = 'yes'; }")
    await search.fill("recrui")
    await expect(ben.locator("#people-list [data-before]")).to_have_count(0)
    await expect(person).to_contain_text("Request sent.")
    await expect(ben.locator("#people-list").get_by_role("status")).to_have_count(0)
    await assert_same_document(ben)
    assert (
        await pool.fetchval("SELECT count(*) FROM connect_requests WHERE status = 'pending'") == 1
    )

    # The worker pushes the request to Ana's phone; her service worker shows it.
    async def forward(received: Received) -> None:
        if received.subscription_id == device.id:
            await sw_push.deliver_push(received.text())

    errors_before = len(push.callback_errors)
    push.on_accept = forward
    try:
        async with running_worker(app, push) as worker:
            assert await worker.run_once() == 1  # only Ana has a device
        [message] = push.received_for(device)
        await push.drain()
        assert push.callback_errors[errors_before:] == []
    finally:
        push.on_accept = None
    payload = message.json()
    assert payload["title"] == f"Request to connect: “{BEN.name}”"
    assert EVENT in payload["body"]
    # Marked as pushed to Ana's card (notifications.Paths): after a switch, it says whose it was.
    assert payload["url"].startswith("/requests?from=push&for=")

    [notification] = await sw_push.shown_after_push(ana, message.text())
    assert notification["title"] == f"Request to connect: “{BEN.name}”"
    # One notification for every request; made just now, at the event, it alerts.
    assert notification["tag"] == "requests" and notification["renotify"] is True
    assert notification["data"]["url"] == payload["url"]

    # In the app: the badge on Follow-ups, then "Requests to connect"; Ana accepts.
    await ana.reload()
    await expect(tab(ana, "Follow-ups").locator(".badge")).to_have_text("1")
    await tab(ana, "Follow-ups").tap()
    await ana.get_by_role("link", name="Requests to connect").tap()
    await expect(ana.get_by_role("heading", level=1, name="Requests to connect")).to_be_visible()
    request = ana.locator(".roster .card").filter(has_text=BEN.name)
    await expect(request).to_have_count(1)
    await expect(request).to_contain_text(f"At {EVENT}")
    await expect(request).to_contain_text(BEN.looking_for)
    await request.get_by_role("button", name="Accept").tap()

    await expect(ana).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(ana.get_by_role("status").filter(has_text="Swapped!")).to_contain_text(
        f"{BEN.name} has your card"
    )
    card = ana.get_by_role("region", name=f"{BEN.name}'s card")
    await expect(card.get_by_role("heading", level=1, name=BEN.name)).to_be_visible()
    await expect(card).to_contain_text(f"Met at {EVENT}")
    await expect(ana.locator("#followup .followup-state")).to_have_text(re.compile(r"^Reminder "))
    await expect(tab(ana, "Follow-ups").locator(".badge")).to_have_count(0)

    await sees_in_contacts_from_the_event(ana, BEN.name)
    await sees_in_contacts_from_the_event(ben, ANA.name)

    rows = await pool.fetch(
        """
        SELECT mine.name AS owner, theirs.name AS contact, c.event_id, f.status
        FROM contacts c
        JOIN cards mine ON mine.account_id = c.owner_id
        JOIN cards theirs ON theirs.account_id = c.contact_id
        LEFT JOIN followups f ON f.contact_id = c.id
        ORDER BY mine.name
        """
    )
    assert [tuple(row) for row in rows] == [
        (ANA.name, BEN.name, event_id, "open"),
        (BEN.name, ANA.name, event_id, "open"),
    ]


async def test_someone_with_a_card_is_not_asked_for_one_on_the_join_page(
    new_phone_page: NewPage,
) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    await create_event(olga)
    link = await olga.locator("#join-link").input_value()

    ben = await new_phone_page()
    await make_card_from_home(ben, BEN)
    await ben.goto(link)
    await expect(ben.get_by_role("heading", level=1, name=EVENT)).to_be_visible()
    await expect(join_form(ben).get_by_role("heading", name="Your card")).to_have_count(
        0, timeout=1000
    )
    await expect(tab(ben, "My card")).to_be_visible(timeout=1000)


async def test_a_request_from_one_list_of_matches_shows_in_the_other(
    new_phone_page: NewPage,
) -> None:
    # Ana can help Ben (recruiters) and Ben can help Ana (a designer): she is in both of his
    # lists. A request from one left the other saying "Request to connect", which then
    # answered 409.
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    await create_event(olga)
    await olga.get_by_role("link", name="Poster").tap()
    link = await scan_qr(olga)
    phones = []
    for card in (
        replace(ANA, looking_for="A designer for my online shop"),
        replace(BEN, can_help_with="Designing online shops"),
    ):
        phone = await new_phone_page()
        await make_card_from_home(phone, card)
        await join_with_a_card(phone, link)
        phones.append(phone)
    ben = phones[1]
    await ben.get_by_role("link", name="Who can help me").tap()
    asks = ben.get_by_role("button", name=f"Request to connect with {ANA.name}")
    await expect(asks).to_have_count(2)
    # htmx at work before the tap: tapped sooner, the form posts as a plain one (and works,
    # on the next page).
    await ben.wait_for_load_state("load")
    await mark_document(ben)
    await asks.first.tap()
    await expect(ben.locator("#flash")).to_contain_text("Request sent to")
    await expect(asks).to_have_count(0)
    await expect(ben.get_by_text("Request sent.")).to_have_count(2)
    await assert_same_document(ben)


async def test_a_join_refused_after_the_form_opened_says_why(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Quinn opened the join form; the organizer closed the event meanwhile. Tapping "Join
    the event" says so, rather than nothing (the form asks htmx for its own part of the
    answer, which an error does not have)."""
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    link = await olga.locator("#join-link").input_value()
    quinn = await new_phone_page()
    await quinn.goto(link)
    await quinn.wait_for_load_state("load")
    form = join_form(quinn)
    await name_input(form).fill("Quinn Late")
    await form.get_by_label("Email", exact=True).fill("quinn@example.com")
    await pool.execute("UPDATE events SET closed_at = now() WHERE id = $1", event_id)
    await form.get_by_role("button", name="Join the event").tap()
    await expect(quinn.get_by_role("alert")).to_contain_text("This event is closed")
    await expect(name_input(form)).to_have_value("Quinn Late")
