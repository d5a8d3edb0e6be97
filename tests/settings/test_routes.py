"""Settings: time zone, reminder timing, and subscribing devices (only to known push services)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.phone import Phone, soup, text_of
from tests.reminders import subscribe, swapped
from tests.waiting import until_waiting_for_lock


async def met_three(new_phone) -> Phone:
    """Dana (account 1), who met Mia Chen, then Sam Roe and Ana Silva by her link."""
    dana, _ = await swapped(new_phone)
    link = await dana.share_link()
    for name in ("Sam Roe", "Ana Silva"):
        other = await new_phone()
        await other.make_card(name=name, email=f"{name.split()[0].lower()}@example.com")
        assert (await other.post(link + "/swap")).status_code == 303
    return dana


async def test_time_zone_and_timing_are_validated_and_saved(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    page = await phone.get(phone.url("settings"))
    assert soup(page).select_one("#push")["data-vapid-key"]
    bad = await phone.post(
        phone.url("settings_save"), {"time_zone": "Mars/Base", "followup_timing": "soon"}
    )
    assert bad.status_code == 422
    assert "We don't know that time zone. Type a city, like London" in text_of(bad)
    assert "Choose when" in text_of(bad)
    assert tuple(await pool.fetchrow("SELECT time_zone, followup_timing FROM accounts")) == (
        "UTC",
        "next_morning",
    )
    # The field suggests zones as they are typed, and takes one typed in any case.
    field = soup(page).find("input", id="time-zone")
    offered = [o["value"] for o in soup(page).select(f"datalist#{field['list']} option")]
    assert {"Europe/Berlin", "America/New_York", "UTC"} <= set(offered)
    good = await phone.post(
        phone.url("settings_save"), {"time_zone": "europe/berlin", "followup_timing": "in_3_days"}
    )
    assert good.status_code == 303
    assert tuple(await pool.fetchrow("SELECT time_zone, followup_timing FROM accounts")) == (
        "Europe/Berlin",
        "in_3_days",
    )


async def test_the_page_says_when_reminders_come_as_chosen(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    said = soup(await phone.get(phone.url("settings")))
    assert (
        said.select_one("#push p")
        .get_text()
        .startswith("The morning after you meet someone, Reachout reminds you")
    )
    # The timing is for people met from now on, and says so where it is chosen.
    timing = said.find("legend", string="Remind me to follow up").find_parent("fieldset")
    hint = said.find(id=timing["aria-describedby"]).get_text()
    assert hint.startswith("For the people you meet from now on.")
    # Met at 17:40, the reminder comes at 18:40: the choice says so.
    choices = [label.get_text(strip=True) for label in timing.select("label")]
    assert "This evening (18:00, or an hour after meeting)" in choices
    for chosen, words in (
        ("this_evening", "The evening you meet someone"),
        ("in_3_days", "Three days after you meet someone"),
        ("never", "When a follow-up you set falls due"),
    ):
        await phone.post(
            phone.url("settings_save"), {"time_zone": "UTC", "followup_timing": chosen}
        )
        page = soup(await phone.get(phone.url("settings")))
        assert page.select_one("#push p").get_text().startswith(words + ", Reachout reminds you")


async def test_a_new_time_zone_moves_the_reminders_to_come_with_it(new_phone, pool):
    # Dana's three follow-ups, all first rounds: one due tomorrow at 09:00 UTC, one she
    # snoozed to that day (she picked the day, the app its 09:00), one due in half an hour.
    dana = await met_three(new_phone)
    tomorrow_nine = datetime.now(UTC).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=1)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    plain, snoozed, due_soon = [
        row["id"]
        for row in await pool.fetch("SELECT id FROM followups WHERE owner_id = 1 ORDER BY id")
    ]
    await pool.execute("UPDATE followups SET due_at = $1 WHERE owner_id = 1", tomorrow_nine)
    await pool.execute("UPDATE followups SET snoozed = true WHERE id = $1", snoozed)
    await pool.execute("UPDATE followups SET due_at = $1 WHERE id = $2", soon, due_soon)
    # Moved to Jerusalem (typed as the city), with a new timing for swaps to come: tomorrow's
    # reminder comes at 09:00 there, still tomorrow, not at 11:00 nor in three days.
    saved = await dana.post(
        dana.url("settings_save"), {"time_zone": "Jerusalem", "followup_timing": "in_3_days"}
    )
    assert saved.status_code == 303
    jerusalem = ZoneInfo("Asia/Jerusalem")
    due = await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", plain)
    here = due.astimezone(jerusalem)
    assert (here.date(), here.hour, here.minute) == (tomorrow_nine.date(), 9, 0)
    # The snoozed one too: the day she picked, at 09:00 where she is now.
    assert await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", snoozed) == due
    # Now + 30 min in UTC would be two hours earlier in Jerusalem, in the past: it keeps its
    # moment rather than fire at once, or when that is night in Jerusalem (22:00 to 09:00),
    # waits for 09:00 there.
    kept = await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", due_soon)
    there = soon.astimezone(jerusalem)
    if time(9) <= there.time() <= time(22):
        assert kept == soon
    else:
        assert kept > soon and kept.astimezone(jerusalem).time() == time(9)
        assert kept - soon < timedelta(hours=11)
    # Saving again with the same zone moves nothing.
    await dana.post(
        dana.url("settings_save"),
        {"time_zone": "Asia/Jerusalem", "followup_timing": "next_morning"},
    )
    assert await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", plain) == due


async def test_two_time_zones_saved_at_once_leave_the_reminders_at_the_later_ones_hour(
    new_phone, pool, app
):
    # Saved in Berlin on the laptop (its statement still open) while the phone saves New York:
    # the phone's save waits, then moves the reminder from Berlin's 09:00, where the laptop's
    # left it, not from the UTC it read before it waited.
    dana, _ = await swapped(new_phone)
    nine_utc = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    in_two_days = nine_utc + timedelta(days=2)
    await pool.execute("UPDATE followups SET due_at = $1 WHERE owner_id = 1", in_two_days)
    async with pool.acquire() as laptop, laptop.transaction():
        await app.state.sql.run(
            laptop,
            "accounts.set_preferences",
            account_id=1,
            time_zone="Europe/Berlin",
            followup_timing="next_morning",
            reminders_by=None,
            notes_on_lock_screen=False,
        )
        phone_save = asyncio.create_task(
            dana.post(
                dana.url("settings_save"),
                {"time_zone": "America/New_York", "followup_timing": "next_morning"},
            )
        )
        await until_waiting_for_lock(
            pool, "the phone's save waiting for the laptop's", held_by=laptop.get_server_pid()
        )
        assert not phone_save.done()  # waiting for the laptop's save
    assert (await phone_save).status_code == 303
    due = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    there = due.astimezone(ZoneInfo("America/New_York"))
    assert (there.date(), there.hour, there.minute) == (in_two_days.date(), 9, 0)


async def test_subscribe_lists_the_device_and_removes_it(new_phone, pool, push):
    phone = await new_phone()
    await phone.make_card()
    await subscribe(phone, push, "Chrome on Android")
    again = await subscribe(phone, push, "Chrome on Android")
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 2
    page = await phone.get(phone.url("settings"))
    assert "Chrome on Android" in text_of(page)
    device_id = await pool.fetchval(
        "SELECT id FROM push_subscriptions WHERE endpoint = $1", again.endpoint
    )
    other = await new_phone()
    await other.make_card(name="Eve")
    assert (
        await other.post(other.url("push_remove_device", subscription_id=device_id))
    ).status_code == 404
    await phone.post(phone.url("push_remove_device", subscription_id=device_id))
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    response = await phone.client.post(
        phone.url("push_unsubscribe"),
        json={"endpoint": again.endpoint},
        headers={"sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 204


async def test_each_device_is_named_as_typed_text_is_and_its_remove_button_says_which(
    new_phone, pool, push
):
    phone = await new_phone()
    await phone.make_card()
    # A name turned around by a direction override, and one that is no text at all.
    await subscribe(phone, push, "Chrome on \u202eAndroid")
    await subscribe(phone, push, {"not": "a name"})  # type: ignore[arg-type]
    names = [r[0] for r in await pool.fetch("SELECT device FROM push_subscriptions ORDER BY id")]
    assert names == ["Chrome on Android", ""]
    page = soup(await phone.get(phone.url("settings")))
    removes = [b["aria-label"] for b in page.select("#devices button")]
    assert sorted(removes) == [
        "Remove A browser, added just now, from reminders",
        "Remove Chrome on Android, added just now, from reminders",
    ]


async def test_endpoints_off_the_allow_list_are_refused(new_phone, pool, push):
    phone = await new_phone()
    await phone.make_card()
    good = push.subscribe().to_json()
    cases = [
        ({**good, "endpoint": "https://evil.example.com/push/1"}, "not one we send to"),
        ({**good, "endpoint": good["endpoint"].replace("https://", "http://")}, "must be https"),
        ({**good, "endpoint": "https://user:pw@127.0.0.1/x"}, "must be https"),
        # urlsplit names 127.0.0.1 (allowed here); aiohttp's parser refuses it at send time.
        ({**good, "endpoint": "https://evil.example\\@127.0.0.1/x"}, "must be https"),
        ({**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}}, "keys are not valid"),
        (
            {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "c2hvcnQ"}},
            "keys are not valid",
        ),
        ("not even an object", "not a push subscription"),
    ]
    for subscription, message in cases:
        response = await phone.client.post(
            phone.url("push_subscribe"),
            json={"subscription": subscription},
            headers={"sec-fetch-site": "same-origin"},
        )
        assert response.status_code == 422, subscription
        assert message in response.json()["error"]
    garbage = await phone.client.post(
        phone.url("push_subscribe"), content=b"{not json", headers={"sec-fetch-site": "same-origin"}
    )
    assert garbage.status_code == 400
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0


async def test_subscribing_needs_a_card(new_phone, push, pool):
    phone = await new_phone()
    response = await phone.client.post(
        phone.url("push_subscribe"),
        json={"subscription": push.subscribe().to_json()},
        headers={"sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
