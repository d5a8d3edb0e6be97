"""Exports from Settings: every contact as vCard, a spreadsheet, everything about me as JSON.
Each parses with every field; a formula in a cell is neutralised; nothing of another person
or any secret is in them; without a card there is a readable 404."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import vobject

from server.export import csv_export
from tests.cards.test_photos import jpeg
from tests.phone import Phone, soup, text_of

ZOE = {
    # A formula as a name, as someone typing on a shared phone might leave it.
    "name": '=HYPERLINK("https://evil.example","Zoë") Łukasiewicz',
    "headline": "-2+3 Directrice artistique, prêt-à-porter",
    "company": "Café; Bar, and \\ Grill",
    "email": "zoe@example.com",
    "phone": "+33 6 12 34 56 78",
    "linkedin": "zoe",
    "website": "https://zoe.example.com/a,b;c",
    "looking_for": "",
    "can_help_with": "",
}
NOTE = "Knows two fashion recruiters.\nCall after the 10th; bring the portfolio."
EVE_NOTE = "Eve's private note about Dana"


@dataclass
class World:
    me: Phone
    dana: Phone
    zoe: Phone
    eve: Phone
    me_id: int
    dana_contact: int
    zoe_contact: int
    event_id: int


async def swap(visitor: Phone, sharer: Phone) -> None:
    response = await visitor.post(await sharer.share_link() + "/swap")
    assert response.status_code == 303, response.text


async def account_of(pool: asyncpg.Pool, name: str) -> int:
    return int(await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name))


async def make_world(new_phone, pool: asyncpg.Pool) -> World:
    """Mia (me) met Dana (with a photo) and Zoë (at Mia's event, noted, promised, in
    Kiritimati's evening, which is another day in UTC). Eve met Dana too, and noted her."""
    me = await new_phone()
    await me.make_card(name="Mia Chen", email="mia@example.com", headline="Growth marketer")
    dana = await new_phone()
    await dana.make_card()
    photo = await dana.post(
        dana.url("card_photo"), files={"photo": ("me.jpg", jpeg(400, 400), "image/jpeg")}
    )
    assert photo.status_code == 303
    zoe = await new_phone()
    await zoe.make_card(**ZOE)
    eve = await new_phone()
    await eve.make_card(name="Eve Intruder", email="eve@example.com")
    await swap(me, dana)
    await swap(me, zoe)
    await swap(eve, dana)

    me_id = await account_of(pool, "Mia Chen")
    dana_id, zoe_id = await account_of(pool, "Dana Lee"), await account_of(pool, ZOE["name"])
    eve_id = await account_of(pool, "Eve Intruder")
    contact = "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2"
    dana_contact = await pool.fetchval(contact, me_id, dana_id)
    zoe_contact = await pool.fetchval(contact, me_id, zoe_id)
    saved = await me.post(me.url("contact_note", contact_id=zoe_contact), {"note": NOTE})
    assert saved.status_code == 303
    promised = await me.post(
        me.url("contact_give_get", contact_id=zoe_contact),
        {"promised": "an intro to Dana", "they_asked": "=1+1 a look at my deck"},
    )
    assert promised.status_code == 303
    eve_contact = await pool.fetchval(contact, eve_id, dana_id)
    await eve.post(eve.url("contact_note", contact_id=eve_contact), {"note": EVE_NOTE})

    now = datetime.now(UTC)
    event_id = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, venue, starts_at, ends_at, time_zone, join_code)"
        " VALUES ($1, 'Lunch & Learn', 'Pier 27', $2, $3, 'UTC', 'ABC234') RETURNING id",
        me_id,
        now - timedelta(days=3),
        now - timedelta(days=3) + timedelta(hours=2),
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2), ($1, $3), ($1, $4)",
        event_id,
        me_id,
        dana_id,
        eve_id,
    )
    # 2 March 2026, 11:30 UTC: 3 March, 01:30 in Kiritimati (UTC+14), where Mia lives.
    await pool.execute(
        "UPDATE contacts SET event_id = $2, met_at = '2026-03-02 11:30+00' WHERE id = $1",
        zoe_contact,
        event_id,
    )
    await pool.execute("UPDATE accounts SET time_zone = 'Pacific/Kiritimati' WHERE id = $1", me_id)
    # Requests: Mia asked Eve (declined: still "sent" to Mia), Dana asked Mia (pending).
    await pool.execute(
        "INSERT INTO connect_requests (event_id, from_id, to_id, status, decided_at)"
        " VALUES ($1, $2, $3, 'declined', now()), ($1, $4, $2, 'pending', NULL)",
        event_id,
        me_id,
        eve_id,
        dana_id,
    )
    # Mia blocked someone; someone blocked Mia (which nobody is told).
    bo = await new_phone()
    await bo.make_card(name="Bo Blocked")
    al = await new_phone()
    await al.make_card(name="Al Blocker")
    await pool.execute(
        "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2), ($3, $1)",
        me_id,
        await account_of(pool, "Bo Blocked"),
        await account_of(pool, "Al Blocker"),
    )
    # A push device, a passkey, a sign-in code sent by email: each with its secrets.
    session_id = await pool.fetchval("SELECT id FROM sessions WHERE account_id = $1", me_id)
    await pool.execute(
        "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, device, session_id)"
        " VALUES ($1, 'https://fcm.googleapis.com/fcm/send/SECRET-ENDPOINT-123',"
        " 'SECRET-P256DH-KEY', 'SECRET-AUTH', 'Chrome on Android', $2)",
        me_id,
        session_id,
    )
    await pool.execute(
        "INSERT INTO passkeys (account_id, credential_id, public_key, name)"
        " VALUES ($1, '\\x0a0b0c'::bytea, '\\xdeadbeefcafe'::bytea, 'iPhone')",
        me_id,
    )
    await pool.execute(
        "INSERT INTO email_addresses (address) VALUES ('mia@example.com') ON CONFLICT DO NOTHING"
    )
    await pool.execute(
        "INSERT INTO emails (kind, account_id, to_address, code, status)"
        " VALUES ('code', $1, 'mia@example.com', '98765432', 'sent')",
        me_id,
    )
    return World(me, dana, zoe, eve, me_id, dana_contact, zoe_contact, event_id)


