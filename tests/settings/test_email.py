"""Settings: how reminders come, which address and what it said, and "Send me a confirmation"
whose link works in another browser."""

from __future__ import annotations

from tests.mailing import confirm_addresses, link_in, pressed, running_mail_worker, sent_once
from tests.phone import soup, text_of, words
from tests.signin.test_routes import code_from


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
    confirmation = await sent_once(app, mail)
    assert confirmation.subject == "Confirm your address for Reachout"
    laptop = await new_phone()  # the email opened somewhere else entirely
    link = link_in(confirmation, "/m/confirm/")
    assert "Confirm my address" in (await laptop.get(link)).text
    done = await pressed(laptop, link)
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


async def test_an_address_confirmed_by_its_owner_is_hers_alone(new_phone, pool, mail, app):
    """Bea confirmed her address; Mallory puts it on her own card (a slip, or on purpose):
    Mallory's reminders do not go there, Settings does not call it confirmed for her, and
    Bea's code by email opens Bea's account, however recently Mallory used hers."""
    bea = await new_phone()
    await bea.make_card(name="Bea Stone", email="bea@example.com")
    await confirm_addresses(pool, "bea@example.com")
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="BEA@example.com")
    await mallory.get(mallory.url("settings"))  # the account used most recently
    page = text_of(await mallory.get(mallory.url("settings")))
    assert "Reminders by email go to BEA@example.com" in page and "not confirmed yet" in page
    assert "Your reminders go there" not in page
    reach = await pool.fetch("SELECT id, reminder_address(id) AS address FROM accounts ORDER BY id")
    assert [row["address"] for row in reach] == ["bea@example.com", None]
    # Bea signs in on a new phone with a code sent to her address: her own account.
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": "bea@example.com"})
    assert asked.status_code == 303
    code = await code_from(mail, app)
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "bea@example.com", "code": code}
    )
    assert signed.status_code == 303
    assert "Bea Stone" in text_of(await laptop.get(laptop.url("card")))


async def test_another_card_cannot_undo_an_unsubscribe_nor_learn_of_it(new_phone, pool, mail, app):
    """Trent puts Gil's address on his card; Gil had unsubscribed. Trent's Settings say
    nothing of it; asking for a confirmation sends one, once a week at most, and only Gil,
    pressing its button, gets mail there again. Gil, signed in to the account the address
    is confirmed for, gets it again from Settings."""
    gil = await new_phone()
    await gil.make_card(name="Gil Santos", email="gil@example.com")
    await confirm_addresses(pool, "gil@example.com")
    await pool.execute("UPDATE email_addresses SET unsubscribed_at = now()")
    trent = await new_phone()
    await trent.make_card(name="Trent", email="gil@example.com")
    page = text_of(await trent.get(trent.url("settings")))
    assert "unsubscribed" not in page and "not confirmed yet" in page
    asked = await trent.post(trent.url("settings_email_confirm"), {"resubscribe": "1"})
    assert asked.status_code == 303
    assert await pool.fetchval("SELECT unsubscribed_at IS NOT NULL FROM email_addresses")
    confirmation = await sent_once(app, mail)
    text = confirmation.message.get_body(("plain",)).get_content()
    assert 'The Reachout card "Trent" asked to get its reminders at gil@example.com' in text
    again = await trent.post(trent.url("settings_email_confirm"), {})
    assert again.status_code == 429
    assert "We can't send another confirmation to that address now." in text_of(again)
    assert await pool.fetchval("SELECT count(*) FROM emails") == 1
    assert await pool.fetchval("SELECT unsubscribed_at IS NOT NULL FROM email_addresses")
    # Gil himself, signed in to the account it is confirmed for, can ask for mail again.
    # His Follow-ups say how (not "confirm your email": it is confirmed).
    await gil.post((await trent.share_link()) + "/swap")
    await pool.execute("UPDATE accounts SET reminders_by = 'email'")
    notice = soup(await gil.get(gil.url("followups"))).select_one("#no-reminders")
    assert notice is not None
    assert "In Settings, tap Email me again under Email (you unsubscribed your email)." in " ".join(
        notice.get_text().split()
    )
    page = soup(await gil.get(gil.url("settings")))
    assert "unsubscribed" in words(page)
    button = page.find("button", string="Email me again")
    back = await gil.post(
        button.find_parent("form")["action"],
        {i["name"]: i.get("value", "") for i in button.find_parent("form").select("input")},
    )
    # At once, without a confirmation: the address is his, confirmed.
    assert back.status_code == 303
    assert back.headers["location"] == gil.url("settings") + "?notice=email_back"
    said = text_of(await gil.get(back.headers["location"]))
    assert "Reachout emails you again" in said and "confirmed" in said
    assert await pool.fetchval("SELECT unsubscribed_at IS NULL FROM email_addresses")
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'confirm'") == 1
    assert await pool.fetchval(
        "SELECT array_agg(account_id ORDER BY account_id) FROM address_confirmations"
    ) == [1], "Trent's card got nothing from Gil's confirmation"


