""" "Reach out", then "Undo": the follow-up is as it was before the tap.

Reach out used to mark any follow-up done and offer "Marked done. Undo"; Undo reopens. So a
reminder she had turned off ("No reminder") came back on after Reach out, Undo (she had not
sent the message after all), and, its due time passed meanwhile, the worker pushed it at once.
Now only an open follow-up is marked done, and only then is Undo offered.
"""

from __future__ import annotations

from typing import Any

import httpx
from bs4 import BeautifulSoup, Tag

from tests.phone import Phone, soup, text_of
from tests.reminders import make_due, running_worker, subscribe, swapped

FOLLOWUP = "SELECT status, due_at, round, queued_round FROM followups WHERE owner_id = 1"


def button(page: BeautifulSoup | Tag, name: str) -> Tag | None:
    """The button a person sees with these words, if the page shows one."""
    for found in page.find_all("button"):
        if " ".join(found.get_text(" ").split()) == name:
            return found
    return None


async def tap(phone: Phone, page: BeautifulSoup | Tag, name: str) -> httpx.Response:
    """Tap a form's button as htmx sends it: the form's fields and the button's value."""
    pressed = button(page, name)
    assert pressed is not None, f"no {name!r} button"
    form = pressed.find_parent("form")
    assert form is not None
    data = {
        str(field["name"]): str(field.get("value", ""))
        for field in form.find_all("input")
        if field.get("name") and field.get("type") != "submit"
    }
    if pressed.get("name"):
        data[str(pressed["name"])] = str(pressed.get("value", ""))
    return await phone.post(str(form["action"]), data, htmx=True)


async def contact_page(phone: Phone, pool: Any) -> BeautifulSoup:
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = await phone.get(phone.url("contact", contact_id=contact_id))
    assert page.status_code == 200
    return soup(page)


async def reach_out_and_undo_if_offered(phone: Phone, pool: Any) -> httpx.Response:
    """Reach out → Email Mia Chen; then, had she not sent it, "Undo" where the page offers it."""
    page = await contact_page(phone, pool)
    region = page.find("section", attrs={"aria-labelledby": "reach-out-title"})
    assert region is not None
    reached = await tap(phone, region, "Email Mia Chen")
    assert reached.status_code == 200
    assert "reachout:open" in reached.headers["hx-trigger-after-settle"]
    if button(soup(reached), "Undo") is not None:
        undone = await tap(phone, soup(reached), "Undo")
        assert undone.status_code == 200
    return reached


async def test_off_then_reach_out_then_undo_stays_off_and_nothing_is_pushed(
    new_phone, pool, push, app
):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    turned_off = await tap(dana, await contact_page(dana, pool), "No reminder")
    assert "Reminder turned off." in text_of(turned_off)
    await make_due(pool)  # its due time passes while it is off

    reached = await reach_out_and_undo_if_offered(dana, pool)

    # No reminder comes for Mia, though her follow-up is overdue: it is still off.
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 0
    assert push.received_for(device) == []
    page = await contact_page(dana, pool)
    assert "No reminder" in page.find(id="followup").get_text()
    assert "Mia Chen" not in text_of(await dana.get(dana.url("followups")))
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "off"
    # Reach out changed nothing, so it offered nothing to undo, and said it is off.
    assert button(soup(reached), "Undo") is None
    assert "No reminder" in text_of(reached) and "Marked done" not in text_of(reached)


async def test_done_then_reach_out_then_undo_stays_done(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    done = await tap(dana, await contact_page(dana, pool), "Mark done")
    assert "Marked done." in text_of(done)

    reached = await reach_out_and_undo_if_offered(dana, pool)

    # Mia is not back among those to reach out to, and no reminder comes for her.
    assert "Mia Chen" not in text_of(await dana.get(dana.url("followups")))
    assert "Done" in (await contact_page(dana, pool)).find(id="followup").get_text()
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 0
    assert push.received_for(device) == []
    assert button(soup(reached), "Undo") is None


async def test_open_then_reach_out_then_undo_is_open_as_it_was(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    before = await pool.fetchrow(FOLLOWUP)
    assert before["status"] == "open"

    # Not due yet: Undo puts it back as it was, and nothing is pushed before it is due.
    reached = await reach_out_and_undo_if_offered(dana, pool)
    assert "Marked done." in text_of(reached) and button(soup(reached), "Undo") is not None
    assert await pool.fetchrow(FOLLOWUP) == before
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 0
        # Due, and reminded once; Reach out then Undo does not remind her a second time.
        await make_due(pool)
        assert await worker.run_once() == 1
        reminded = await pool.fetchrow(FOLLOWUP)
        await reach_out_and_undo_if_offered(dana, pool)
        assert await pool.fetchrow(FOLLOWUP) == reminded
        assert await worker.run_once() == 0
    assert len(push.received_for(device)) == 1
    assert "Mia Chen" in text_of(await dana.get(dana.url("followups")))


async def test_without_javascript_reach_out_says_an_off_reminder_stays_off(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    await dana.post(dana.url("followup_change", contact_id=contact_id), {"action": "off"})
    page = await dana.post(dana.url("reach_out", contact_id=contact_id), {"via": "email"})
    assert page.status_code == 200
    said = soup(page).select_one("main p[role=status]").get_text()
    assert "You turned off the reminder about Mia Chen: it stays off." in said
    assert "marked done" not in said
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "off"


async def test_no_reminder_from_a_stale_page_leaves_one_done_elsewhere_done(
    new_phone, pool, push, app
):
    """Review r57: the page shown before she marked it done on her other phone still offers
    "No reminder"; tapped, it must not turn done into off, nor offer an Undo that lists Mia
    again and pushes her overdue reminder."""
    dana, _ = await swapped(new_phone)
    dana_phone = await subscribe(dana, push)
    stale = await contact_page(dana, pool)
    assert (await tap(dana, stale, "Mark done")).status_code == 200  # her other phone
    await make_due(pool)
    answer = await tap(dana, stale, "No reminder")
    assert answer.status_code == 200
    assert button(soup(answer), "Undo") is None
    assert (await pool.fetchrow(FOLLOWUP))["status"] == "done"
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(dana_phone) == []