async def download(phone: Phone, name: str) -> httpx.Response:
    response = await phone.get(phone.url(name))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert_whole(response)
    return response


def assert_whole(response: httpx.Response) -> None:
    """The file came with its length, and all of it came: made whole before it was sent."""
    assert int(response.headers["content-length"]) == response.num_bytes_downloaded


def dated(response: httpx.Response, what: str, extension: str, zone_hours: int) -> None:
    today = (datetime.now(UTC) + timedelta(hours=zone_hours)).date().isoformat()
    assert response.headers["content-disposition"] == (
        f'attachment; filename="reachout-{what}-{today}.{extension}"'
    )


async def test_vcard_file_has_every_contact_with_the_save_contact_fields_and_a_note(
    new_phone, pool
):
    world = await make_world(new_phone, pool)
    response = await download(world.me, "export_vcards")
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    dated(response, "contacts", "vcf", 14)
    text = response.content.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    cards = {card.fn.value: card for card in vobject.readComponents(text)}
    assert set(cards) == {"Dana Lee", ZOE["name"]}
    dana = cards["Dana Lee"]
    assert dana.n.value.family == "Lee" and dana.n.value.given == "Dana"
    assert dana.org.value == ["Threadline"]
    assert dana.title.value == "Recruiter, fashion and apparel"
    assert dana.email.value == "dana@example.com"
    assert dana.tel.value == "+14155550134"
    assert [url.value.rstrip("/") for url in dana.contents["url"]] == [
        "https://www.linkedin.com/in/danalee",
        "https://danalee.example.com",
    ]
    assert dana.photo.value[:2] == b"\xff\xd8"  # her JPEG
    assert dana.note.value.startswith("Met on ")

    zoe = cards[ZOE["name"]]
    assert zoe.org.value == [ZOE["company"]]
    assert zoe.title.value == ZOE["headline"]
    assert zoe.tel.value == "+33612345678"
    assert "photo" not in zoe.contents
    # Where and when we met, on Mia's calendar (Kiritimati), then her note and promises.
    assert zoe.note.value == (
        "Met at Lunch & Learn on 3 Mar 2026 (swapped details on Reachout).\n"
        f"{NOTE}\nI promised them: an intro to Dana\nThey asked me for: =1+1 a look at my deck"
    )
    assert EVE_NOTE not in text


