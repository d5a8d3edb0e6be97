"""A confirm link ("Confirm my address", and "You met"'s "Remind me tomorrow") confirms only
an address the account's card still carries when its button is pressed. Dana put her
colleague Sam's address on her card by mistake, asked for a confirmation, then corrected her
card: Sam's press of the old link must not make his address a way into her account (nor lock
her own address out of signing in); a typo in "You met" fixed since, likewise."""

from __future__ import annotations

import asyncio
import re

from tests.mailing import code_sent, leaves_details, link_in, pressed, sent_once
from tests.phone import soup, text_of
from tests.reminders import next_morning
from tests.waiting import until_waiting_for_lock

CODE = re.compile(r"^Your Reachout code: (\d{8})$")
CONFIRMATIONS = "SELECT address, account_id FROM address_confirmations ORDER BY address"
MIAS_ROUND = """SELECT f.round FROM followups f JOIN contacts ct ON ct.id = f.contact_id
                WHERE ct.owner_id = 2 AND f.status = 'open'"""


async def signs_in(new_phone, app, mail, address: str) -> int:
    """The status of typing the code emailed to ``address`` on a laptop: 303 when it signs in."""
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": address})
    assert asked.status_code == 303, asked.text
    code = await code_sent(app, mail, CODE, address)
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": address, "code": code})
    return signed.status_code


async def test_an_old_confirmation_for_an_address_taken_off_the_card_confirms_nothing(
    new_phone, pool, mail, app
):
    dana = await new_phone()
    await dana.make_card(email="sam@example.com")  # a slip: her colleague's address
    asked = await dana.post(dana.url("settings_email_confirm"), {})
    assert asked.status_code == 303, asked.text
    confirmation = await sent_once(app, mail)
    assert confirmation.recipients == ("sam@example.com",)
    await dana.make_card(email="dana@example.com")  # she sees it and corrects her card

    sam = await new_phone()
    link = link_in(confirmation, "/m/confirm/")
    for answer in (await sam.get(link), await sam.post(link, {})):
        assert answer.status_code == 410, answer.text
        page = soup(answer)
        assert page.h1.get_text() == "This address is no longer on the card"
        assert (
            "The Reachout card “Dana Lee” no longer uses sam@example.com, so this link cannot"
            " confirm it: nothing was changed." in text_of(answer)
        )
        assert page.select_one("main form button") is None, "no button to press"
        assert "dana@example.com" not in answer.text, "the card's new address is not told"
    assert await pool.fetch(CONFIRMATIONS) == []
    # Dana's own address, the one her card carries, still signs her in.
    assert await signs_in(new_phone, app, mail, "dana@example.com") == 303


async def test_a_card_changed_after_the_page_opened_is_asked_again_when_pressed(
    new_phone, pool, mail, app
):
    """The page was read while the card still carried the address (a button shown); the card
    changed before the press: the press is what counts."""
    dana = await new_phone()
    await dana.make_card(email="sam@example.com")
    await dana.post(dana.url("settings_email_confirm"), {})
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    sam = await new_phone()
    shown = soup(await sam.get(link))
    assert shown.select_one("main form button").get_text() == "Confirm my address"
    await dana.make_card(email="dana@example.com")
    answer = await sam.post(link, {})
    assert answer.status_code == 410
    assert soup(answer).h1.get_text() == "This address is no longer on the card"
    assert await pool.fetch(CONFIRMATIONS) == []


async def test_a_card_change_racing_the_press_is_waited_for(new_phone, pool, mail, app):
    """The card's change is being written as the button is pressed: the press waits for it,
    and reads the card as it left it, rather than confirming what the card no longer says."""
    dana = await new_phone()
    await dana.make_card(email="sam@example.com")
    await dana.post(dana.url("settings_email_confirm"), {})
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    sam = await new_phone()
    async with pool.acquire() as conn, conn.transaction():  # committed at its end
        await conn.execute("UPDATE cards SET email = 'dana@example.com' WHERE account_id = 1")
        press = asyncio.create_task(sam.post(link, {}))
        await until_waiting_for_lock(
            pool, "the press waiting on the card's row", held_by=conn.get_server_pid()
        )
        assert not press.done(), "the press waits for the card's change"
    answer = await press
    assert answer.status_code == 410, answer.text
    assert await pool.fetch(CONFIRMATIONS) == []


async def test_remind_me_tomorrow_for_a_typo_fixed_since_sets_the_reminder_only(
    new_phone, pool, mail, app
):
    """Mia left her details with a typo, and fixed her card. Whoever reads mail at the typo's
    domain presses "Remind me tomorrow" in her "You met": her reminder is set, the typo is not
    confirmed (no way into her account), and her real address still signs her in."""
    _, mia = await leaves_details(new_phone, email="mia@exmaple.com")
    met = await sent_once(app, mail)
    assert met.recipients == ("mia@exmaple.com",)
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    before = await pool.fetchval(MIAS_ROUND)
    squatter = await new_phone()
    link = link_in(met, "/m/confirm/")
    page = soup(await squatter.get(link))
    done = soup(await pressed(squatter, link))
    assert await pool.fetch(CONFIRMATIONS) == [], "the typo is no way in"
    assert await signs_in(new_phone, app, mail, "mia@example.com") == 303
    assert await pool.fetchval(MIAS_ROUND) == before + 1, "the reminder is set"
    # What the pages said, before and after the press.
    assert page.select_one("main form button").get_text() == "Remind me tomorrow"
    assert page.select_one("main p").get_text() == (
        f"Your follow-up with Dana Lee will be due {next_morning()} at 09:00. Your card no"
        " longer uses mia@exmaple.com, so this does not confirm it and no reminder comes"
        " there: Settings says how your reminders come."
    )
    assert done.h1.get_text() == f"Done: it is due {next_morning()}"
    assert "Your card no longer uses mia@exmaple.com, so this does not confirm it" in (
        done.select_one("main p").get_text()
    )
