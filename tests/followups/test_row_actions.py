"""Follow-ups' own Done and Tomorrow on each row (a newcomer's review, on a phone): done or
snoozed from the list, without a trip into each contact's page; with htmx the row becomes a
line saying what was done (Undo after Done brings the row back as it was), without it the list
comes back with a notice. A row's answer is the row; the contact page's stays its section."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from bs4 import Tag

from tests.events.test_routes import organizer_with_event
from tests.phone import Phone, soup, text_of, words
from tests.reminders import make_due, next_morning, swapped

STATE = "SELECT status, due_at, round, snoozed FROM followups WHERE owner_id = 1"


async def dana_contact(pool) -> int:
    return await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")


async def row_of(phone: Phone, name: str, query: str = "") -> Tag:
    page = soup(await phone.get(phone.url("followups") + query))
    [row] = [li for li in page.select("ul.people > li") if name in li.get_text()]
    return row


def form_of(row: Tag, label: str) -> tuple[str, dict[str, str]]:
    """What the row's button named ``label`` sends, as the browser would send it."""
    [button] = row.find_all("button", attrs={"aria-label": label})
    form = button.find_parent("form")
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    if button.get("name"):
        fields[button["name"]] = button["value"]
    return form["action"], fields


async def test_each_row_offers_done_and_tomorrow_named_with_whom(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    row = await row_of(dana, "Mia Chen")
    buttons = {b.get_text(strip=True): b for b in row.find_all("button")}
    assert list(buttons) == ["Done", "Tomorrow"]
    # A screen reader hears whose each is; the words seen come first (label in name).
    assert buttons["Done"]["aria-label"] == "Done, Mia Chen"
    assert buttons["Tomorrow"]["aria-label"] == "Tomorrow, Mia Chen"
    described = soup(await dana.get(dana.url("followups"))).find(
        id=buttons["Tomorrow"]["aria-describedby"]
    )
    assert re.fullmatch(r"Snooze until (tomorrow|this) morning\.", described.get_text())
    # The person's page is still a tap on their name.
    link = row.find("a")
    assert link["href"] == dana.url("contact", contact_id=await dana_contact(pool))


async def test_done_becomes_a_line_with_undo_and_undo_brings_the_row_back_as_it_was(
    new_phone, pool
):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    before = await pool.fetchrow(STATE)
    action, fields = form_of(await row_of(dana, "Mia Chen"), "Done, Mia Chen")
    assert action == dana.url("followup_change", contact_id=await dana_contact(pool))

    done = await dana.post(action, fields, htmx=True)
    assert done.status_code == 200
    line = soup(done).select_one("li")
    assert words(line) == "Mia Chen: marked done. Undo"
    assert (await pool.fetchrow(STATE))["status"] == "done"
    # Only the row comes back, not the contact page's Follow-up section.
    assert soup(done).select_one("#followup") is None
    [undo] = line.find_all("button")
    assert undo["aria-label"] == "Undo, Mia Chen"
    assert line.find(id=undo["aria-describedby"]).get_text() == "Mia Chen: marked done."

    undo_action, undo_fields = form_of(line, "Undo, Mia Chen")
    back = await dana.post(undo_action, undo_fields, htmx=True)
    assert back.status_code == 200
    row = soup(back).select_one("li")
    assert "Mia Chen" in words(row) and "Due now" in words(row)
    assert [b.get_text(strip=True) for b in row.find_all("button")] == ["Done", "Tomorrow"]
    # As it was: due when it was, in the same round (no new reminder), not marked snoozed.
    assert tuple(await pool.fetchrow(STATE)) == tuple(before)

    # The contact page's buttons, to the same address, still get its Follow-up section.
    done = await dana.post(action, {"action": "done"}, htmx=True)
    assert soup(done).select_one("section#followup") is not None
    assert "Marked done." in text_of(done)
    undone = await dana.post(action, {"action": "undo"})
    assert undone.headers["location"] == dana.url("contact", contact_id=await dana_contact(pool))


async def test_tomorrow_becomes_a_line_saying_until_when(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    before = await pool.fetchrow(STATE)
    action, fields = form_of(await row_of(dana, "Mia Chen"), "Tomorrow, Mia Chen")
    snoozed = await dana.post(action, fields, htmx=True)
    assert snoozed.status_code == 200
    line = soup(snoozed).select_one("li")
    assert words(line) == f"Mia Chen: snoozed until {next_morning()} at 09:00. Undo"
    after = await pool.fetchrow(STATE)
    assert after["status"] == "open" and after["snoozed"] and after["round"] == before["round"] + 1
    assert timedelta(0) < after["due_at"] - datetime.now(UTC) < timedelta(days=1, hours=10)
    # The list, opened again, has her coming up.
    page = text_of(await dana.get(dana.url("followups")))
    assert "Coming up" in page and "Reach out now" not in page


async def test_without_javascript_the_list_comes_back_with_a_notice_and_its_event(new_phone, pool):
    dana, _ = await swapped(new_phone)
    _, event_id = await organizer_with_event(new_phone)
    await pool.execute("UPDATE contacts SET event_id = $1 WHERE owner_id = 1", event_id)
    await make_due(pool)
    query = f"?event={event_id}"
    action, fields = form_of(await row_of(dana, "Mia Chen", query), "Done, Mia Chen")
    assert fields["event"] == str(event_id)

    done = await dana.post(action, fields)
    assert done.status_code == 303
    location = done.headers["location"]
    assert urlsplit(location).path == dana.url("followups")
    assert parse_qs(urlsplit(location).query)["event"] == [str(event_id)]
    page = await dana.get(location)
    assert "Mia Chen: marked done." in words(soup(page).select_one("[data-notice]"))
    assert "Only the people you met at" in text_of(page)
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "done"

    # Tomorrow, on the list with no event: back to it, saying so.
    await pool.execute("UPDATE followups SET status = 'open' WHERE owner_id = 1")
    action, fields = form_of(await row_of(dana, "Mia Chen"), "Tomorrow, Mia Chen")
    assert "event" not in fields
    snoozed = await dana.post(action, fields)
    assert snoozed.status_code == 303
    assert "event" not in parse_qs(urlsplit(snoozed.headers["location"]).query)
    page = await dana.get(snoozed.headers["location"])
    said = words(soup(page).select_one("[data-notice]"))
    assert said == "Mia Chen: snoozed until the next morning, 09:00."
    assert "Coming up" in text_of(page)


async def test_a_row_done_elsewhere_answers_as_it_is_and_is_not_reopened(new_phone, pool):
    """The list shown on the phone, the follow-up marked done from the email meanwhile: Done
    and Tomorrow on the stale row change nothing, and say so (not "marked done", not a 500)."""
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    row = await row_of(dana, "Mia Chen")
    await pool.execute("UPDATE followups SET status = 'done', done_at = now()")
    before = tuple(await pool.fetchrow(STATE))
    for label in ("Done, Mia Chen", "Tomorrow, Mia Chen"):
        action, fields = form_of(row, label)
        answer = await dana.post(action, fields, htmx=True)
        assert answer.status_code == 409
        line = soup(answer).select_one("li")
        assert words(line) == "Mia Chen: already done, so nothing changed."
        assert line.find("button") is None, "no Undo that would reopen it"
        plain = await dana.post(action, fields)
        assert plain.status_code == 303
        page = await dana.get(plain.headers["location"])
        said = words(soup(page).select_one("[data-notice]"))
        assert said == "Mia Chen: already done or turned off, so nothing changed."
    assert tuple(await pool.fetchrow(STATE)) == before

    await pool.execute("UPDATE followups SET status = 'off', done_at = NULL")
    action, fields = form_of(row, "Tomorrow, Mia Chen")
    answer = await dana.post(action, fields, htmx=True)
    assert answer.status_code == 409
    assert "the reminder was already turned off" in words(soup(answer).select_one("li"))
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "off"


async def test_another_persons_or_an_unknown_contact_is_a_404_and_changes_nothing(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    action, fields = form_of(await row_of(dana, "Mia Chen"), "Done, Mia Chen")
    eve = await new_phone()
    await eve.make_card(name="Eve")
    for htmx in (True, False):
        answer = await eve.post(action, fields, htmx=htmx)
        assert answer.status_code == 404
        assert "Mia Chen" not in answer.text
        unknown = await dana.post(dana.url("followup_change", contact_id=999999), fields, htmx=htmx)
        assert unknown.status_code == 404
    # Only Done, Tomorrow and Undo from a row; "off" is the contact page's.
    refused = await dana.post(action, {**fields, "action": "off"}, htmx=True)
    assert refused.status_code == 400
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "open"


async def test_a_notice_names_only_my_own_contact(new_phone, pool):
    """The notice's person is read back as one of mine: an address naming someone else's
    contact names nobody."""
    await swapped(new_phone)
    eve = await new_phone()
    await eve.make_card(name="Eve")
    mias = await dana_contact(pool)
    page = await eve.get(eve.url("followups") + f"?notice=followup_done&contact={mias}")
    said = words(soup(page).select_one("[data-notice]"))
    assert said.startswith("This follow-up: marked done.") and "Mia" not in said


async def test_a_rows_answer_brings_the_tabs_number_as_it_is_now(new_phone, pool):
    """Done on the one person due: the Follow-ups tab's number (and the app icon's badge,
    app.js) is sent again with the row, out of band, no longer counting her; Undo counts her
    again."""
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    page = soup(await dana.get(dana.url("followups")))
    assert page.select_one("#tab-count")["data-badge"] == "1"
    action, fields = form_of(await row_of(dana, "Mia Chen"), "Done, Mia Chen")
    done = soup(await dana.post(action, fields, htmx=True))
    tab = done.select_one("#tab-count")
    assert tab["hx-swap-oob"] == "outerHTML" and tab["data-badge"] == "0"
    assert tab.get_text(strip=True) == ""
    undo_action, undo_fields = form_of(done.select_one("li"), "Undo, Mia Chen")
    back = soup(await dana.post(undo_action, undo_fields, htmx=True))
    assert back.select_one("#tab-count")["data-badge"] == "1"
    # The list itself carries the number once, in the tab, not in each row.
    assert len(page.select("#tab-count")) == 1
