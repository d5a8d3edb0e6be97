"""Follow-ups from a user's side: when they fall due, the list, done / snooze / off / undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from server.followups import push_actions
from tests.conftest import TEST_SECRET
from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.reminders import make_due, next_morning, subscribe, swapped, zone_where_it_is


async def dana_contact(pool) -> int:
    return await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")


async def test_every_swap_gets_a_follow_up_each_side_next_morning_local(new_phone, pool):
    await swapped(
        new_phone, dana={"time_zone": "America/New_York"}, mia={"time_zone": "Asia/Tokyo"}
    )
    rows = await pool.fetch(
        "SELECT f.due_at, a.time_zone, ct.met_at FROM followups f"
        " JOIN accounts a ON a.id = f.owner_id JOIN contacts ct ON ct.id = f.contact_id"
    )
    assert len(rows) == 2
    for row in rows:
        local_due = row["due_at"].astimezone(ZoneInfo(row["time_zone"]))
        local_met = row["met_at"].astimezone(ZoneInfo(row["time_zone"]))
        assert (local_due.hour, local_due.minute) == (9, 0)
        # The next day's, or that day's when met in the small hours (before 05:00).
        assert local_due.date() == (local_met - timedelta(hours=5)).date() + timedelta(days=1)


async def test_follow_ups_say_when_no_reminder_can_reach_me(new_phone, pool, push):
    # A new card with an email not confirmed yet and no phone subscribed: "Reminder tomorrow
    # at 09:00" is shown, and nothing would come.
    # Where it is day: "tomorrow" from the swap to the last page (in UTC, a swap at
    # 04:59 is due "today" at 09:00 a second later: the night is the day before until 05:00).
    day = zone_where_it_is(day=True)
    dana, mia = await swapped(new_phone, dana={"time_zone": day}, mia={"time_zone": day})
    no_way = "No reminder can reach you yet"

    async def notice() -> str:
        said = soup(await dana.get(dana.url("followups"))).select_one("#no-reminders")
        return "" if said is None else " ".join(said.get_text().split())

    said = await notice()
    assert f"{no_way}: the times above are when they would come." in said
    assert (
        "In Settings, tap Turn on reminders under Reminders on this phone, or Send me a"
        " confirmation under Email." in said
    )
    # What to do is what her choice needs.
    await pool.execute("UPDATE accounts SET reminders_by = 'push' WHERE id = 1")
    assert "In Settings, tap Turn on reminders under Reminders on this phone." in await notice()
    await pool.execute("UPDATE accounts SET reminders_by = 'email' WHERE id = 1")
    assert "In Settings, tap Send me a confirmation under Email." in await notice()
    # Someone who chose no reminders is not told something is wrong, nor of a reminder to
    # come: of when to follow up.
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 1")
    said = text_of(await dana.get(dana.url("followups")))
    assert no_way not in said and "Reminder tomorrow" not in said
    assert f"Follow up {next_morning(day)} at" in said
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = text_of(await dana.get(dana.url("contact", contact_id=contact_id)))
    assert f"Follow up {next_morning(day)} at" in page and "Reminder tomorrow" not in page
    await pool.execute("UPDATE accounts SET reminders_by = NULL WHERE id = 1")
    await subscribe(dana, push)
    assert no_way not in text_of(await dana.get(dana.url("followups")))
    # Mia: by email once her address is confirmed.
    assert no_way in text_of(await mia.get(mia.url("followups")))
    await confirm_addresses(pool, "mia@example.com")
    assert no_way not in text_of(await mia.get(mia.url("followups")))


async def test_unknown_browser_time_zone_falls_back_to_utc(new_phone, pool):
    await swapped(new_phone, dana={"time_zone": "Mars/Olympus_Mons"})
    assert await pool.fetchval("SELECT time_zone FROM accounts WHERE id = 1") == "UTC"


async def test_leave_details_newcomer_gets_a_follow_up_too(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    await visitor.post(
        link + "/details", {"name": "Ana", "email": "ana@example.com", "time_zone": "Europe/Paris"}
    )
    assert await pool.fetchval("SELECT count(*) FROM followups WHERE status = 'open'") == 2


async def test_preference_never_means_no_reminder(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("settings_save"), {"time_zone": "UTC", "followup_timing": "never"})
    link = await dana.share_link()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen")
    await mia.post(link + "/swap")
    statuses = dict(await pool.fetch("SELECT owner_id, status FROM followups"))
    assert statuses == {1: "off", 2: "open"}


async def test_list_badge_and_contact_page_show_what_is_due(new_phone, pool):
    dana, _ = await swapped(new_phone)
    page = await dana.get(dana.url("followups"))
    assert "Coming up" in text_of(page) and "Mia Chen" in text_of(page)
    assert "Nobody is due yet: the people coming up are below." in text_of(page)
    assert "Nobody to follow up with" not in text_of(page)
    assert soup(page).select_one(".tabs .badge") is None
    await make_due(pool)
    page = await dana.get(dana.url("followups"))
    assert "Reach out now (1)" in text_of(page)
    assert soup(page).select_one(".tabs .badge").get_text() == "1"
    assert soup(page).body["data-badge"] == "1"
    contact = await dana.get(dana.url("contact", contact_id=await dana_contact(pool)))
    assert "Due now" in text_of(contact)


async def test_done_undo_off_and_snooze(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await dana_contact(pool)
    url = dana.url("followup_change", contact_id=contact_id)
    status = "SELECT status FROM followups WHERE owner_id = 1"

    done = await dana.post(url, {"action": "done"}, htmx=True)
    assert "Marked done." in text_of(done) and "Undo" in text_of(done)
    assert await pool.fetchval(status) == "done"
    await dana.post(url, {"action": "undo"}, htmx=True)
    assert await pool.fetchval(status) == "open"
    off = await dana.post(url, {"action": "off"})
    assert off.status_code == 303
    assert await pool.fetchval(status) == "off"

    before = await pool.fetchval("SELECT round FROM followups WHERE owner_id = 1")
    snoozed = await dana.post(url, {"action": "snooze", "days": "3"}, htmx=True)
    assert "Snoozed until" in text_of(snoozed)
    row = await pool.fetchrow("SELECT status, due_at, round FROM followups WHERE owner_id = 1")
    assert row["status"] == "open" and row["round"] == before + 1
    assert timedelta(days=2) < row["due_at"] - datetime.now(UTC) < timedelta(days=3, hours=10)

    day = (datetime.now(UTC) + timedelta(days=10)).date()
    await dana.post(url, {"action": "snooze", "date": day.isoformat()})
    due = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    assert due.astimezone(UTC).date() == day and due.astimezone(UTC).hour == 9

    # The picker's last day is one a snooze takes.
    shown = await dana.get(dana.url("contact", contact_id=await dana_contact(pool)))
    last = soup(shown).find("input", id="snooze-date")["max"]
    assert (await dana.post(url, {"action": "snooze", "date": last}, htmx=True)).status_code == 200
    due = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    assert due.astimezone(UTC).date().isoformat() == last


async def test_a_follow_up_done_after_its_reminder_can_be_reminded_again(new_phone, pool):
    """Reminded, then marked done (from the email, say): later, on the contact's page, the one
    button asks for a new reminder, tomorrow morning, in a new round the worker sends."""
    dana, _ = await swapped(new_phone)
    await confirm_addresses(pool, "dana@example.com")  # reminded by email
    await make_due(pool)
    await pool.execute("UPDATE followups SET queued_round = round, status = 'done'")
    page = soup(await dana.get(dana.url("contact", contact_id=await dana_contact(pool))))
    [button] = page.select("#followup form button")
    assert button.get_text() == "Remind me tomorrow"
    form = button.find_parent("form")
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    answer = await dana.post(form["action"], {**fields, button["name"]: button["value"]})
    assert answer.status_code == 303
    row = await pool.fetchrow(
        "SELECT status, round > queued_round AS to_send, due_at > now() AS ahead"
        " FROM followups WHERE owner_id = 1"
    )
    assert dict(row) == {"status": "open", "to_send": True, "ahead": True}


async def test_bad_snooze_and_unknown_action_change_nothing(new_phone, pool):
    dana, _ = await swapped(new_phone)
    url = dana.url("followup_change", contact_id=await dana_contact(pool))
    before = tuple(
        await pool.fetchrow("SELECT status, due_at, round FROM followups WHERE owner_id = 1")
    )
    for data, message in (
        ({"action": "snooze", "date": "2001-01-01"}, "in the future"),
        ({"action": "snooze", "date": "next tuesday"}, "Pick a date"),
        ({"action": "snooze", "date": "2999-01-01"}, "within the next year"),
        ({"action": "explode"}, "not something a follow-up can do"),
    ):
        response = await dana.post(url, data, htmx=True)
        assert response.status_code in (400, 422)
        assert message in text_of(response)
        if response.status_code == 422:  # said by the date field, which is marked
            date = soup(response).find("input", id="snooze-date")
            assert date["aria-invalid"] == "true"
            assert message in soup(response).find(id=date["aria-describedby"]).get_text()
            assert date["value"] == data["date"], "the refused date stays, to be corrected"
    after = tuple(
        await pool.fetchrow("SELECT status, due_at, round FROM followups WHERE owner_id = 1")
    )
    assert after == before


async def test_someone_else_cannot_touch_my_follow_up(new_phone, pool):
    await swapped(new_phone)
    eve = await new_phone()
    await eve.make_card(name="Eve")
    for name in ("followup_change", "reach_out", "contact_give_get"):
        response = await eve.post(
            eve.url(name, contact_id=await dana_contact(pool)), {"action": "done", "via": "email"}
        )
        assert response.status_code == 404
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "open"


async def test_reach_out_opens_a_worded_email_and_marks_done(new_phone, pool):
    dana, _ = await swapped(new_phone, mia={"looking_for": "A marketing job in fashion"})
    contact_id = await dana_contact(pool)
    await dana.post(
        dana.url("contact_give_get", contact_id=contact_id),
        {"promised": "an intro to two fashion recruiters", "they_asked": ""},
    )
    page = await dana.post(dana.url("reach_out", contact_id=contact_id), {"via": "email"})
    assert page.status_code == 200
    location = soup(page).find("a", string="Open your email app to write to Mia")["href"]
    assert location.startswith("mailto:mia@example.com?subject=")
    from urllib.parse import parse_qs, urlsplit

    body = parse_qs(urlsplit(location).query)["body"][0]
    assert body.startswith("Hi Mia,")
    assert "you are looking for A marketing job in fashion" in body
    assert "As promised: an intro to two fashion recruiters." in body
    assert body.rstrip().endswith("Dana")
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "done"

    htmx = await dana.post(
        dana.url("reach_out", contact_id=contact_id), {"via": "email"}, htmx=True
    )
    assert "reachout:open" in htmx.headers["hx-trigger-after-settle"]
    # Done already (the tap above): nothing changed, so nothing is offered to undo.
    assert "Undo" not in text_of(htmx) and "Done" in text_of(htmx)
    unknown = await dana.post(dana.url("reach_out", contact_id=contact_id), {"via": "fax"})
    assert unknown.status_code == 400
    assert "did not share a way to reach them" in text_of(unknown)


async def test_sms_reach_out(new_phone, pool):
    dana, _ = await swapped(new_phone, mia={"phone": "+14155550199"})
    url = dana.url("reach_out", contact_id=await dana_contact(pool))
    page = await dana.post(url, {"via": "sms"})
    link = soup(page).find("a", string="Open your messages to text Mia")
    assert link["href"].startswith("sms:+14155550199?&body=Hi%20Mia%2C")


async def test_notification_buttons_need_a_valid_signature(new_phone, pool, app):
    await swapped(new_phone)
    followup_id = await pool.fetchval("SELECT id FROM followups WHERE owner_id = 1")
    anonymous = await new_phone()
    path = anonymous.url("followup_from_notification", followup_id=followup_id, action="done")
    now = datetime.now(UTC)
    wrong = push_actions.signed_query(TEST_SECRET, followup_id, 2, "done", 0, now)
    for query in ("", "?owner=1&sig=nope", f"?{wrong}".replace("owner=2", "owner=1")):
        assert (await anonymous.client.post(path + query)).status_code == 403
    assert await pool.fetchval("SELECT status FROM followups WHERE id = $1", followup_id) == "open"
    good = push_actions.signed_query(TEST_SECRET, followup_id, 1, "done", 0, now)
    # Signed, but naming no device (as before the buttons were bound to one): refused cleanly
    # (a device's buttons: tests/followups/test_push_actions_device.py).
    refused = await anonymous.client.post(f"{path}?{good}")
    assert refused.status_code == 410 and "buttons have expired" in text_of(refused)
    assert await pool.fetchval("SELECT status FROM followups WHERE id = $1", followup_id) == "open"


async def test_calendar_file_parses_with_alarms(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await dana.post(
        dana.url("contact_give_get", contact_id=await dana_contact(pool)),
        {"promised": "intro to Sam", "they_asked": "a CV review"},
    )
    response = await dana.get(dana.url("followups_calendar"))
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Follow up with Mia Chen"
    assert "You promised: intro to Sam." in str(event["description"])
    due = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    assert event.decoded("dtstart") == due
    [alarm] = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(0)


async def test_give_and_get_is_saved_and_bounded(new_phone, pool):
    dana, _ = await swapped(new_phone)
    url = dana.url("contact_give_get", contact_id=await dana_contact(pool))
    ok = await dana.post(url, {"promised": "intro", "they_asked": "<b>cv</b>"}, htmx=True)
    assert "Saved." in text_of(ok) and "<b>cv</b>" not in ok.text
    bad = await dana.post(url, {"promised": "x" * 501, "they_asked": ""}, htmx=True)
    assert bad.status_code == 422 and "under 500 characters" in text_of(bad)
    page = await dana.post(url, {"promised": "x" * 501, "they_asked": ""})  # without htmx
    assert page.status_code == 422 and "under 500 characters" in text_of(page)
    row = await pool.fetchrow("SELECT promised, they_asked FROM contacts WHERE owner_id = 1")
    assert tuple(row) == ("intro", "<b>cv</b>")


async def test_the_snooze_buttons_are_one_group_named_remind_me_again(new_phone, pool):
    """Read one by one, "Tomorrow" alone says nothing: the buttons are a group, named."""
    dana, _ = await swapped(new_phone)
    await confirm_addresses(pool, "dana@example.com")  # a reminder can reach her
    page = soup(await dana.get(dana.url("contact", contact_id=await dana_contact(pool))))
    group = page.select_one("#followup [role=group]")
    label = page.find(id=group["aria-labelledby"])
    assert label.get_text(strip=True) == "Remind me again:"
    assert [b.get_text(strip=True) for b in group.find_all("button")] == [
        "Tomorrow",
        "In 3 days",
        "In a week",
    ]


async def test_a_phone_with_no_card_is_offered_one_or_sign_in_not_an_empty_list(new_phone):
    """The app on an iPhone's home screen starts empty: not "Nobody to follow up with", nor a
    calendar that answers 404, but the way in."""
    phone = await new_phone()
    page = await phone.get(phone.url("followups"))
    assert page.status_code == 200
    said = text_of(page)
    assert "No card on this phone yet, so no follow-ups here." in said
    assert "Nobody to follow up with" not in said
    found = soup(page)
    assert found.find("a", string="Add to calendar") is None
    assert found.find("a", string="Make my card")["href"] == phone.url("card")
    signing_in = found.find("a", string="I already have a card")["href"]
    assert signing_in == phone.url("sign_in") + "?next=%2Ffollowups"
