"""A reminder email's "Done" and "Snooze a week" on a follow-up whose reminders were turned
off since ("No reminder" in the app): the page says reminders are off, not that it was done or
snoozed, and pressing changes nothing."""

from __future__ import annotations

from server.mail.links import MailLinks
from tests.mailing import leaves_details
from tests.phone import soup, text_of

OFF_TEXT = "You turned off reminders about Dana Lee in Reachout; nothing more will come about them."


async def test_done_and_snooze_on_a_follow_up_turned_off_say_reminders_are_off(
    new_phone, pool, app
):
    await leaves_details(new_phone)
    # Mia's follow-up with Dana (Mia is the account with no app: the one our emails go to).
    row = await pool.fetchrow(
        "SELECT f.id, f.round FROM followups f JOIN cards c ON c.account_id = f.owner_id"
        " WHERE c.name = 'Mia Chen'"
    )
    await pool.execute("UPDATE followups SET status = 'off' WHERE id = $1", row["id"])
    settings = app.state.settings
    links = MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    browser = await new_phone()  # any browser: the links need no session
    for action in ("done", "snooze"):
        link = links.followup(row["id"], row["round"], action)
        for page in (
            await browser.get(link),
            await browser.post(link, {}),
            await browser.get(link + "&pressed=1"),  # as after the button, or a reload of it
        ):
            assert page.status_code == 200, page.text
            shown = soup(page)
            assert shown.h1.get_text() == "Reminders are off"
            assert OFF_TEXT in text_of(page)
            assert "already done or snoozed" not in page.text
            assert shown.select_one("main form button") is None, "nothing to press"
        after = await pool.fetchrow("SELECT status, round FROM followups WHERE id = $1", row["id"])
        assert (after["status"], after["round"]) == ("off", row["round"])
