"""The "You met" email in a real browser: a visitor with no account leaves her details on
Dana's card, reads the email at /dev/mail (the mail `make run` sent, as it shows it), and
asks from it to be reminded tomorrow.

Everything is real: the web process in development, the worker process sending the outbox
over SMTP to a local mail sink, the sink keeping it where /dev/mail reads it (see the
``dev_server`` and ``dev_mail`` fixtures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.ui import DANA, MIA, leave_details, make_card_from_home, scan_qr
from tests.reminders import next_morning


@dataclass(frozen=True)
class Reminding:
    """What "Remind me tomorrow" changes: Mia's address confirmed, her follow-up with Dana
    due tomorrow morning in a new round."""

    confirmed_at: datetime | None
    round: int
    due_at: datetime
    now: datetime = field(compare=False)  # the database's clock, when read


async def reminding(pool: asyncpg.Pool) -> Reminding:
    row = await pool.fetchrow(
        """
        SELECT a.confirmed_at, f.round, f.due_at, now() AS now
        FROM followups f
        JOIN contacts c ON c.id = f.contact_id
        JOIN cards mine ON mine.account_id = c.owner_id
        JOIN cards theirs ON theirs.account_id = c.contact_id
        LEFT JOIN email_addresses a ON a.address = lower(mine.email)
        WHERE mine.name = $1 AND theirs.name = $2
        """,
        MIA.name,
        DANA.name,
    )
    assert row is not None, "Mia has no follow-up with Dana"
    return Reminding(row["confirmed_at"], row["round"], row["due_at"], row["now"])


async def test_visitor_reads_you_met_at_dev_mail_and_asks_to_be_reminded_tomorrow(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    reports: list[str] = []

    async def check(label: str, page: Page) -> None:
        """axe-core on the page as it is now; problems are reported together at the end."""
        await page.wait_for_load_state("load")  # styled: app.css has loaded
        violations = await axe_violations(page)
        if violations:
            reports.append(describe_violations(f"{label} ({page.url})", violations))

    dana = await dev_phone_page()
    # A word longer than a phone is wide (a handle, a pasted URL): the email wraps it.
    await make_card_from_home(dana, replace(DANA, headline=f"{DANA.headline}, {'Apparel' * 14}"))
    link = await scan_qr(dana)

    # Mia has no account and no app: she leaves her name and email on Dana's card.
    mia = await dev_phone_page()
    await mia.goto(link)
    await leave_details(mia, DANA.name, MIA.name, MIA.email)
    [sent] = await dev_mail.wait_for(1)
    assert sent.recipients == (MIA.email,)
    assert sent.subject == "You met Dana Lee"

    # Her inbox is /dev/mail: the newest message first, then the message itself.
    await mia.goto("/dev/mail")
    await expect(mia.get_by_role("heading", level=1, name="Mail sent")).to_be_visible()
    messages = mia.get_by_role("list", name="Messages, newest first").get_by_role("link")
    await expect(messages).to_have_count(1)
    await expect(messages.first).to_contain_text("You met Dana Lee")
    await expect(messages.first).to_contain_text(f"To {MIA.name} <{MIA.email}>")
    await check("/dev/mail", mia)
    await messages.first.tap()
    await expect(mia.get_by_role("heading", level=1, name="You met Dana Lee")).to_be_visible()
    await check("/dev/mail message", mia)

    # The HTML part, in its sandboxed frame: its button opens a new tab, as from a mail app.
    email = mia.get_by_title("The HTML part of “You met Dana Lee”").content_frame
    await expect(email.get_by_role("heading", level=1, name="You met Dana Lee")).to_be_visible()
    await expect(email.get_by_text("ApparelApparel")).to_be_visible()
    assert await email.locator(".sheet").evaluate(
        "(sheet) => sheet.scrollWidth <= sheet.clientWidth"
    ), "the email is wider than the phone"
    before = await reminding(pool)
    async with mia.expect_popup() as opened:
        await email.get_by_role("link", name="Remind me tomorrow to follow up").tap()
    page = await opened.value
    await expect(page).to_have_url(
        re.compile(rf"^{re.escape(dev_server.url)}/m/confirm/\d+\?until=\d+&sig=[^&]+$")
    )
    await expect(
        page.get_by_role("heading", level=1, name="Follow up with Dana Lee")
    ).to_be_visible()
    # Her account's zone is her browser's (the host's): "today" or "tomorrow" is named there,
    # the same before the press as after (at 02:00, 09:00 is "today").
    zone = await pool.fetchval(
        "SELECT a.time_zone FROM accounts a JOIN cards c ON c.account_id = a.id WHERE c.name = $1",
        MIA.name,
    )
    await expect(page.get_by_text("We will email")).to_have_text(
        f"We will email {MIA.email} {next_morning(zone)} at 09:00 to remind you."
    )
    await check("/m/confirm", page)
    # Opening the link did nothing (a mail scanner opens every link): only the button acts.
    assert await reminding(pool) == before
    assert before.confirmed_at is None

    await page.get_by_role("button", name="Remind me tomorrow").tap()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Done: you will be reminded")
    done = page.get_by_role("status").filter(has_text="We will email")
    await expect(done).to_contain_text(f"We will email {MIA.email} {next_morning(zone)} at 09:00")
    await expect(done).to_contain_text("to follow up with Dana Lee.")
    await expect(page.get_by_role("button", name="Remind me tomorrow")).to_have_count(0)
    await check("/m/confirm, done", page)
    after = await reminding(pool)
    assert after.confirmed_at is not None
    assert after.round == before.round + 1
    assert after.due_at > after.now, "due tomorrow, not now"

    assert not reports, "serious or critical axe violations:\n" + "\n".join(reports)
