"""Share links and swaps: with someone who has a card, and with someone who has nothing."""

from __future__ import annotations

import asyncio
import base64
import struct
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import vobject

from server.cards import share_tokens
from tests.conftest import TEST_SECRET
from tests.phone import soup, text_of


async def test_visitor_without_account_leaves_details_and_both_are_connected(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()

    visitor = await new_phone()
    page = await visitor.get(link)
    assert page.status_code == 200
    assert "Dana Lee" in text_of(page)
    assert "Save contact" in text_of(page)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "a page view creates nothing"

    response = await visitor.post(
        link + "/details", {"name": "Mia Chen", "email": "mia@example.com"}
    )
    assert response.status_code == 303
    welcome = await visitor.get(response.headers["location"])
    assert "Done! Dana Lee has your details, and you have theirs." in text_of(welcome)
    assert soup(welcome).find("a", string="Save Dana Lee to my phone") is not None

    dana_contacts = text_of(await dana.get(dana.url("contacts")))
    mia_contacts = text_of(await visitor.get(visitor.url("contacts")))
    assert "Mia Chen" in dana_contacts
    assert "Dana Lee" in mia_contacts


async def test_visitor_with_a_card_swaps_in_one_tap_and_twice_is_still_one(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")

    page = await mia.get(link)
    assert soup(page).find("button", string="Swap details") is not None

    first, second = await asyncio.gather(mia.post(link + "/swap"), mia.post(link + "/swap"))
    assert first.status_code == second.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2  # one row for each side
    again = await mia.post(link + "/swap")
    assert again.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2


async def test_public_vcard_parses_as_vcard_3(new_phone):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee-Ortiz, Jr.", company="Thread; Line")
    link = await dana.share_link()
    visitor = await new_phone()
    response = await visitor.get(link + "/vcard")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/vcard")
    assert "attachment" in response.headers["content-disposition"]
    card = vobject.readOne(response.text)
    assert card.version.value == "3.0"
    assert card.fn.value == "Dana Lee-Ortiz, Jr."
    assert card.org.value == ["Thread; Line"]
    assert card.email.value == "dana@example.com"
    assert card.tel.value == "+14155550134"


async def test_bad_tokens_get_friendly_pages(new_phone, app, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()

    unknown = await visitor.get("/c/not-a-real-code")
    assert unknown.status_code == 404
    assert "don't recognise this code" in text_of(unknown)

    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await visitor.get(f"/c/{tampered}")).status_code == 404

    past = datetime.now(UTC) - timedelta(days=2)
    share_id = await pool.fetchval("SELECT share_id FROM cards WHERE name = 'Dana Lee'")
    expired = share_tokens.issue(TEST_SECRET, share_id, 0, past, timedelta(hours=24))
    response = await visitor.get(f"/c/{expired}")
    assert response.status_code == 410
    # Said for a link sent by message as for a code scanned, and naming nobody.
    said = text_of(response)
    assert "This link has expired. Ask them to show their QR code again or send a new link." in said
    assert "Dana" not in said

    await dana.post(dana.url("share_reset"))
    replaced = await visitor.get(link)
    assert replaced.status_code == 410
    assert "replaced by a newer one" in text_of(replaced)
    fresh = await dana.share_link()
    assert fresh != link
    assert (await visitor.get(fresh)).status_code == 200


async def test_swapping_with_yourself_is_refused_politely(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    page = await dana.get(link)
    assert "This is your own card" in text_of(page)
    response = await dana.post(link + "/swap")
    assert response.status_code == 400
    assert "your own card" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


async def test_leave_details_needs_a_name_and_a_way_to_reach(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    cases = [
        ({"name": "", "email": "mia@example.com"}, "Please enter your name."),
        ({"name": "Mia Chen"}, "Add an email, a phone number or a LinkedIn profile"),
        ({"name": "Mia Chen", "email": "mia@"}, "email address does not look right"),
        ({"name": "Mia Chen", "linkedin": "javascript:alert(1)"}, "Only web links"),
        ({"name": "M" * 101, "email": "mia@example.com"}, "under 100 characters"),
    ]
    for data, message in cases:
        response = await visitor.post(link + "/details", data)
        assert response.status_code == 422, data
        assert message in text_of(response)
        fragment = await visitor.post(link + "/details", data, htmx=True)
        assert fragment.status_code == 422 and "<html" not in fragment.text
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert "ro_session" not in visitor.client.cookies


async def test_leave_details_escapes_hostile_input(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    name = "<script>alert(1)</script>"
    response = await visitor.post(link + "/details", {"name": name, "phone": "+14155550100"})
    assert response.status_code == 303
    listing = await dana.get(dana.url("contacts"))
    assert "<script>alert(1)" not in listing.text
    assert name in text_of(listing)


async def test_anonymous_swap_is_refused_and_creates_nothing(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    response = await visitor.post(link + "/swap")
    assert response.status_code == 403
    assert "Leave your details" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_link_previews_and_crawlers_create_nothing(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    for agent in ("facebookexternalhit/1.1", "WhatsApp/2.23", "Slackbot-LinkExpanding 1.0"):
        bot = await new_phone(**{"user-agent": agent})
        for url in (link, link + "/vcard"):
            response = await bot.get(url)
            assert response.status_code == 200
            assert "ro_session" not in response.headers.get("set-cookie", "")
        assert (await bot.get(link)).headers["x-robots-tag"] == "noindex, nofollow"
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1


async def test_ask_for_details_first_hides_contact_details_until_swapped(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("share_ask_first"), {"ask_details_first": "on"})
    link = await dana.share_link()

    visitor = await new_phone()
    page = await visitor.get(link)
    words = text_of(page)
    assert "Dana Lee" in words and "Recruiter, fashion and apparel" in words
    for private in ("dana@example.com", "555", "linkedin.com", "Threadline", "Online marketers"):
        assert private not in page.text
    assert soup(page).find("a", string="Save contact") is None
    assert (await visitor.get(link + "/vcard")).status_code == 403

    response = await visitor.post(link + "/details", {"name": "Mia", "email": "mia@example.com"})
    assert response.status_code == 303
    welcome = await visitor.get(response.headers["location"])
    assert "dana@example.com" not in welcome.text, "not until Dana accepts"
    after = await visitor.get(link)
    assert "once they accept" in text_of(after)
    assert (await visitor.get(link + "/vcard")).status_code == 403

    await dana.post(dana.url("share_ask_first"), {})
    assert await pool.fetchval("SELECT ask_details_first FROM cards WHERE account_id = 1") is False


async def test_share_page_shows_qr_of_base_url_link(new_phone, app):
    dana = await new_phone()
    await dana.make_card()
    page = soup(await dana.get(dana.url("share")))
    link = page.select_one("#share-link")["value"]
    assert link.startswith(app.state.settings.base_url + "/c/")
    token = link.rsplit("/", 1)[1]
    assert len(token) == share_tokens.TOKEN_LENGTH
    svg = page.select_one("#qr svg")
    assert svg is not None and svg.get("viewbox")
    assert "QR code" in svg.get_text()


async def test_share_codes_expire_after_the_configured_time(settings):
    now = datetime.now(UTC)
    token = share_tokens.issue(TEST_SECRET, 7, 3, now, timedelta(hours=2))
    assert share_tokens.decode(TEST_SECRET, token, now).status is share_tokens.Status.VALID
    later = share_tokens.decode(TEST_SECRET, token, now + timedelta(hours=2, seconds=1))
    assert later.status is share_tokens.Status.EXPIRED
    assert share_tokens.decode("another-secret" * 4, token, now).status is (
        share_tokens.Status.MALFORMED
    )
    assert settings.share_token_ttl == timedelta(hours=24)


async def test_two_tabs_leaving_details_at_once_connect_once(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen")
    responses = await asyncio.gather(*(mia.post(link + "/swap") for _ in range(8)))
    assert {r.status_code for r in responses} == {303}
    rows = await pool.fetch("SELECT owner_id, contact_id FROM contacts ORDER BY owner_id")
    assert [tuple(r) for r in rows] == [(1, 2), (2, 1)]


async def test_the_code_on_my_phone_lasts_the_day_or_until_my_event_is_over(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()

    def expiry(link: str) -> datetime:
        token = link.rsplit("/", 1)[-1]
        raw = base64.urlsafe_b64decode(token + "==")
        return datetime.fromtimestamp(struct.unpack(">QII", raw[:16])[2], UTC)

    now = datetime.now(UTC)
    plain = expiry(await dana.share_link())
    assert timedelta(hours=24) <= plain - now <= timedelta(hours=48)
    zone = await pool.fetchval("SELECT time_zone FROM accounts")
    local = plain.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0), "a midnight, in my time zone"
    assert await dana.share_link() == await dana.share_link(), "the same code all day"
    # Said as the last day it works, not as the next day's 00:00 (a day that looks too late).
    last_day = (local - timedelta(days=1)).strftime("%a %-d %b")
    said = soup(await dana.get(dana.url("share"))).find("time").get_text()
    assert said == f"the end of {last_day}"

    account = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    ends = now + timedelta(days=3)
    event = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, 'Three-day summit', 'SVMMXT', $2, $3, 'UTC') RETURNING id""",
        account,
        now - timedelta(hours=1),
        ends,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)", event, account
    )
    at_event = expiry(await dana.share_link())
    assert abs(at_event - (ends + timedelta(hours=2))) < timedelta(seconds=5)
    said = soup(await dana.get(dana.url("share"))).find("time").get_text()
    assert said == at_event.astimezone(ZoneInfo(zone)).strftime("%a %-d %b, %H:%M")
