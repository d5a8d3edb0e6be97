"""Delete my account: after a fresh sign-in, nothing that references the account is left (a
walk over every foreign key to ``accounts`` and every account-like column, so a new table
cannot be forgotten), the others no longer have me, and my links say the card was deleted."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from typing import Any

import asyncpg
from PIL import Image

from server.privacy.retention import Retention
from server.signin import proving
from tests.events.test_routes import attendee, event_form, organizer_with_event
from tests.limit_counts import says_wait
from tests.mailing import code_sent, confirm_addresses, leaves_details, running_mail_worker
from tests.phone import Phone, soup, text_of
from tests.reminders import make_due, running_worker, subscribe
from tests.signin.authenticator import SoftAuthenticator, b64
from tests.signin.test_passkeys import JSON, add_passkey, options
from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import code_of

DANA = "dana@example.com"
DELETE_SUBJECT = re.compile(r"^(\d{8}) is your code to delete your Reachout account$")
SIGN_IN_SUBJECT = re.compile(r"^Your Reachout code: (\d{8})$")
# Columns that may hold an account's id without a foreign key saying so: integers named like
# one. Together with every foreign key to accounts, the columns the walk looks in.
ACCOUNT_LIKE = (
    r"(account|owner|contact|blocker|blocked|organi[sz]er|attendee|member|person|user|author"
    r"|sender|recipient|requester|from|to|about|merge|used_by|by)"
)


async def account_columns(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    """Every (table, column) that may hold an account's id: the foreign keys to ``accounts``,
    and integer columns named like an account that have no foreign key at all (a column with
    one to another table, like ``followups.contact_id``, holds that table's ids)."""
    rows = await pool.fetch(
        """
        SELECT c.table_name, c.column_name,
               EXISTS (SELECT 1 FROM pg_constraint k
                       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                       WHERE k.contype = 'f' AND k.conrelid = c.table_name::regclass
                         AND a.attname = c.column_name
                         AND k.confrelid = 'accounts'::regclass) AS to_accounts,
               EXISTS (SELECT 1 FROM pg_constraint k
                       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                       WHERE k.contype = 'f' AND k.conrelid = c.table_name::regclass
                         AND a.attname = c.column_name) AS any_key,
               c.data_type
        FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        ORDER BY 1, 2
        """
    )
    found = []
    for row in rows:
        named_like = re.search(ACCOUNT_LIKE, row["column_name"]) and row["column_name"] != "id"
        integer = row["data_type"] in ("bigint", "integer", "smallint")
        if row["to_accounts"] or (integer and named_like and not row["any_key"]):
            found.append((row["table_name"], row["column_name"]))
    return found


async def text_columns(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        """
        SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'character varying')
        """
    )
    return [(row["table_name"], row["column_name"]) for row in rows]


async def left_behind(pool: asyncpg.Pool, account_id: int) -> dict[str, int]:
    """Rows still naming ``account_id``, by table and column."""
    found = {}
    for table, column in await account_columns(pool):
        query = f'SELECT count(*) FROM "{table}" WHERE "{column}" = $1'  # noqa: S608
        count = await pool.fetchval(query, account_id)
        if count:
            found[f"{table}.{column}"] = count
    return found


async def mentions(pool: asyncpg.Pool, words: str) -> dict[str, int]:
    """Text cells anywhere that contain ``words`` (case-insensitive)."""
    found = {}
    for table, column in await text_columns(pool):
        count = await pool.fetchval(
            f'SELECT count(*) FROM "{table}" WHERE strpos(lower("{column}"), $1) > 0',  # noqa: S608
            words.lower(),
        )
        if count:
            found[f"{table}.{column}"] = count
    return found


async def account_of(pool: asyncpg.Pool, name: str) -> int:
    account_id: int = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    return account_id


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 90)).save(out, "JPEG")
    return out.getvalue()