def parse_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.content.startswith(codecs.BOM_UTF8)
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == csv_export.HEADER
    return list(reader)


async def test_csv_has_a_header_importers_know_every_field_and_no_formula(new_phone, pool):
    world = await make_world(new_phone, pool)
    response = await download(world.me, "export_csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    dated(response, "contacts", "csv", 14)
    assert response.content.split(b"\r\n")[0] == (
        codecs.BOM_UTF8
        + b'"First Name","Last Name","Email","Phone","Company","Job Title","LinkedIn",'
        b'"Website","Website 2","Notes","Met At","Met On"'
    )
    zoe, dana = parse_csv(response)  # the earliest met first: Zoë in March
    assert zoe == {
        # The formula is text now; the accents are as typed.
        "First Name": '\'=HYPERLINK("https://evil.example","Zoë")',
        "Last Name": "Łukasiewicz",
        "Email": "zoe@example.com",
        "Phone": "+33612345678",  # a plain number stays one
        "Company": "Café; Bar, and \\ Grill",
        "Job Title": "'-2+3 Directrice artistique, prêt-à-porter",
        "LinkedIn": "https://www.linkedin.com/in/zoe",
        "Website": "https://zoe.example.com/a,b;c",
        "Website 2": "",
        "Notes": (
            "Met at Lunch & Learn on 3 Mar 2026 (swapped details on Reachout).\n"
            f"{NOTE}\nI promised them: an intro to Dana\n"
            "They asked me for: =1+1 a look at my deck"
        ),
        "Met At": "Lunch & Learn",
        "Met On": "2026-03-03",
    }
    assert dana["First Name"] == "Dana" and dana["Last Name"] == "Lee"
    assert dana["Phone"] == "+14155550134" and dana["Met At"] == ""
    assert EVE_NOTE not in response.content.decode("utf-8-sig")


def test_every_cell_a_spreadsheet_would_run_is_neutralised():
    for formula in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "+1 415 555 0134"):
        assert csv_export.neutralise(formula) == "'" + formula
    for plain in ("+14155550134", "Dana", "", "1+1", " =1", "'quoted"):
        assert csv_export.neutralise(plain) == plain


def keys_in(value: object) -> set[str]:
    """Every key of every object in a parsed JSON document."""
    if isinstance(value, dict):
        return set(value).union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value))
    return set()


EXPECTED_SECTIONS = {
    "format",
    "exported_at",
    "account",
    "card",
    "email",
    "confirmed_addresses",
    "reminders",
    "contacts",
    "events",
    "requests",
    "blocked",
    "devices",
    "sessions",
    "passkeys",
    "emails",
}


