"""When no reminder can reach me, Settings says so as Follow-ups does, by the labels of its own
controls, each section named a link to it there; Save says so too; and what Follow-ups and a
contact's page tell me to tap is on Settings, in the section they link to."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from tests.mailing import confirm_addresses
from tests.phone import Phone, soup
from tests.reminders import subscribe, swapped

PUSH_ONLY = "No reminder can reach you yet: tap Turn on reminders under Reminders on this phone."
EITHER = (
    "No reminder can reach you yet: tap Turn on reminders under Reminders on this phone, or Send"
    " me a confirmation under Email."
)


def said(part: Tag | None) -> str:
    return "" if part is None else " ".join(part.get_text().split())


def controls(section: Tag) -> list[str]:
    """The labels of the buttons and button-like links in a part of a page, as read."""
    return [said(c) for c in section.select("button, a.btn")]


def findable(notice: Tag, settings: BeautifulSoup) -> None:
    """Each control a ``notice`` names (<em>) is on the Settings page ``settings``, in the
    section that the link after it goes to, under the heading the link names."""
    steps = list(zip(notice.select("em"), notice.select("a"), strict=True))
    assert steps, notice
    for label, link in steps:
        anchor = str(link["href"]).partition("#")[2]
        section = settings.find(id=anchor)
        assert section is not None, anchor
        assert said(section.find("h2")) == said(link)
        assert any(c.startswith(said(label)) for c in controls(section)), (label, controls(section))


async def settings(phone: Phone) -> BeautifulSoup:
    return soup(await phone.get(phone.url("settings")))


async def save(phone: Phone, reminders_by: str) -> BeautifulSoup:
    answer = await phone.post(
        phone.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": reminders_by},
        htmx=True,
    )
    assert answer.status_code == 200
    return soup(answer)


async def test_settings_says_no_reminder_can_reach_me_and_what_to_tap(new_phone, pool, push):
    dana, _ = await swapped(new_phone)
    # Automatically, a new card: its address not confirmed, no phone with reminders on.
    page = await settings(dana)
    notice = page.select_one("#when-section #no-reminders")
    assert said(notice) == EITHER
    findable(notice, page)
    assert [a["href"] for a in notice.select("a")] == ["#push", "#email-section"]
    # What "Reminders on this phone" says promises no reminder that cannot come.
    assert said(page.select_one("#reminded-when")).startswith(
        "The morning after you meet someone, Reachout reminds you to reach out, once a"
        " reminder can reach you. One tap opens their page, with what you promised them."
    )
    # "Reminders on this phone" is right under the choices, not below signing out.
    headings = [said(h) for h in page.select("h2")]
    assert headings[:2] == ["When to remind me", "Reminders on this phone"]

    # By push, saved in place: the answer says it by "Saved.", as an alert.
    answer = await save(dana, "push")
    assert said(answer.select_one('#preferences [role="status"]')) == "Saved."
    alert = answer.select_one("#preferences #no-reminders")
    assert alert is not None and alert.get("role") == "alert" and said(alert) == PUSH_ONLY
    assert "once a reminder can reach you" in said(answer.select_one("#reminded-when"))
    page = await settings(dana)
    assert said(page.select_one("#no-reminders")) == PUSH_ONLY
    findable(page.select_one("#no-reminders"), page)

    # By email, unsubscribed: "Email me again", the button the Email section has.
    await confirm_addresses(pool, "dana@example.com")
    await pool.execute("UPDATE email_addresses SET unsubscribed_at = now()")
    await save(dana, "email")
    page = await settings(dana)
    notice = page.select_one("#no-reminders")
    assert said(notice) == (
        "No reminder can reach you yet: tap Email me again under Email (you unsubscribed your"
        " email)."
    )
    findable(notice, page)

    # A phone with reminders on, by push: nothing to fix, and nothing said of it.
    await subscribe(dana, push)
    answer = await save(dana, "push")
    assert answer.select_one("#no-reminders") is None
    page = await settings(dana)
    assert page.select_one("#no-reminders") is None
    assert "once a reminder" not in said(page.select_one("#reminded-when"))


async def test_what_follow_ups_says_to_tap_is_where_it_links_on_settings(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    for by in ("", "push", "email", "both"):
        await save(dana, by)
        page = await settings(dana)
        for url in (dana.url("followups"), dana.url("contact", contact_id=contact_id)):
            there = soup(await dana.get(url))
            notice = there.select_one("#no-reminders")
            assert notice is not None, (by, url)
            assert "In Settings, tap " in said(notice)
            assert all(
                str(a["href"]).startswith(dana.url("settings") + "#") for a in notice.select("a")
            )
            findable(notice, page)
    # Follow-ups' "Reminder settings" goes to the choices, not the top of the page.
    link = soup(await dana.get(dana.url("followups"))).find("a", string="Reminder settings")
    assert link["href"] == dana.url("settings") + "#when-section"
    assert page.find(id="when-section").find("h2").get_text() == "When to remind me"
