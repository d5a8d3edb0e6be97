"""A page link in our email opened in a browser signed in to another of the same person's
accounts (a guest card in Safari beside the installed app, or two cards): the page says whose
the email was and offers Sign in back to it, rather than "That contact is not in your list" or
the other account's Settings. Signed in to the right account, the page as ever; a ``for``
tampered with is ignored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.mailing import link_in, reminded_by_email
from tests.phone import Phone, soup, text_of
from tests.reminders import swapped

FOR_ANOTHER = "This email was for another card"


async def reminder_to_mia(new_phone: Any, pool: Any, mail: Any, app: Any) -> tuple[Phone, Any]:
    """Mia swapped with Dana; her follow-up is due and comes by email: Mia's phone, the email."""
    _, mia = await swapped(new_phone)
    reminder = await reminded_by_email(app, pool, mail)
    assert reminder.subject == "Follow up with Dana Lee"
    return mia, reminder


async def _her_guest_card(new_phone: Any) -> Phone:
    """Another account of Mia's: a card she made in another browser, with another address."""
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia.chen@work.example.com")
    return safari


def _tampered(link: str) -> str:
    """The link with its ``for`` naming another account (the safari one), its signature kept."""
    account = parse_qs(urlsplit(link).query)["for"][0].partition(".")[0]
    return link.replace(f"for={account}.", f"for={int(account) + 1}.")


@pytest.mark.parametrize("which", ["contact", "settings"])
async def test_a_link_opened_signed_in_to_another_card_says_whose_it_was(
    new_phone, pool, mail, app, which
):
    mia, reminder = await reminder_to_mia(new_phone, pool, mail, app)
    link = link_in(reminder, "/contacts/" if which == "contact" else "/settings")
    safari = await _her_guest_card(new_phone)
    settings_before = await pool.fetch("SELECT id, reminders_by, time_zone FROM accounts")

    opened = await safari.get(link)
    assert opened.status_code == 409
    shown = soup(opened)
    assert shown.h1.get_text() == FOR_ANOTHER
    said = shown.select_one("main p").get_text(" ", strip=True)
    assert said == (
        "This browser is signed in to a different card."
        " Sign in with the address this email was sent to, to open it."
    )
    # Not the other account's page: no Settings form to change, no "not in your list".
    assert shown.select_one("main form") is None
    assert "not in your list" not in text_of(opened)
    # Sign in leads back to that page, less the marks of our email.
    sign_in = soup(await safari.get(shown.find("a", string="Sign in")["href"]))
    form = sign_in.find("button", string="Send me a code").find_parent("form")
    assert form.select_one("[name=next]")["value"] == link.split("?")[0]
    assert await pool.fetch("SELECT id, reminders_by, time_zone FROM accounts") == settings_before

    # Signed in to the account the email was for: the page as ever.
    right = await mia.get(link)
    assert right.status_code == 200
    if which == "contact":
        assert "Dana Lee" in text_of(right)
    else:
        assert soup(right).select_one("main form [name=reminders_by]") is not None

    # A ``for`` tampered with is ignored: what that browser got before.
    tampered = _tampered(link)
    assert tampered != link
    before = await safari.get(tampered)
    assert soup(before).h1.get_text() != FOR_ANOTHER
    if which == "contact":
        assert before.status_code == 404
        assert "That contact is not in your list." in text_of(before)
    else:
        assert before.status_code == 200  # the Settings of the card signed in there
        assert "mia.chen@work.example.com" in text_of(before)


async def test_the_reminders_other_links_say_so_too_and_signed_out_still_offers_sign_in(
    new_phone, pool, mail, app
):
    """Follow-ups (a summary's or digest's button) says the same; a browser signed in to no
    account still gets "Sign in to open this"."""
    _, reminder = await reminder_to_mia(new_phone, pool, mail, app)
    marks = urlsplit(link_in(reminder, "/settings")).query  # from=email, and whose it was
    safari = await _her_guest_card(new_phone)
    followups = f"{safari.url('followups')}?{marks}"
    opened = await safari.get(followups)
    assert opened.status_code == 409
    assert soup(opened).h1.get_text() == FOR_ANOTHER

    signed_out = soup(await (await new_phone()).get(link_in(reminder, "/contacts/")))
    assert signed_out.h1.get_text() == "Sign in to open this"