async def confirm_by_code(phone: Phone, mail: Any, app: Any) -> None:
    """Settings → Delete my account → "Email me a code" → the code typed: confirmed."""
    asked = await phone.post(phone.url("delete_account_send_code"))
    # The next step by GET: a reload shows it again, and sends no other code.
    assert asked.status_code == 303
    assert asked.headers["location"] == phone.url("delete_account") + "?code=sent"
    sent = await phone.get(asked.headers["location"])
    assert f"We sent a code to {DANA}" in text_of(sent) and "New code" not in text_of(sent)
    # "Send a new code" answers that it sent one (the page read as before).
    resend = soup(sent).find("button", string="Send a new code").find_parent("form")
    asked = await phone.post(resend["action"], {"again": resend.select_one("input")["value"]})
    again = await phone.get(asked.headers["location"])
    assert f"New code sent. We sent a code to {DANA}" in text_of(again)
    code = await code_sent(app, mail, DELETE_SUBJECT, DANA)
    checked = await phone.post(phone.url("delete_account_check_code"), {"code": code})
    assert checked.status_code == 303, text_of(checked)
    assert checked.headers["location"] == phone.url("delete_account")


async def delete_for_good(phone: Phone):  # type: ignore[no-untyped-def]
    return await phone.post(phone.url("delete_account_confirm"))


async def signed_in_by_email(new_phone: Any, mail: Any, app: Any) -> Phone:
    """Dana on her laptop, signed in with a code by email: her address is confirmed."""
    laptop = await new_phone()
    await laptop.post(laptop.url("sign_in_ask"), {"email": DANA})
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, DANA)
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303
    return laptop


