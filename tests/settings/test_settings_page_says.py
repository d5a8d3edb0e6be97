"""What Settings says of its own form: a refused time zone says that nothing was saved, the
other choices neither; and "Reminders on this phone" says what this phone gets when reminders
come by email or not at all (only requests to connect are pushed then)."""

from __future__ import annotations

from tests.phone import soup, text_of

NOTHING_SAVED = "Please fix the field marked below. Nothing was saved yet."


async def test_a_refused_zone_says_nothing_else_was_saved_either(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    sent = {"time_zone": "EST", "followup_timing": "next_morning", "reminders_by": "email"}
    for htmx in (True, False):
        refused = await phone.post(phone.url("settings_save"), sent, htmx=htmx)
        assert refused.status_code == 422
        form = soup(refused).select_one("#preferences")
        assert form.select_one('[role="alert"]').get_text(" ", strip=True) == NOTHING_SAVED
        # The choice sent stays checked, to save again; the page says what is saved.
        assert form.select_one('input[name="reminders_by"][value="email"]').has_attr("checked")
    assert await pool.fetchval("SELECT reminders_by FROM accounts") is None
    page = soup(await phone.get(phone.url("settings")))
    assert page.select_one("#preferences").select_one('[role="alert"]') is None


async def test_this_phone_is_said_to_get_only_requests_without_push_reminders(new_phone):
    phone = await new_phone()
    await phone.make_card()
    for by, words in (
        ("email", "You chose reminders by email"),
        ("neither", "You chose no reminders"),
    ):
        saved = await phone.post(
            phone.url("settings_save"),
            {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": by},
            htmx=True,
        )
        # Saved in place: the line is put right out of band...
        line = soup(saved).select_one("#reminded-when")
        assert line.get_text().startswith(words), line
        assert "this phone gets only requests to connect" in line.get_text()
        # ...and on the page, with what "Turn on reminders" says once on (reminders.js).
        line = soup(await phone.get(phone.url("settings"))).select_one("#reminded-when")
        assert "this phone gets only requests to connect" in line.get_text()
        assert "Reminders to follow up do not come here" in line["data-on"]
        assert "Reachout reminds you" not in text_of(await phone.get(phone.url("settings")))
    for by in ("", "push", "both"):
        await phone.post(
            phone.url("settings_save"),
            {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": by},
        )
        line = soup(await phone.get(phone.url("settings"))).select_one("#reminded-when")
        assert line.get_text().startswith("The morning after you meet someone, Reachout reminds")
        assert not line.has_attr("data-on")
