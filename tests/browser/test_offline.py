"""At a venue with no network: the installed app still opens my QR and my contacts."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Locator, Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import local_input
from tests.browser.ui import (
    DANA,
    MIA,
    card_form,
    contact_links,
    make_card_from_home,
    offline_mark,
    scan_qr,
    service_worker_controls,
    swap_with_mia,
)
from tests.waiting import eventually


async def opens_dana_s_card(new_phone_page: NewPage, live_server: str, link: str) -> None:
    """The QR that the phone showed offline (the copy it kept) still works for someone else."""
    assert link.startswith(f"{live_server}/c/"), link
    visitor = await new_phone_page()
    await visitor.goto(link)
    await expect(visitor.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(visitor.get_by_role("heading", name="Leave your details")).to_be_visible()


async def test_my_qr_and_contacts_open_with_no_network(
    new_phone_page: NewPage, live_server: str
) -> None:
    dana = await swap_with_mia(new_phone_page)
    # Dana uses the app online, as before the venue: the service worker is in charge.
    await dana.goto("/share")
    await service_worker_controls(dana)
    await dana.goto("/contacts")
    await expect(contact_links(dana).filter(has_text=MIA.name)).to_be_visible()
    await dana.goto("/share")
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_have_count(0)
    heading = dana.get_by_role("heading", level=1, name=DANA.name)
    before = await heading.bounding_box()

    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()  # the open page notices at once
    # Shown over the header: nothing on the page moves under a thumb as the Wi-Fi comes
    # and goes.
    assert await heading.bounding_box() == before
    response = await dana.reload()
    assert response is not None and response.from_service_worker
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(dana.locator("#qr svg")).to_be_visible()
    link = await scan_qr(dana)
    await expect(offline_mark(dana)).to_be_visible()

    await dana.goto("/contacts")
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(dana).filter(has_text=MIA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()

    # A page never opened online says so instead of a browser error.
    await dana.goto("/settings")
    await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()

    await dana.context.set_offline(False)
    await expect(offline_mark(dana)).to_have_count(0)
    await dana.goto("/share")
    await expect(dana.locator("#qr svg")).to_be_visible()
    await expect(offline_mark(dana)).to_have_count(0)
    await opens_dana_s_card(new_phone_page, live_server, link)


async def test_opening_the_app_offline_from_its_start_url(
    new_phone_page: NewPage, live_server: str
) -> None:
    """The installed app starts at its start URL ("/"): offline, that is my QR."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.reload()

    await dana.context.set_offline(True)
    response = await dana.goto("/")
    assert response is not None and response.from_service_worker
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()
    link = await scan_qr(dana)
    await opens_dana_s_card(new_phone_page, live_server, link)


async def test_a_page_polling_offline_does_not_say_nothing_was_sent(
    new_phone_page: NewPage,
) -> None:
    # The move page asks every 3 s what became of its code. Offline, each miss said "You're
    # offline: nothing was sent" though the person sent nothing.
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/move")
    await dana.get_by_role("button", name="Show a code").tap()
    code = dana.get_by_role("img", name=re.compile(r"^Code: "))
    await expect(code).to_be_visible()
    await dana.context.set_offline(True)
    # The next poll's miss, once the page's own handlers have run.
    await dana.evaluate(
        """() => new Promise((done) => document.addEventListener(
               "htmx:sendError", () => setTimeout(done), { once: true }))"""
    )
    await expect(dana.locator("#flash")).to_be_empty()
    await expect(code).to_be_visible()


async def mias_page(dana: Page, kept_for_offline: bool = True) -> None:
    """Dana opens Mia's contact page online, so the phone keeps it for offline (unless her
    phone runs no service worker: ``kept_for_offline=False``)."""
    await dana.goto("/contacts")
    if kept_for_offline:
        await service_worker_controls(dana)
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    await dana.wait_for_load_state("load")  # htmx at work before any Save is tapped


async def no_network(dana: Page, offline: bool) -> None:
    """The venue's network gone, or back. (Under Playwright's offline mode the POST a page
    sends past its service worker fails in the page but now and then reaches the server all
    the same, which no phone without a network does: so no test here asserts that nothing
    reached it, only what the person sees and what is saved in the end.)"""
    await dana.context.set_offline(offline)


async def note_offline(dana: Page, text: str) -> None:
    """Dana types a note with no network and taps Save: it is kept on the phone."""
    await no_network(dana, True)
    await dana.get_by_label("My private note").fill(text)
    await dana.get_by_role("button", name="Save note").tap()
    await expect(dana.locator("#flash p")).to_have_text(
        "You're offline: what you typed is kept on this phone, and saved when you're back online."
    )