async def test_everything_json_has_every_section_and_no_secret(new_phone, pool):
    world = await make_world(new_phone, pool)
    response = await download(world.me, "export_everything")
    assert response.headers["content-type"] == "application/json"
    dated(response, "everything", "json", 14)
    data = json.loads(response.content)
    assert set(data) == EXPECTED_SECTIONS
    assert data["card"]["name"] == "Mia Chen" and data["card"]["photo"] is None
    assert data["account"]["time_zone"] == "Pacific/Kiritimati"
    assert data["email"]["address"] == "mia@example.com"
    assert data["reminders"] == {
        "when": "next_morning",
        "how": "automatic",
        "by_push_now": True,
        "by_email_now_to": None,
        "notes_on_lock_screen": False,
    }

    # No device with push: nothing goes by push now, whatever was chosen (Settings says so).
    await pool.execute("DELETE FROM push_subscriptions")
    # Her notes shown on the lock screen, chosen in Settings: said too.
    await pool.execute("UPDATE accounts SET notes_on_lock_screen = true")
    again = json.loads((await download(world.me, "export_everything")).content)
    assert again["reminders"]["by_push_now"] is False
    assert again["reminders"]["notes_on_lock_screen"] is True

    by_name = {c["card"]["name"]: c for c in data["contacts"]}
    assert set(by_name) == {"Dana Lee", ZOE["name"]}
    zoe = by_name[ZOE["name"]]
    assert zoe["card"] == {
        **ZOE,
        "phone": "+33612345678",
        "linkedin": "https://www.linkedin.com/in/zoe",
        "other_link": "",
    }
    assert zoe["note"] == NOTE and zoe["note_updated_at"]
    assert zoe["give_and_get"] == {
        "i_promised_them": "an intro to Dana",
        "they_asked_me_for": "=1+1 a look at my deck",
    }
    assert zoe["met_at"] == "2026-03-02T11:30:00+00:00"
    assert zoe["met_at_event"] == {"id": world.event_id, "name": "Lunch & Learn"}
    assert zoe["followup"]["status"] == "open" and zoe["followup"]["round"] == 0
    assert by_name["Dana Lee"]["met_at_event"] is None

    [organised] = data["events"]["organised"]
    assert organised["name"] == "Lunch & Learn" and organised["join_code"] == "ABC234"
    assert [e["name"] for e in data["events"]["attended"]] == ["Lunch & Learn"]
    [sent] = data["requests"]["sent"]
    assert (sent["name"], sent["status"]) == ("Eve Intruder", "sent")  # declining is silent
    [received] = data["requests"]["received"]
    assert (received["name"], received["status"]) == ("Dana Lee", "pending")
    assert [b["name"] for b in data["blocked"]] == ["Bo Blocked"]
    assert "Al Blocker" not in response.text
    [device] = data["devices"]
    assert device["device"] == "Chrome on Android"
    assert device["push_service"] == "fcm.googleapis.com"
    [session] = data["sessions"]
    assert session["this_device"] is True and session["signed_in_by"] == "card"
    assert [p["name"] for p in data["passkeys"]] == ["iPhone"]
    assert [(e["kind"], e["status"]) for e in data["emails"]] == [("code", "sent")]

    # No secret, whatever it is called.
    text = response.text
    token_hash = await pool.fetchval(
        "SELECT token_hash FROM sessions WHERE account_id = $1", world.me_id
    )
    cookie = next(c.value for c in world.me.client.cookies.jar if c.name == "ro_session")
    share_token = (await world.me.share_link()).rsplit("/", 1)[-1]
    for secret in (
        token_hash.hex(),
        cookie,
        share_token,
        "SECRET-ENDPOINT-123",
        "SECRET-P256DH-KEY",
        "SECRET-AUTH",
        "deadbeefcafe",
        "3q2+78r+",  # the passkey's public key in base64
        "98765432",
    ):
        assert secret not in text, secret
    forbidden = {"token_hash", "endpoint", "p256dh", "auth", "public_key", "credential_id", "code"}
    assert not forbidden & keys_in(data)
    assert EVE_NOTE not in text


