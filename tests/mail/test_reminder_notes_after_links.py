"""A phone shows an email's first lines on its lock screen, as it shows a push: a reminder
email opens with its title and "You met …" only. What she promised and what they asked come
after its buttons and links, still in it, each labelled, in both its parts."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from tests.mailing import reminded_by_email
from tests.reminders import swapped, zone_where_it_is

PROMISED = "You promised: an intro to Sam."
ASKED = "They asked: a look at my deck."


async def noted_reminder_email(new_phone: Any, pool: Any, mail: Any, app: Any) -> Any:
    """Mia swapped with Dana, wrote what she promised and what Dana asked, and is reminded by
    email: the email."""
    _, mia = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 2")
    saved = await mia.post(
        mia.url("contact_give_get", contact_id=contact_id),
        {"promised": "an intro to Sam", "they_asked": "a look at my deck"},
    )
    assert saved.status_code in (200, 303), saved.text
    # Mia where it is midday: swapped a second before her midnight, the email would say,
    # truly, "You met yesterday."
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 2", zone_where_it_is(True))
    return await reminded_by_email(app, pool, mail)


async def test_plain_text_opens_with_who_and_when_and_says_the_notes_after_the_links(
    new_phone, pool, mail, app
):
    reminder = await noted_reminder_email(new_phone, pool, mail, app)
    assert reminder.subject == "Follow up with Dana Lee"
    lines = [line for line in reminder.message.get_body(("plain",)).get_content().splitlines()]
    said = [line for line in lines if line]
    assert said[:2] == ["Follow up with Dana Lee", "You met today."]
    last_link = next(i for i, line in enumerate(lines) if line.startswith("See Dana Lee in"))
    done = lines.index(next(line for line in lines if line.startswith("Done: http")))
    assert done < last_link < lines.index(PROMISED) < lines.index(ASKED)
    # Said once: not in the opening lines as well.
    assert sum(PROMISED in line for line in lines) == 1


async def test_html_opens_with_who_and_when_and_says_the_notes_after_the_links(
    new_phone, pool, mail, app
):
    reminder = await noted_reminder_email(new_phone, pool, mail, app)
    html = BeautifulSoup(reminder.message.get_body(("html",)).get_content(), "html.parser")
    shown = [p.get_text(" ", strip=True) for p in html.select("h1, p")]
    assert shown[:2] == ["Follow up with Dana Lee", "You met today."]
    words = " ".join(html.get_text(" ").split())
    for link in ("Email Dana", "Done", "Snooze a week", "See Dana Lee in Reachout"):
        assert words.index(link) < words.index(PROMISED) < words.index(ASKED), link
    # Labelled: the label stands out from what she wrote.
    assert [strong.get_text() for strong in html.select("strong")] == [
        "You promised:",
        "They asked:",
    ]
