"""A browser unused for a session's life is signed out, and gets no push (reminder_devices()
in sql/logic.sql), though retention deletes its push subscription only later. Elsewhere it
still counted as her device: the "You met" email's button promised no email, the export said
reminders came by push, a request to connect was queued to it, and Settings listed it as a
device with reminders. Each now says what happens: as with no device in use."""

from __future__ import annotations

import json
from typing import Any

from tests.export.test_routes import download
from tests.followups.test_idle_device_gets_email import DANA
from tests.mailing import leaves_details, link_in, pressed, sent_once
from tests.phone import soup, words
from tests.reminders import next_morning, subscribe, swapped
from tests.roster.test_routes import story
from tests.settings.test_left_details_device import signed_in_on_laptop


async def _unused_401_days(pool: Any, device: str) -> None:
    """The browser that subscribed as `device` was last opened 401 days ago."""
    ended = await pool.fetchval(
        "UPDATE sessions SET last_seen_at = now() - interval '401 days'"
        " WHERE id = (SELECT session_id FROM push_subscriptions WHERE device = $1)"
        " RETURNING id",
        device,
    )
    assert ended is not None


async def test_you_met_button_promises_an_email_when_her_only_device_is_idle(
    new_phone, pool, mail, app, push
):
    """Mia turned on notifications in the browser she left her details in, then left it
    unused: on "Automatic" her reminders are emailed, so the button's page says so, as for
    someone with no device."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    await subscribe(visitor, push, "Old laptop")
    await _unused_401_days(pool, "Old laptop")
    confirm = link_in(met, "/m/confirm/")
    mailbox = await new_phone()  # the email opened on another browser, with no session
    page = soup(await mailbox.get(confirm))
    assert page.h1.get_text() == "Follow up with Dana Lee"
    assert page.select_one("main p").get_text() == (
        f"We will email mia@example.com {next_morning()} at 09:00 to remind you."
    )
    done = soup(await pressed(mailbox, confirm))
    assert done.h1.get_text() == "Done: you will be reminded"


async def test_export_says_reminders_do_not_come_by_push_to_an_idle_device(
    new_phone, pool, mail, app, push
):
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    before = json.loads((await download(phone, "export_everything")).content)
    assert before["reminders"]["by_push_now"] is True
    await _unused_401_days(pool, "Old laptop")
    after = json.loads((await download(phone, "export_everything")).content)
    assert after["reminders"]["how"] == "automatic"
    assert after["reminders"]["by_push_now"] is False
    assert after["reminders"]["by_email_now_to"] == DANA  # confirmed by her sign-in code


async def test_a_request_to_connect_is_not_queued_to_an_idle_device(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    await subscribe(ana, push, "Old laptop")
    await _unused_401_days(pool, "Old laptop")
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert asked.status_code in (200, 303), asked.text
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE request_id IS NOT NULL") == 0


async def test_settings_marks_an_idle_device_as_getting_no_reminders(
    new_phone, pool, mail, app, push
):
    """Settings read on her phone (no reminders there); her old laptop, unused for 401 days,
    is listed as signed out and getting none, and can still be removed."""
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)
    page = soup(await phone.get(phone.url("settings")))
    section = page.select_one("#devices-section")
    assert "Signed out here" not in words(section)
    assert "No device gets reminders" not in words(section)
    await _unused_401_days(pool, "Old laptop")
    page = soup(await phone.get(phone.url("settings")))
    section = page.select_one("#devices-section")
    [item] = section.select("#devices li")
    assert words(item).startswith("Old laptop")
    assert "Signed out here after a long time unused: gets no reminders" in words(item)
    assert "No device gets reminders now." in words(section)
    [remove] = item.select("button")
    assert remove["aria-label"] == "Remove Old laptop, added just now, from reminders"
    device_id = await pool.fetchval("SELECT id FROM push_subscriptions")
    removed = await phone.post(phone.url("push_remove_device", subscription_id=device_id))
    assert removed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    page = soup(await phone.get(phone.url("settings")))
    assert page.select("#devices li") == []
    assert "No device gets reminders yet." in words(page.select_one("#devices-section"))