async def kept_offline_and_left(new_phone_page: NewPage, text: str) -> Page:
    """Dana's note saved with no network, then another page opened (the kept copy of her
    contacts): the note's page is no longer open."""
    dana = await swap_with_mia(new_phone_page)
    await mias_page(dana)
    await note_offline(dana, text)
    await dana.goto("/contacts")
    return dana


async def saved_note(pool: asyncpg.Pool) -> str:
    return str(await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1"))


def saved(dana: Page) -> Locator:
    """The note's "Saved." (give and get's says "Saved." too, more only when a reminder is
    coming)."""
    return (
        dana.locator("#contact-note")
        .get_by_role("status")
        .filter(has_text=re.compile(r"^Saved\.$"))
    )


# What #flash says once a save kept offline went through: nothing (sent again by the page as
# it opened, or by the outbox) or what the form says it did (_contact_note.html,
# _give_get.html), by which path the save was sent; never "Kept on this phone" any more.
SAVED_SAID = re.compile(
    r"^(|Your note is saved\.|Give and get saved\.( Your reminder will mention it\.)?)$"
)


async def test_a_note_typed_offline_outlives_a_reload_and_is_saved_once_online(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await mias_page(dana)
    note = "Met at the coffee line; wants the deck by Friday"
    await note_offline(dana, note)
    promised = dana.get_by_label("I promised them")
    await promised.fill("The deck, by Friday")
    await dana.get_by_role("button", name="Save give and get", exact=True).tap()
    # Its answer reads as the note's did: wait for both to be kept on the phone.
    await dana.wait_for_function(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('reachout-draft:'))"
        ".length === 2"
    )
    # The app reopened at the venue, still offline: the note is back in its field.
    response = await dana.reload()
    assert response is not None and response.from_service_worker
    await expect(dana.get_by_label("My private note")).to_have_value(note)
    await expect(promised).to_have_value("The deck, by Friday")
    await expect(dana.locator("#flash p")).to_have_text(
        "What you typed offline is kept on this phone, and saved when you're back online."
    )
    await no_network(dana, False)
    await expect(saved(dana)).to_be_visible()
    await expect(
        dana.locator("#give-get").get_by_role("status").filter(has_text="Saved.")
    ).to_be_visible()
    # "Kept on this phone" gone from #flash, which says the last save (either may be last).
    await expect(dana.locator("#flash")).to_have_text(SAVED_SAID)
    assert await saved_note(pool) == note
    assert await pool.fetchval("SELECT promised FROM contacts WHERE owner_id = 1") == (
        "The deck, by Friday"
    )
    await dana.reload()
    await expect(dana.get_by_label("My private note")).to_have_value(note)
    await expect(promised).to_have_value("The deck, by Friday")
    await expect(saved(dana)).to_have_count(0)


async def test_a_note_kept_offline_is_saved_when_its_page_opens_online(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await kept_offline_and_left(new_phone_page, "Ask about the Lisbon office")
    await no_network(dana, False)
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_label("My private note")).to_have_value("Ask about the Lisbon office")

    async def saved_now() -> bool:
        return await saved_note(pool) == "Ask about the Lisbon office"

    await eventually(saved_now, "the note kept offline saved")
    await expect(dana.locator("#flash")).to_have_text(SAVED_SAID)


async def test_a_note_kept_offline_never_overwrites_one_saved_elsewhere(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await kept_offline_and_left(new_phone_page, "Typed on this phone")
    # Meanwhile Dana saved another note on her laptop.
    await pool.execute(
        "UPDATE contacts SET note = 'Typed on the laptop', note_updated_at = now() "
        "WHERE owner_id = 1"
    )
    await no_network(dana, False)
    await contact_links(dana).filter(has_text=MIA.name).tap()
    note = dana.get_by_label("My private note")
    await expect(note).to_have_value("Typed on this phone")
    await expect(note).to_have_accessible_description(
        "Only you ever see this. Not saved: this note was changed on another phone or tab "
        "since you opened it. It now says: “Typed on the laptop”. Save again to replace it "
        "with yours."
    )
    assert await saved_note(pool) == "Typed on the laptop"
    # Reloaded: the browser does not put the refused text back as if it were saved (it did,
    # and the kept text was then dropped for being shown); the page does, saying so.
    await dana.reload()
    await expect(note).to_have_value("Typed on this phone")
    await expect(dana.locator("#flash p")).to_have_text(
        "Not saved yet: what you typed before is back in its field. Save it to keep it."
    )
    # Left without deciding, and opened again: her text is still there, saying it is not saved.
    await dana.goto("/contacts")
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(note).to_have_value("Typed on this phone")
    await expect(dana.locator("#flash p")).to_have_text(
        "Not saved yet: what you typed before is back in its field. Save it to keep it."
    )
    await dana.get_by_role("button", name="Save note").tap()
    # Kept from before the laptop's note: told again what is saved now, and saved when asked.
    await expect(note).to_have_accessible_description(
        re.compile("It now says: “Typed on the laptop”")
    )
    await dana.get_by_role("button", name="Save note").tap()
    await expect(saved(dana)).to_be_visible()
    assert await saved_note(pool) == "Typed on this phone"
    await dana.reload()  # the draft is gone: nothing comes back
    await expect(note).to_have_value("Typed on this phone")
    await expect(dana.locator("#flash")).to_be_empty()


async def test_a_note_typed_and_never_saved_comes_back_saying_so(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    # Typed, then the other form's Save tapped (Give and get), then the page reloaded: the
    # note was gone without a word.
    dana = await swap_with_mia(new_phone_page)
    await mias_page(dana)
    await dana.get_by_label("My private note").fill("Knows the Lisbon team")
    await dana.get_by_label("I promised them").fill("An intro")
    await dana.get_by_role("button", name="Save give and get", exact=True).tap()
    await expect(
        dana.locator("#give-get").get_by_role("status").filter(has_text="Saved.")
    ).to_be_visible()
    await dana.reload()
    await expect(dana.get_by_label("My private note")).to_have_value("Knows the Lisbon team")
    await expect(dana.locator("#flash p")).to_have_text(
        "Not saved yet: what you typed before is back in its field. Save it to keep it."
    )
    assert await saved_note(pool) == "", "kept on the phone, not sent unasked"
    await dana.get_by_role("button", name="Save note").tap()
    await expect(saved(dana)).to_be_visible()
    assert await saved_note(pool) == "Knows the Lisbon team"
    await dana.reload()
    await expect(dana.get_by_label("My private note")).to_have_value("Knows the Lisbon team")
    await expect(dana.locator("#flash")).to_be_empty()


async def test_words_typed_while_a_save_is_on_its_way_stay_in_the_field(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """On slow venue Wi-Fi, Save tapped, then a few more words typed: the answer's form used
    to replace them with what was saved."""

    # The slow Wi-Fi is a route holding the answer, which Playwright cannot be sure to see
    # with a service worker in charge: a POST the worker passes on untouched now and then
    # reached the server unseen by the route (and by page.on("request")), mostly on a
    # loaded machine, and the save was answered before a word more was typed. Playwright
    # says to block service workers where a test routes requests; the worker does nothing
    # with this POST anyway (sw-cache.js: fragments and POSTs go to the network untouched).
    async def phone_routing_every_request(**options: Any) -> Page:
        return await new_phone_page(service_workers="block", **options)

    dana = await swap_with_mia(phone_routing_every_request)
    await mias_page(dana, kept_for_offline=False)
    on_its_way = asyncio.Event()
    answer = asyncio.Event()

    async def slow(route: Route) -> None:
        if route.request.method == "POST":
            on_its_way.set()
            await answer.wait()
        await route.continue_()

    await dana.context.route("**/contacts/*/note", slow)
    note = dana.get_by_label("My private note")
    await note.fill("Knows the Lisbon team")
    await expect(note).to_have_value("Knows the Lisbon team")
    posted: list[str] = []
    dana.on("request", lambda request: posted.append(f"{request.method} {request.url}"))
    await dana.get_by_role("button", name="Save note").tap()
    try:
        await asyncio.wait_for(on_its_way.wait(), 30)  # generous: CI machines get loaded
    except TimeoutError:
        # What the page sent, said and the server saved tell a lost tap from a request the
        # route never saw.
        flash = await dana.locator("#flash").text_content()
        pytest.fail(
            f"the route held no save: the page sent {posted}, said {flash!r}, "
            f"and the server has the note {await saved_note(pool)!r}"
        )
    await note.press_sequentially(", and Porto", delay=20)
    answer.set()
    await expect(dana.locator("#flash p")).to_have_text(
        "Saved what was there when you tapped Save. What you typed since is in its field, "
        "not saved yet."
    )
    await expect(note).to_have_value("Knows the Lisbon team, and Porto")
    assert await saved_note(pool) == "Knows the Lisbon team"
    await dana.get_by_role("button", name="Save note").tap()

    async def all_saved() -> bool:
        return await saved_note(pool) == "Knows the Lisbon team, and Porto"

    await eventually(all_saved, "the words typed since saved")
    await expect(saved(dana)).to_be_visible()
    await dana.reload()
    await expect(note).to_have_value("Knows the Lisbon team, and Porto")
    await expect(dana.locator("#flash")).to_be_empty()


UNCOVERED = """(element) => {
  const box = element.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit !== null && element.contains(hit);
}"""


IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= innerHeight;
}"""


async def test_what_was_not_sent_is_said_where_the_thumb_is(new_phone_page: NewPage) -> None:
    """A form low on a page sent with no network: the words are on the screen, over the page
    above the tab bar, not in the live region at the top of the page, out of sight."""
    dana = await swap_with_mia(new_phone_page)
    await dana.set_viewport_size({"width": 360, "height": 480})
    await mias_page(dana)
    await dana.get_by_role("button", name="Save note").scroll_into_view_if_needed()
    assert await dana.evaluate("() => scrollY") > 200, "the note is low on the page"
    await note_offline(dana, "Met in the coffee line")
    assert await dana.evaluate(IN_VIEW, "#flash [data-send-error]")
    # Focus is back on the button (turned off while sending, it had lost it), and the note,
    # which may cover something, can be closed.
    await expect(dana.get_by_role("button", name="Save note")).to_be_focused()
    await dana.locator("#flash").get_by_role("button", name="Dismiss").tap()
    await expect(dana.locator("#flash")).to_be_empty()
    await expect(dana.get_by_role("button", name="Save note")).to_be_focused()
    await no_network(dana, False)
    await expect(dana.locator("#flash")).to_have_text(SAVED_SAID)


async def test_a_plain_form_tapped_offline_keeps_the_page_and_what_was_typed(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Create an event with no network: not the browser's "No internet" page, from which
    Back lost what was typed, but the form as it was, saying nothing was sent."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/events/new")
    await service_worker_controls(dana)
    await dana.wait_for_load_state("load")
    now = datetime.now(UTC)
    await dana.get_by_label("Event name").fill("Offline Summit")
    await dana.get_by_label("Starts").fill(local_input(now))
    await dana.get_by_label("Ends").fill(local_input(now + timedelta(hours=2)))
    await dana.get_by_label("Time zone").fill("UTC")
    await no_network(dana, True)
    await dana.get_by_role("button", name="Create event").tap()
    await expect(dana.locator("#flash p")).to_have_text(
        "You're offline: nothing was sent. Try again when you're back online."
    )
    assert await dana.evaluate(IN_VIEW, "#flash [data-send-error]")
    # What it covers scrolls clear of it: the button tapped is not under it.
    create = dana.get_by_role("button", name="Create event")
    await dana.evaluate("() => scrollTo(0, document.body.scrollHeight)")
    assert await create.evaluate(UNCOVERED), "the note covers the button"
    await expect(create).to_be_focused()
    await expect(dana).to_have_url(re.compile(r"/events/new$"))
    await expect(dana.get_by_label("Event name")).to_have_value("Offline Summit")
    await no_network(dana, False)
    await expect(dana.locator("#flash")).to_be_empty()
    await dana.get_by_role("button", name="Create event").tap()
    await expect(dana.get_by_role("heading", level=1, name="Offline Summit")).to_be_visible()
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_back_to_a_page_a_form_answered_is_that_page_not_offline(
    new_phone_page: NewPage,
) -> None:
    """A mistyped code answered with the form and its error; later, Back to it. The browser
    asks the service worker for that page from its cache alone: online, that is the form
    again, not "You're offline" (nor the form sent twice)."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.goto("/move/enter")
    await dana.get_by_label("Code from your other phone").fill("WRONG1")
    await dana.get_by_role("button", name="Sign in here").tap()
    await expect(dana.get_by_role("alert")).to_be_visible()
    await dana.get_by_role("link", name="Reachout").tap()
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()

    await dana.go_back()
    await expect(
        dana.get_by_role("heading", level=1, name="Type a code from another phone")
    ).to_be_visible()
    await expect(dana.get_by_role("heading", name="You're offline")).to_have_count(0)
    await expect(offline_mark(dana)).to_have_count(0)
    await expect(dana.get_by_role("alert")).to_have_count(0)  # not sent again: no error


@pytest.mark.parametrize("take_back", ["Remove", "Block", "Block at the event"])
async def test_someone_removed_or_blocked_is_gone_from_the_copies_kept_for_offline(
    new_phone_page: NewPage, pool: asyncpg.Pool, take_back: str
) -> None:
    """The app keeps my contacts for a venue with no network. Once I remove Mia (or block
    her, on her page or on an event's list of people), neither the list nor her page shows
    her there: what I took back is gone offline too."""
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await service_worker_controls(dana)
    await dana.reload()
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    mia_page = dana.url
    await dana.reload()  # kept by the service worker, as any contact's page I opened

    if take_back == "Block at the event":
        # Both at Dana's event, on its list of people.
        event_id = await pool.fetchval(
            "INSERT INTO events (organizer_id, name, venue, starts_at, ends_at, time_zone,"
            " join_code) SELECT account_id, 'Lunch & Learn', 'Library', now(),"
            " now() + interval '2 hours', 'UTC', 'BKAAAA' FROM cards WHERE name = $1"
            " RETURNING id",
            DANA.name,
        )
        await pool.execute(
            "INSERT INTO event_attendees (event_id, account_id, listed)"
            " SELECT $1, account_id, true FROM cards",
            event_id,
        )
        await dana.goto(f"/events/{event_id}/people")
    if take_back != "Remove":
        await dana.get_by_text(f"Block {MIA.name}…").tap()
    verb = "Remove" if take_back == "Remove" else "Block"
    await dana.get_by_role("button", name=f"{verb} {MIA.name}").tap()
    said = f"Removed {MIA.name}" if take_back == "Remove" else "Blocked."
    await expect(dana.get_by_role("status").filter(has_text=said)).to_be_visible()
    if take_back != "Block at the event":
        await expect(contact_links(dana)).to_have_count(0)

    await dana.context.set_offline(True)
    await dana.goto("/contacts")
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()
    await expect(contact_links(dana)).to_have_count(0)
    await expect(dana.get_by_role("button", name="Undo")).to_have_count(0)  # a one-off notice
    await dana.goto(mia_page)
    await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    await expect(dana.get_by_text(MIA.name)).to_have_count(0)


async def test_my_card_changed_in_place_is_the_one_kept_for_offline(
    new_phone_page: NewPage,
) -> None:
    """Dana edits her card on its page (saved in place, no new page) before the venue: with
    no network there, My card shows what she saved, not what it said before."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.goto("/card")
    await dana.reload()  # kept by the service worker
    await dana.get_by_role("link", name="Edit my card").tap()
    await card_form(dana).get_by_label("Role or headline").fill("Head of talent, Atelier Nord")
    await dana.get_by_role("button", name="Save my card").tap()
    await expect(dana.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    # The worker keeps the page again a moment after "Saved." (it fetches it anew): the
    # venue is a walk away, not the same millisecond, which a loaded test machine can miss.
    await eventually(
        lambda: dana.evaluate(KEPT_CARD_SAYS, "Head of talent, Atelier Nord"),
        "the card kept for offline to say what was saved",
    )

    await dana.context.set_offline(True)
    await dana.goto("/card")
    await expect(offline_mark(dana)).to_be_visible()
    await expect(dana.get_by_text("Head of talent, Atelier Nord")).to_be_visible()
    await expect(dana.get_by_text(DANA.headline)).to_have_count(0)


# Whether the copy of /card the service worker keeps says ``text``.
KEPT_CARD_SAYS = """async (text) => {
  const kept = await (await caches.open("reachout-pages")).match(location.origin + "/card");
  return !!kept && (await kept.text()).includes(text);
}"""


async def test_signing_out_with_swaps_still_waiting_says_so_first(
    new_phone_page: NewPage,
) -> None:
    """Dana typed Mia's code with no network: the swap waits on her phone. Signing out would
    delete it with the browser's data, so Sign out tries to send it, and, still offline, says
    what would be lost; tapped again, it signs out."""
    # No service worker: the missing network is a route, which Playwright cannot be sure to
    # see with one in charge; the outbox and Sign out's guard are the page's.
    dana = await new_phone_page(service_workers="block")
    await make_card_from_home(dana, DANA)
    await dana.goto("/tap")

    async def no_network_for_swaps(route: Route) -> None:
        await route.abort("internetdisconnected")

    await dana.context.route("**/sync/actions", no_network_for_swaps)
    state = await dana.evaluate(
        """() => ReachoutOutbox.send("code", { code: "123456" }, "Code 123456")
               .then((record) => record.status)"""
    )
    assert state == "pending"
    await dana.goto("/settings")
    sign_out = dana.get_by_role("button", name="Sign out of this device")
    await sign_out.tap()
    await expect(dana.get_by_role("alert").filter(has_text="not reached")).to_have_text(
        "1 swap made on this phone has not reached Reachout yet (no connection). Signing out"
        " deletes it: get online first and it goes by itself, or tap Sign out again to sign"
        " out anyway."
    )
    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await sign_out.tap()
    await expect(dana.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()


async def test_signing_out_with_nothing_waiting_signs_out_at_once(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Sign out of this device").tap()
    await expect(dana.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()