async def test_confirmations_are_limited_per_account_and_per_address(new_phone, pool):
    """One account asks at most three an hour and three a day for an address, never a second
    while one is on its way; an inbox gets at most ten a day, whoever asks."""
    dana = await new_phone()
    await dana.make_card()
    assert (await dana.post(dana.url("settings_email_confirm"), {})).status_code == 303
    waiting = await dana.post(dana.url("settings_email_confirm"), {})
    assert waiting.status_code == 409 and "already on its way" in text_of(waiting)
    for _ in range(2):
        await pool.execute("UPDATE emails SET status = 'sent', sent_at = now()")
        assert (await dana.post(dana.url("settings_email_confirm"), {})).status_code == 303
    await pool.execute("UPDATE emails SET status = 'sent', sent_at = now()")
    hour = await dana.post(dana.url("settings_email_confirm"), {})
    assert hour.status_code == 429 and "ask again in an hour" in text_of(hour)
    # Someone else carrying the address may ask too (it may be theirs), until the inbox has
    # had ten today.
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="dana@example.com")
    assert (await mallory.post(mallory.url("settings_email_confirm"), {})).status_code == 303
    await pool.execute(
        "INSERT INTO emails (kind, account_id, to_address, status, sent_at)"
        " SELECT 'confirm', 2, 'dana@example.com', 'sent', now() FROM generate_series(1, 6)"
    )
    trent = await new_phone()
    await trent.make_card(name="Trent", email="dana@example.com")
    day = await trent.post(trent.url("settings_email_confirm"), {})
    assert day.status_code == 429
    assert "We can't send another confirmation to that address now." in text_of(day)
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'confirm'") == 10


async def test_answering_one_account_s_email_takes_nothing_from_another(new_phone, pool, mail, app):
    """Bea confirmed her address for her account. Dan types her in as a guest, and she
    presses "Remind me tomorrow" in the "You met Dan" email: confirmed for that card too; her
    own account keeps its reminders, and her code by email still opens it. Merged, the
    confirmation goes with the card kept."""
    bea = await new_phone()
    await bea.make_card(name="Bea Stone", email="bea@example.com")
    await confirm_addresses(pool, "bea@example.com")
    dan = await new_phone()
    await dan.make_card(name="Dan Roe", email="dan@example.com")
    typed = await dan.post(dan.url("tap_guest"), {"name": "Bea Stone", "email": "bea@example.com"})
    assert typed.status_code in (200, 303), typed.text
    guest_id = await pool.fetchval("SELECT id FROM accounts WHERE guest")
    met = await sent_once(app, mail)
    link = link_in(met, "/m/confirm/")
    assert (await pressed(await new_phone(), link)).status_code == 200
    rows = await pool.fetch("SELECT account_id FROM address_confirmations ORDER BY account_id")
    assert [row["account_id"] for row in rows] == [1, guest_id]
    reach = await pool.fetch("SELECT reminder_address(1) AS mine")
    assert reach[0]["mine"] == "bea@example.com", "her own account keeps its reminders"
    laptop = await new_phone()
    await laptop.post(laptop.url("sign_in_ask"), {"email": "bea@example.com"})
    mail.received.clear()
    code = await code_from(mail, app)
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "bea@example.com", "code": code}
    )
    assert signed.status_code == 303
    assert "Bea Stone" in text_of(await laptop.get(laptop.url("card")))
    assert await pool.fetchval("SELECT account_id FROM sessions ORDER BY id DESC LIMIT 1") == 1
    # The guest merged into her account: still confirmed for the one person.
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT merge_accounts($1, 1)", guest_id)
    rows = await pool.fetch("SELECT account_id FROM address_confirmations")
    assert [row["account_id"] for row in rows] == [1]