async def test_nothing_of_another_person_is_in_my_exports(new_phone, pool):
    world = await make_world(new_phone, pool)
    for name in ("export_vcards", "export_csv"):
        # Unfolded: a vCard line may be folded anywhere.
        mine = (await download(world.me, name)).text.replace("\r\n ", "")
        theirs = (await download(world.eve, name)).text.replace("\r\n ", "")
        assert "Eve Intruder" not in mine and EVE_NOTE not in mine
        assert "Threadline" in theirs and EVE_NOTE in theirs  # Dana, with her note
        for mias in ("Mia Chen", "Łukasiewicz", "Lunch & Learn", "Knows two fashion"):
            assert mias not in theirs, (name, mias)

    mine = json.loads((await download(world.me, "export_everything")).content)
    assert all(c["note"] != EVE_NOTE for c in mine["contacts"])
    response = await download(world.eve, "export_everything")
    eve = json.loads(response.content)
    assert eve["card"]["name"] == "Eve Intruder"
    assert [(c["card"]["name"], c["note"]) for c in eve["contacts"]] == [("Dana Lee", EVE_NOTE)]
    assert eve["devices"] == [] and eve["passkeys"] == [] and eve["blocked"] == []
    assert eve["events"]["organised"] == [] and eve["requests"]["sent"] == []
    # Mia's request, with Eve's answer: her name only, as Eve declined (they are not
    # connected, so Mia's card as it is now is not Eve's to read).
    [asked] = eve["requests"]["received"]
    assert (asked["name"], asked["headline"], asked["company"], asked["status"]) == (
        "Mia Chen",
        "",
        "",
        "declined",
    )
    for mias in ("mia@example.com", "Łukasiewicz", "Knows two fashion", "Chrome on Android"):
        assert mias not in response.text, mias
    assert len(eve["sessions"]) == 1 and eve["sessions"][0]["this_device"] is True


async def test_a_contact_sharing_name_and_headline_only_exports_only_those(new_phone, pool):
    world = await make_world(new_phone, pool)
    zoe_id, me_id = await account_of(pool, ZOE["name"]), world.me_id
    zoes_mia = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", zoe_id, me_id
    )
    shared = await world.zoe.post(
        world.zoe.url("contact_sharing", contact_id=zoes_mia), {"sharing": "basics"}
    )
    assert shared.status_code == 303

    cards = {
        c.fn.value: c
        for c in vobject.readComponents((await download(world.me, "export_vcards")).text)
    }
    zoe_card = cards[ZOE["name"]]
    assert zoe_card.title.value == ZOE["headline"]
    assert not {"org", "email", "tel", "url"} & set(zoe_card.contents)
    rows = {r["Last Name"]: r for r in parse_csv(await download(world.me, "export_csv"))}
    zoe_row = rows["Łukasiewicz"]
    assert zoe_row["Job Title"] == "'" + ZOE["headline"]
    assert zoe_row["Email"] == zoe_row["Phone"] == zoe_row["Company"] == zoe_row["LinkedIn"] == ""
    everything = (await download(world.me, "export_everything")).text
    assert "zoe@example.com" not in everything and "33612345678" not in everything
    zoe = next(c for c in json.loads(everything)["contacts"] if c["card"]["name"] == ZOE["name"])
    assert zoe["card"] == {
        **dict.fromkeys(zoe["card"], ""),
        "name": ZOE["name"],
        "headline": ZOE["headline"],
    }
    assert zoe["they_see_of_me"] == "all"  # what Mia shares with Zoë: all of it
    [mia] = json.loads((await download(world.zoe, "export_everything")).content)["contacts"]
    assert mia["they_see_of_me"] == "basics"


async def test_without_a_card_each_export_is_a_readable_404(new_phone):
    stranger = await new_phone()
    for name in ("export_vcards", "export_csv", "export_everything"):
        response = await stranger.get(stranger.url(name))
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Save your card first" in text_of(response)


async def test_settings_offers_the_three_exports_by_name(new_phone):
    me = await new_phone()
    await me.make_card()
    page = soup(await me.get(me.url("settings")))
    section = page.select_one("#export-section")
    assert section is not None
    assert section.find("h2").get_text() == "Export my data"
    links = {a.get_text(): a["href"] for a in section.select("a")}
    assert links == {
        "Contacts for your phone (.vcf)": me.url("export_vcards"),
        "Contacts as a spreadsheet (.csv)": me.url("export_csv"),
        "Everything about me (.json)": me.url("export_everything"),
    }
    for a in section.select("a"):
        said = section.select_one(f"#{a['aria-describedby']}")
        assert said is not None and said.get_text().strip()
    # Right after the Email section.
    assert page.select_one("#email-section").find_next_sibling("section") is section