async def test_deleting_a_rich_account_leaves_no_row_that_references_it(
    new_phone, pool, app, push, mail
):
    sql = app.state.sql
    # Olga's event, which Dana joins; Ben, Carl and Eve are there too.
    olga, olga_event = await organizer_with_event(new_phone)
    dana = await new_phone()
    await dana.make_card()
    code = await pool.fetchval("SELECT join_code FROM events WHERE id = $1", olga_event)
    await dana.post(dana.url("join_event_submit", code=code), {"listed": "on"})
    ben = await attendee(new_phone, pool, olga_event, "Ben Ode")
    carl = await attendee(new_phone, pool, olga_event, "Carl Hu")
    eve = await attendee(new_phone, pool, olga_event, "Eve Park")
    dana_id = await account_of(pool, "Dana Lee")
    ben_id, carl_id = await account_of(pool, "Ben Ode"), await account_of(pool, "Carl Hu")
    eve_id = await account_of(pool, "Eve Park")
    # Requests: Dana asks Ben (pending); Carl asks Dana (accepted: a swap at Olga's event,
    # whose follow-up Dana marks done); Eve asks Dana (declined); Dana blocks Eve.
    for asker, asked in ((dana, ben_id), (carl, dana_id), (eve, dana_id)):
        sent = await asker.post(asker.url("request_connect", event_id=olga_event, account_id=asked))
        assert sent.status_code == 303, sent.text
    for asker_id, decision in ((carl_id, "accept"), (eve_id, "decline")):
        request_id = await pool.fetchval(
            "SELECT id FROM connect_requests WHERE from_id = $1", asker_id
        )
        await dana.post(dana.url("request_decide", request_id=request_id, decision=decision))
    carl_contact = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", dana_id, carl_id
    )
    await dana.post(dana.url("followup_change", contact_id=carl_contact), {"action": "done"})
    await dana.post(dana.url("event_block", event_id=olga_event, account_id=eve_id))
    # And Fay, there too, blocks Dana (Eve no longer sees her to block her back).
    fay = await attendee(new_phone, pool, olga_event, "Fay Lin")
    blocked = await fay.post(fay.url("event_block", event_id=olga_event, account_id=dana_id))
    assert blocked.status_code == 303

    # Dana's own event (she attends it too): Ana is there and swaps with her, and marks
    # her follow-up done.
    created = await dana.post(dana.url("event_create"), event_form(name="Dana's Breakfast"))
    dana_event = int(created.headers["location"].rsplit("/", 1)[1])
    ana = await attendee(new_phone, pool, dana_event, "Ana Silva")
    link = await dana.share_link()
    assert (await ana.post(link + "/swap")).status_code == 303
    ana_contact = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2",
        await account_of(pool, "Ana Silva"),
        dana_id,
    )
    await ana.post(ana.url("followup_change", contact_id=ana_contact), {"action": "done"})
    # Mia, with no app, leaves her details on Dana's card ("You met Dana" to her); Lou, a
    # guest, is typed on Dana's phone.
    _, mia = await leaves_details(new_phone, dana)
    await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "email": "lou@example.com"})
    mia_contact = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2",
        dana_id,
        await account_of(pool, "Mia Chen"),
    )
    await dana.post(dana.url("contact_note", contact_id=mia_contact), {"note": "Knows fashion"})
    await dana.post(
        dana.url("contact_give_get", contact_id=mia_contact),
        {"promised": "Intro to Sam", "they_asked": "A job"},
    )
    # Her photo, a second browser (signed in by email code: her address is confirmed, and it
    # is her just now), a passkey added there, a passkey asked to be added and never
    # finished, devices with reminders.
    photo = await dana.post(
        dana.url("card_photo"), files={"photo": ("me.jpg", small_jpeg(), "image/jpeg")}
    )
    assert photo.status_code == 303
    laptop = await signed_in_by_email(new_phone, mail, app)
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(laptop, keychain)).status_code == 201
    await options(laptop, "passkey_register_options")
    await subscribe(dana, push, "Dana's phone")
    await subscribe(mia, push, "Mia's phone")
    # Reminders: due, pushed and emailed (a confirmation asked for, "You met" to Mia and Lou).
    await dana.post(dana.url("settings_email_confirm"))
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    # Codes: hers on the Tap screen; a wrong one typed; Mia's typed (used by Dana); a move
    # code; a bump; a swap queued offline (a scan of Ben's card).
    await code_of(dana)
    await dana.post(dana.url("tap_code_enter"), {"code": "000000"}, htmx=True)
    await dana.post(dana.url("tap_code_enter"), {"code": await code_of(mia)}, htmx=True)
    await dana.post(dana.url("move_code"))
    await dana.post(
        dana.url("bump_create"),
        {"bumped_at": str(time.time() * 1000), "force": "25"},
        headers={"accept": "application/json"},
    )
    assert (await replay(dana, action("scan", {"token": token_of(await ben.share_link())}))).json()[
        "status"
    ] == "done"
    # Last, an event nobody else joins: it goes with her.
    await dana.post(dana.url("event_create"), event_form(name="Nobody came"))

    # What she had, to be sure the walk below looks at something.
    before = await left_behind(pool, dana_id)
    for must in (
        "cards.account_id",
        "photos.account_id",
        "sessions.account_id",
        "contacts.owner_id",
        "contacts.contact_id",
        "followups.owner_id",
        "push_subscriptions.account_id",
        "events.organizer_id",
        "event_attendees.account_id",
        "blocks.blocker_id",
        "blocks.blocked_id",
        "connect_requests.from_id",
        "connect_requests.to_id",
        "swap_codes.account_id",
        "swap_codes.used_by",
        "bumps.account_id",
        "synced_actions.account_id",
        "emails.account_id",
        "emails.about_id",
        "sign_in_codes.account_id",
        "move_codes.account_id",
        "passkeys.account_id",
        "webauthn_challenges.account_id",
    ):
        assert must in before, f"the story made no {must}"
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") >= 2
    stats_before = {
        event_id: dict(await sql.run(pool, "events.stats", event_id=event_id))
        for event_id in (olga_event, dana_event)
    }
    assert stats_before[dana_event]["attendees"] == 2
    assert stats_before[dana_event]["followups_done"] == 1
    assert stats_before[olga_event]["swaps"] >= 1
    share_link = await dana.share_link()

    # Settings → Delete my account: what goes, then a code by email, then the button.
    settings = await dana.get(dana.url("settings"))
    assert soup(settings).find("a", string="Delete my account")["href"] == dana.url(
        "delete_account"
    )
    page = await dana.get(dana.url("delete_account"))
    assert page.headers["cache-control"] == "no-store"
    said = text_of(page)
    assert "your 5 contacts" in said
    # Offered to keep them first, as the same files Settings makes.
    assert "Keep a copy first?" in said
    for name, route in (
        ("Contacts for your phone (.vcf)", "export_vcards"),
        ("Contacts as a spreadsheet (.csv)", "export_csv"),
        ("Everything about me (.json)", "export_everything"),
    ):
        link = soup(page).find("a", string=name)
        assert link["href"] == dana.url(route)
        # Each says what it holds, read after its name.
        assert soup(page).find(id=link["aria-describedby"]).get_text(strip=True)
    assert "1 event you organise had other people there: it stays for them" in said
    assert "Email me a code" in said and DANA in said
    await confirm_by_code(dana, mail, app)
    ready = text_of(await dana.get(dana.url("delete_account")))
    assert "It's you: confirmed." in ready
    gone = await delete_for_good(dana)
    # To the start page, saying so: a reload there sends nothing again.
    assert gone.status_code == 303
    assert gone.headers["location"] == dana.url("home") + "?notice=account_deleted"
    assert gone.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    start = await dana.get(gone.headers["location"])
    assert "Your account is deleted." in text_of(start)
    assert soup(start).select_one("nav.tabs") is None
    assert soup(start).find("a", string="Make my card") is not None

    # Nothing names her: no row references the account, no text holds her address or name.
    assert await left_behind(pool, dana_id) == {}
    assert await mentions(pool, DANA) == {}
    assert await mentions(pool, "Dana Lee") == {}
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE merge_from = $1", dana_id) == 0
    # The organizers' counts stay as numbers; her event with others stays, without her.
    for event_id, stats in stats_before.items():
        assert dict(await sql.run(pool, "events.stats", event_id=event_id)) == stats
    # Hers is closed: with nobody in charge, no one new joins by its code or poster.
    kept = await pool.fetch(
        "SELECT name, organizer_id, closed_at IS NOT NULL AS closed FROM events ORDER BY id"
    )
    assert [tuple(row) for row in kept] == [
        ("Lunch & Learn", await account_of(pool, "Olga Organizer"), False),
        ("Dana's Breakfast", None, True),
    ]
    # The others no longer have her; her browsers are signed out; her link says so.
    for phone in (ana, mia, ben, carl, olga):
        assert "Dana Lee" not in text_of(await phone.get(phone.url("contacts")))
    for browser in (dana, laptop):
        card = await browser.get(browser.url("card"))
        assert soup(card).h1.get_text(strip=True) == "Make my card"
    visitor = await new_phone()
    for url in (share_link, share_link + "/vcard"):
        deleted = await visitor.get(url)
        assert deleted.status_code == 410
        assert soup(deleted).h1.get_text(strip=True) == "This card was deleted"
        assert "deleted their Reachout account" in text_of(deleted)
    assert (
        await visitor.post(share_link + "/details", {"name": "X", "email": "x@example.com"})
    ).status_code == 410
    # A token that was never ours is still "not recognised", not "deleted".
    assert (await visitor.get("/c/" + "A" * 38)).status_code == 404


