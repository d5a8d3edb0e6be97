"""A browser unused for a session's life is signed out, and gets no push, though retention
deletes it (and its push subscription) only later. Until now it still counted as her device:
on "Automatic" (email only with no device) her reminders then came neither way, and Settings
said nothing was wrong. A device counts only while its session is in use (reminder_devices()
in sql/logic.sql)."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import Phone, soup
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.settings.test_left_details_device import signed_in_on_laptop
from tests.settings.test_unreached_on_settings import PUSH_ONLY, said

DANA = "dana@example.com"  # DEFAULT_CARD in tests/phone.py


async def _last_used_401_days_ago(pool: Any) -> None:
    """The browser that made her card (her only one) was last opened 401 days ago."""
    ended = await pool.fetchval(
        "UPDATE sessions SET last_seen_at = now() - interval '401 days' RETURNING id"
    )
    assert ended is not None


async def _emails_to_dana(app: Any, mail: Any) -> list[str]:
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
        await mailer.run_once()
    return [m.subject for m in mail.received_for(DANA)]


async def test_automatic_with_only_an_idle_device_gets_the_reminder_by_email(
    new_phone, pool, push, mail, app
):
    dana, _ = await swapped(new_phone)
    old_laptop = await subscribe(dana, push, "Old laptop")
    await confirm_addresses(pool, DANA)
    await _last_used_401_days_ago(pool)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(old_laptop) == []
    # Nothing queued for it: it would only be skipped.
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0
    assert await _emails_to_dana(app, mail) == ["Follow up with Mia Chen"]


async def test_queued_while_in_use_then_idle_when_it_goes_it_is_emailed(
    new_phone, pool, push, mail, app
):
    """Queued for her laptop while she used it; by the time it goes (held for the morning, a
    retry) the laptop's session has ended: skipped there, and emailed, as for a device removed."""
    dana, _ = await swapped(new_phone)
    old_laptop = await subscribe(dana, push, "Old laptop")
    await confirm_addresses(pool, DANA)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        assert await pool.fetchval("SELECT status FROM deliveries") == "queued"
        await _last_used_401_days_ago(pool)
        await worker.run_once()
    assert push.received_for(old_laptop) == []
    assert await pool.fetchval("SELECT status FROM deliveries") == "skipped"
    assert await _emails_to_dana(app, mail) == ["Follow up with Mia Chen"]


async def _notice(phone: Phone) -> str:
    page: BeautifulSoup = soup(await phone.get(phone.url("settings")))
    return said(page.select_one("#no-reminders"))


async def _choose(dana: Phone, reminders_by: str) -> None:
    saved = await dana.post(
        dana.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": reminders_by},
    )
    assert saved.status_code == 303, saved.text


async def test_settings_says_no_reminder_can_reach_her_by_an_idle_device(
    new_phone, pool, push, mail, app
):
    """Reminders "By push", on her laptop; Settings read on her phone, which has them off. The
    laptop unused for 401 days, Settings says no reminder can reach her, and what to tap."""
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    laptop_session = await pool.fetchval("SELECT session_id FROM push_subscriptions")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    await _choose(phone, "push")
    assert await _notice(phone) == ""  # the laptop in use reaches her
    await pool.execute(
        "UPDATE sessions SET last_seen_at = now() - interval '401 days' WHERE id = $1",
        laptop_session,
    )
    assert await _notice(phone) == PUSH_ONLY
