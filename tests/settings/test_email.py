"""Settings: how reminders come, which address and what it said, and "Send me a confirmation"
whose link works in another browser."""

from __future__ import annotations

from tests.mailing import link_in, running_mail_worker
from tests.phone import text_of


async def test_how_reminders_come_is_saved_and_bad_values_refused(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    page = text_of(await phone.get(phone.url("settings")))
    assert "How reminders come" in page and "By email" in page
    saved = await phone.post(
        phone.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": "both"},
    )
    assert saved.status_code == 303
    assert await pool.fetchval("SELECT reminders_by FROM accounts") == "both"
    refused = await phone.post(
        phone.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": "pigeon"},
    )
    assert refused.status_code == 422 and "Choose how you want to be reminded" in refused.text
    assert await pool.fetchval("SELECT reminders_by FROM accounts") == "both"


async def test_send_me_a_confirmation_and_confirm_in_another_browser(new_phone, pool, mail, app):
    phone = await new_phone()
    await phone.make_card()
    page = text_of(await phone.get(phone.url("settings")))
    assert "Reminders by email go to dana@example.com" in page and "not confirmed yet" in page
    asked = await phone.post(phone.url("settings_email_confirm"), {})
    assert asked.status_code == 303
    shown = text_of(await phone.get(asked.headers["location"]))
    assert "Open the email we just sent you" in shown
    assert "A confirmation is on its way" in shown
    # Taken by the worker (a try counted, no error yet): still on its way, not "trying again".
    await pool.execute("UPDATE emails SET attempts = 1")
    sending = text_of(await phone.get(phone.url("settings")))
    assert "Confirmation · on its way" in sending and "trying again" not in sending
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [confirmation] = await mail.wait_for(1)
    assert confirmation.subject == "Confirm your address for Reachout"
    laptop = await new_phone()  # the email opened somewhere else entirely
    link = link_in(confirmation, "/m/confirm/")
    assert "Confirm my address" in (await laptop.get(link)).text
    done = await laptop.post(link, {})
    assert "Your address is confirmed" in done.text
    # Opened again: it says it is confirmed, not "Confirm my address" as if it had not worked.
    again = await phone.get(link)
    assert "Your address is confirmed" in again.text and "Confirm my address" not in again.text
    assert "Reachout emails your reminders to dana@example.com" in text_of(again)
    # Reminders by push only: the page does not say they go there.
    await pool.execute("UPDATE accounts SET reminders_by = 'push'")
    by_push = text_of(await phone.get(link))
    assert "emails your reminders" not in by_push
    assert "Reminders go there if you choose email in Settings" in by_push
    await pool.execute("UPDATE accounts SET reminders_by = NULL")
    page = text_of(await phone.get(phone.url("settings")))
    assert "not confirmed" not in page and "Your reminders go there." in page
    assert "Confirmation · sent" in page


async def test_a_bouncing_address_is_shown_with_the_reason(new_phone, pool, mail, app):
    phone = await new_phone()
    await phone.make_card()
    await phone.post(phone.url("settings_email_confirm"), {})
    mail.refuse(550, "5.1.1 User unknown", times=1)
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    page = text_of(await phone.get(phone.url("settings")))
    assert "it bounced" in page and "5.1.1 User unknown" in page
    assert "not delivered after 1 try" in page