async def test_without_a_fresh_sign_in_nothing_is_deleted(new_phone, pool, app, mail):
    dana = await new_phone()
    await dana.make_card()
    await signed_in_by_email(new_phone, mail, app)  # her address is confirmed now
    refused = await delete_for_good(dana)
    assert refused.status_code == 403
    assert "Confirm it is you first" in text_of(refused)
    # Signing in elsewhere does not count here: it must be this browser, just now.
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    # A code asked for, then a wrong one typed: said, tries counted, nothing deleted.
    await dana.post(dana.url("delete_account_send_code"))
    code = await code_sent(app, mail, DELETE_SUBJECT, DANA)
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    typed = await dana.post(dana.url("delete_account_check_code"), {"code": wrong})
    assert typed.status_code == 422
    assert soup(typed).select_one(".error").get_text(strip=True) == (
        "That code is not right. 4 tries left."
    )
    assert (await delete_for_good(dana)).status_code == 403
    # Each wrong try counts (someone holding her unlocked phone cannot guess on and on).
    again = await dana.post(dana.url("delete_account_check_code"), {"code": wrong})
    assert soup(again).select_one(".error").get_text(strip=True) == (
        "That code is not right. 3 tries left."
    )
    await dana.post(dana.url("delete_account_send_code"))  # a new code, five tries of its own
    code = await code_sent(app, mail, DELETE_SUBJECT, DANA)
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    # The deletion code does not sign anyone in, and a sign-in code does not delete.
    thief = await new_phone()
    stolen = await thief.post(thief.url("sign_in_code"), {"email": DANA, "code": code})
    assert stolen.status_code == 422
    await thief.post(thief.url("sign_in_ask"), {"email": DANA})
    sign_in_code = await code_sent(app, mail, SIGN_IN_SUBJECT, DANA)
    crossed = await dana.post(dana.url("delete_account_check_code"), {"code": sign_in_code})
    assert crossed.status_code == 422
    # An expired code: said clearly.
    await pool.execute("UPDATE sign_in_codes SET expires_at = now() - interval '1 second'")
    late = await dana.post(dana.url("delete_account_check_code"), {"code": code})
    assert late.status_code == 422
    assert "That code has expired" in text_of(late)
    assert (await delete_for_good(dana)).status_code == 403
    # The right code, but the button pressed too late: refused again.
    await dana.post(dana.url("delete_account_send_code"))
    await confirm_by_code_with(dana, await code_sent(app, mail, DELETE_SUBJECT, DANA))
    await pool.execute(
        "UPDATE sessions SET fresh_sign_in_at = now() - $1::interval",
        proving.FRESH + proving.FRESH / 10,
    )
    assert (await delete_for_good(dana)).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert await pool.fetchval("SELECT count(*) FROM cards") == 1