async def test_an_empty_list_exports_as_empty_files(new_phone):
    me = await new_phone()
    await me.make_card()
    assert (await download(me, "export_vcards")).content == b""
    assert parse_csv(await download(me, "export_csv")) == []
    assert json.loads((await download(me, "export_everything")).content)["contacts"] == []


MANY = 1_234


async def many_contacts(pool: asyncpg.Pool, owner_id: int, n: int = MANY) -> None:
    """``n`` people met by ``owner_id``, straight in SQL: more than a batch of each export."""
    ids = await pool.fetch(
        "INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, $1) RETURNING id",
        n,
    )
    await pool.execute(
        "INSERT INTO cards (account_id, name, email) SELECT id, 'Person ' || id,"
        " 'p' || id || '@example.com' FROM unnest($1::bigint[]) id",
        [r["id"] for r in ids],
    )
    await pool.execute(
        "INSERT INTO contacts (owner_id, contact_id, met_at, note)"
        " SELECT $1, id, now() - id * interval '1 minute', 'note ' || id"
        " FROM unnest($2::bigint[]) id",
        owner_id,
        [r["id"] for r in ids],
    )


async def test_more_contacts_than_a_batch_come_whole_and_in_order(new_phone, pool):
    me = await new_phone()
    await me.make_card(name="Mia Chen")
    await many_contacts(pool, await account_of(pool, "Mia Chen"))
    names = [
        r["name"]
        for r in await pool.fetch(
            "SELECT c.name FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
            " ORDER BY ct.met_at, ct.id"
        )
    ]
    cards = list(vobject.readComponents((await download(me, "export_vcards")).text))
    assert [card.fn.value for card in cards] == names
    rows = parse_csv(await download(me, "export_csv"))
    assert [f"{r['First Name']} {r['Last Name']}" for r in rows] == names
    data = json.loads((await download(me, "export_everything")).content)
    assert [c["card"]["name"] for c in data["contacts"]] == names
    assert len(set(re.findall(r"note \d+", json.dumps(data)))) == MANY


async def test_a_download_cut_short_gives_its_connection_back(app, new_phone, pool, made_files):
    me = await new_phone()
    await me.make_card(name="Mia Chen")
    await many_contacts(pool, await account_of(pool, "Mia Chen"))
    path = me.url("export_csv")
    scope = me.asgi_scope("GET", path, asgi={"version": "3.0", "spec_version": "2.4"})
    bodies = 0

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal bodies
        if message["type"] == "http.response.body":
            bodies += 1
            if bodies == 2:
                raise OSError("the phone went into a tunnel")

    try:
        await app(scope, receive, send)
    except Exception as error:
        assert "tunnel" in str(error) or type(error).__name__ == "ClientDisconnect"
    assert bodies == 2
    assert made_files.on_disk and made_files.all_closed()  # and its file is gone
    assert pool.get_size() == pool.get_idle_size()
    assert not await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'"
        " AND datname = current_database()"
    )


async def test_gzipped_for_a_browser_that_takes_it_the_same_file_either_way(new_phone, pool):
    world = await make_world(new_phone, pool)
    for name in ("export_csv", "export_everything"):
        gzipped = await world.me.get(world.me.url(name), headers={"accept-encoding": "gzip"})
        plain = await world.me.get(world.me.url(name), headers={"accept-encoding": "identity"})
        assert gzipped.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert gzipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
        # The length of what is sent: the gzipped bytes, when gzipped.
        assert_whole(gzipped)
        assert_whole(plain)
        assert int(gzipped.headers["content-length"]) < int(plain.headers["content-length"])
        if name == "export_csv":
            assert gzipped.content == plain.content  # httpx took the gzip off
    # Mostly photos: gzip would win a quarter back for four times the CPU.
    vcards = await world.me.get(world.me.url("export_vcards"), headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in vcards.headers
    assert_whole(vcards)
    assert vcards.content == (await download(world.me, "export_vcards")).content
