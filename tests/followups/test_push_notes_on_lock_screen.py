"""A reminder's push is read on the lock screen, by anyone who sees the phone: by default it
does not carry what she promised and what they asked ("You promised: … They asked: …"), only
that Reachout has them. Ticking "Show what I promised and what they asked on the lock screen"
in Settings puts them back."""

from __future__ import annotations

from typing import Any

from tests.followups.test_flood import awake
from tests.phone import Phone, soup
from tests.reminders import make_due, running_worker, subscribe, swapped

LABEL = "Show what I promised and what they asked on the lock screen"
NOTES = {"promised": "an intro to Sam", "they_asked": "a look at my deck"}


def settings_form(page: Any) -> tuple[dict[str, str], Any]:
    """What Save on Settings sends as the page stands, and the notes checkbox, found by its
    label, in the form whose Save sends it."""
    [label] = [x for x in page.select("label") if x.get_text(" ", strip=True) == LABEL]
    box = label.find("input", attrs={"type": "checkbox"})
    form = box.find_parent("form")
    sent = {
        field["name"]: field.get("value", "")
        for field in form.select("input[name]")
        if field.get("type") not in ("radio", "checkbox") or field.has_attr("checked")
    }
    return sent, box


async def show_notes_on_lock_screen(phone: Phone) -> None:
    """She ticks the box in Settings and saves."""
    sent, box = settings_form(soup(await phone.get(phone.url("settings"))))
    assert not box.has_attr("checked")  # off until she ticks it
    saved = await phone.post(phone.url("settings_save"), {**sent, box["name"]: box["value"]})
    assert saved.status_code == 303, saved.text
    _, box = settings_form(soup(await phone.get(phone.url("settings"))))
    assert box.has_attr("checked")


async def noted_reminder(new_phone: Any, pool: Any, push: Any) -> tuple[Phone, Any]:
    """Dana swapped with Mia, wrote what she promised and what Mia asked, and has a phone."""
    dana, _ = await swapped(new_phone)
    await awake(pool)  # midday: "You met today" holds till it goes (23:59 UTC would not)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    saved = await dana.post(dana.url("contact_give_get", contact_id=contact_id), NOTES)
    assert saved.status_code in (200, 303), saved.text
    return dana, await subscribe(dana, push)


async def test_a_reminder_push_says_reachout_has_the_notes_not_what_they_say(
    new_phone, pool, push, app
):
    _, phone = await noted_reminder(new_phone, pool, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
    [message] = push.received_for(phone)
    payload = message.json()
    assert payload["title"] == "Follow up with Mia Chen"
    assert payload["body"] == (
        "You met today. What you promised and what they asked are in Reachout."
    )
    pushed = message.payload.decode()  # all of it, decrypted: the body, title, links
    assert not any(word in pushed for word in ("Sam", "deck", "You promised:", "They asked:"))


async def test_no_notes_no_mention_of_them(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await awake(pool)  # midday: "You met today" holds till it goes (23:59 UTC would not)
    phone = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(phone)
    assert message.json()["body"] == "You met today."


async def test_ticked_in_settings_the_push_carries_her_notes(new_phone, pool, push, app):
    dana, phone = await noted_reminder(new_phone, pool, push)
    await show_notes_on_lock_screen(dana)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
    [message] = push.received_for(phone)
    assert message.json()["body"] == (
        "You met today. You promised: an intro to Sam. They asked: a look at my deck."
    )


async def test_a_refused_save_keeps_the_tick_and_saves_nothing(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    sent, box = settings_form(soup(await phone.get(phone.url("settings"))))
    refused = await phone.post(
        phone.url("settings_save"), {**sent, "reminders_by": "pigeon", box["name"]: box["value"]}
    )
    assert refused.status_code == 422 and "Choose how you want to be reminded" in refused.text
    _, shown = settings_form(soup(refused))
    assert shown.has_attr("checked")  # as she ticked it
    assert await pool.fetchval("SELECT notes_on_lock_screen FROM accounts") is False
    # Unticked and saved: off again.
    await pool.execute("UPDATE accounts SET notes_on_lock_screen = true")
    saved = await phone.post(phone.url("settings_save"), sent)
    assert saved.status_code == 303
    assert await pool.fetchval("SELECT notes_on_lock_screen FROM accounts") is False