async def confirm_by_code_with(phone: Phone, code: str) -> None:
    checked = await phone.post(phone.url("delete_account_check_code"), {"code": code})
    assert checked.status_code == 303, text_of(checked)


async def test_a_cross_site_post_deletes_nothing(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="")
    forged = await dana.client.post(
        dana.url("delete_account_confirm"),
        data={"confirm": "delete"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert forged.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_with_neither_address_nor_passkey_typing_delete_confirms(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="")
    page = text_of(await dana.get(dana.url("delete_account")))
    assert "no confirmed email address and no passkey that confirms it's you" in page
    assert "Email me a code" not in page
    wrong = await dana.post(dana.url("delete_account_confirm"), {"confirm": "yes"})
    assert wrong.status_code == 422
    assert soup(wrong).select_one(".error").get_text(strip=True) == TYPE_IT
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    gone = await dana.post(dana.url("delete_account_confirm"), {"confirm": " Delete "})
    assert gone.status_code == 303
    assert "Your account is deleted." in text_of(await dana.get(gone.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


TYPE_IT = 'Type "delete" to confirm. Nothing was deleted.'


async def test_a_passkey_of_the_account_confirms_and_another_s_does_not(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="")
    keychain = SoftAuthenticator("http://testserver")
    await add_passkey(dana, keychain)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await add_passkey(mia, keychain)  # the same phone's keychain holds both
    page = await dana.get(dana.url("delete_account"))
    assert soup(page).find("button", string="Confirm with a passkey") is not None
    asked = await options(dana, "delete_account_passkey_options")
    dana_key = keychain.passkeys[0].credential_id
    assert [entry["id"] for entry in asked["allowCredentials"]] == [b64(dana_key)]
    # Mia's passkey answering Dana's challenge: refused, nothing confirmed.
    answer = keychain.get(asked, passkey=keychain.passkeys[1])
    refused = await dana.client.post(dana.url("delete_account_passkey"), json=answer, headers=JSON)
    assert refused.status_code == 400
    assert (
        refused.json()["error"]
        == "That passkey belongs to another account. Use one of this account's."
    )
    assert (await delete_for_good(dana)).status_code == 403
    # Her own: confirmed, and the button deletes.
    answer = keychain.get(
        await options(dana, "delete_account_passkey_options"), passkey=keychain.passkeys[0]
    )
    confirmed = await dana.client.post(
        dana.url("delete_account_passkey"), json=answer, headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"redirect": dana.url("delete_account")}
    assert (await delete_for_good(dana)).status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1  # Mia's
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_the_page_needs_a_signed_in_browser(new_phone):
    phone = await new_phone()
    page = await phone.get(phone.url("delete_account"))
    assert page.status_code == 303 and page.headers["location"] == phone.url("card")
    assert (await phone.post(phone.url("delete_account_confirm"))).status_code == 404
    assert (await phone.post(phone.url("delete_account_send_code"))).status_code == 404


async def test_every_foreign_key_to_an_account_cascades_or_lets_go(pool):
    """Deleting an account never stops on a reference: each one goes with it (CASCADE) or
    forgets it (SET NULL), in every table, including ones added later."""
    rows = await pool.fetch(
        """
        SELECT conrelid::regclass::text AS "table", conname, confdeltype
        FROM pg_constraint WHERE contype = 'f' AND confrelid = 'accounts'::regclass
        """
    )
    assert rows, "found no foreign keys to accounts"
    assert [r["conname"] for r in rows if r["confdeltype"] not in (b"c", b"n")] == []


async def test_asking_for_too_many_codes_says_none_was_sent(new_phone, pool, app, mail):
    dana = await new_phone()
    await dana.make_card()
    await signed_in_by_email(new_phone, mail, app)  # her address is confirmed now
    # Someone else asks sign-in codes for her address until they are refused: that does not
    # keep her from deleting her account.
    stranger = await new_phone()
    for _ in range(5):
        await stranger.post(stranger.url("sign_in_ask"), {"email": DANA})
    answers = [await dana.post(dana.url("delete_account_send_code")) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [303] * 5 + [429]
    refused = answers[-1]
    assert refused.status_code == 429
    said = text_of(refused)
    assert "We sent no new code: you asked for several in the last hour." in said
    says_wait(refused, f"Type the last one we sent to {DANA}, or ask again {{wait}}.")
    assert "We sent a code to" not in said, "nothing said to be sent that was not"
    assert soup(refused).find("button", string="Confirm it's me") is not None


async def test_her_other_browser_is_told_the_account_was_deleted(new_phone, app, mail):
    dana = await new_phone()
    await dana.make_card(email=DANA)
    laptop = await signed_in_by_email(new_phone, mail, app)
    await confirm_by_code(dana, mail, app)
    assert (await delete_for_good(dana)).status_code == 303

    # In the background (a page's check, the service worker), nothing is cleared unseen.
    quiet = await laptop.get(laptop.url("card"), headers={"HX-Request": "true"})
    assert "clear-site-data" not in quiet.headers
    opened = await laptop.get(laptop.url("card"), headers={"sec-fetch-mode": "navigate"})
    assert "Your account was deleted from another phone or browser" in text_of(opened)
    assert "You were signed out" not in text_of(opened)
    assert opened.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert soup(opened).h1.get_text(strip=True) == "Make my card"


async def test_a_browser_signed_out_elsewhere_is_told_so_and_forgets_its_copies(
    new_phone, app, mail
):
    """Dana's phone is lost: from her laptop she signs it out. The phone's next page says so,
    and tells it to forget what it kept for offline (her contacts, her notes), as signing out
    on the phone itself does; a request in the background clears nothing unseen."""
    dana = await new_phone()
    await dana.make_card(email=DANA)
    laptop = await signed_in_by_email(new_phone, mail, app)
    assert (await laptop.post(laptop.url("sign_out_others"), {})).status_code == 303
    quiet = await dana.get(dana.url("card"), headers={"HX-Request": "true"})
    assert "clear-site-data" not in quiet.headers
    page = await dana.get(dana.url("card"), headers={"sec-fetch-mode": "navigate"})
    assert "You were signed out on this phone" in text_of(page)
    assert "deleted" not in text_of(page)
    assert page.headers["clear-site-data"] == '"cache", "cookies", "storage"'


async def test_changing_the_card_email_still_asks_for_a_code_to_the_confirmed_address(
    new_phone, pool, app, mail
):
    """Whoever holds her unlocked phone can change the card's email with no proof: the address
    she confirmed still counts, the code goes there (not to the new one), and the page says
    which."""
    dana = await new_phone()
    await dana.make_card()
    await signed_in_by_email(new_phone, mail, app)  # dana@example.com confirmed
    await dana.make_card(email="someone-else@example.org")
    page = text_of(await dana.get(dana.url("delete_account")))
    assert (
        f"We will email a code to {DANA}, an address you confirmed for this account"
        " (your card no longer shows it)."
    ) in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403
    assert "Confirm it is you first" in text_of(typed)
    await dana.post(dana.url("delete_account_send_code"))
    code = await code_sent(app, mail, DELETE_SUBJECT, DANA)
    assert not [m for m in mail.received if "someone-else@example.org" in m.recipients]
    await confirm_by_code_with(dana, code)
    assert (await delete_for_good(dana)).status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0
    # Both addresses erased with the account: the confirmed one off the card too.
    assert await pool.fetchval("SELECT count(*) FROM email_addresses") == 0


async def test_the_card_s_confirmed_address_comes_first_unless_it_bounces(
    new_phone, pool, app, mail
):
    dana = await new_phone()
    await dana.make_card()
    await confirm_addresses(pool, DANA)
    await dana.make_card(email="dana@work.example.com")
    await confirm_addresses(pool, "dana@work.example.com")
    page = text_of(await dana.get(dana.url("delete_account")))
    assert (
        "We will email a code to dana@work.example.com, the confirmed address on your card."
    ) in page
    # The card's bounces: the code goes where she still reads mail.
    await pool.execute(
        "UPDATE email_addresses SET bounced_at = now() WHERE address = 'dana@work.example.com'"
    )
    page = " ".join(text_of(await dana.get(dana.url("delete_account"))).split())
    assert (
        "We will email a code to dana@example.com, an address you confirmed for this account"
    ) in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403
    # Every one bounces: no way of proof is left (she could never confirm a new address),
    # so typing "delete" confirms, and the page says why.
    await pool.execute("UPDATE email_addresses SET bounced_at = now()")
    page = " ".join(text_of(await dana.get(dana.url("delete_account"))).split())
    assert (
        "Our last email to dana@work.example.com, the address confirmed for your account,"
        " bounced and no passkey that confirms it's you"
    ) in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_retention_keeps_a_confirmed_address_the_card_no_longer_shows(
    new_phone, pool, app, mail
):
    """Retention deletes addresses no card has: not one confirmed for an account, which would
    leave typing "delete" as all it takes a few weeks after the card's email changed."""
    dana = await new_phone()
    await dana.make_card()
    await signed_in_by_email(new_phone, mail, app)
    await dana.make_card(email="")
    ancient = timedelta(days=3650)
    await pool.execute(
        "UPDATE email_addresses SET last_first_mail_at = now() - $1::interval", ancient
    )
    await pool.execute("DELETE FROM emails")  # as if their own retention had run
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    page = text_of(await dana.get(dana.url("delete_account")))
    assert f"We will email a code to {DANA}" in page
    assert (await delete_for_good(dana)).status_code == 403
