"""My contacts: newest first, search, private notes, and nobody else can read them."""

from __future__ import annotations

from typing import Any

import vobject

from tests.phone import soup, text_of


async def swap(visitor, sharer) -> None:
    link = await sharer.share_link()
    response = await visitor.post(link + "/swap")
    assert response.status_code == 303


async def test_contacts_newest_first_and_search(new_phone, pool):
    me = await new_phone()
    await me.make_card(name="Me Myself")
    for name, company in (("Ana Silva", "Loom"), ("Ben Ode", "Weave"), ("Cy Park", "Loom Labs")):
        other = await new_phone()
        await other.make_card(name=name, company=company)
        await swap(me, other)
    # Distinct times, later swaps newer, however fast the test ran.
    await pool.execute(
        "UPDATE contacts SET met_at = now() - interval '1 hour' + id * interval '1 min'"
    )

    page = soup(await me.get(me.url("contacts")))
    names = [el.get_text() for el in page.select(".people .name")]
    assert names == ["Cy Park", "Ben Ode", "Ana Silva"]

    found = await me.get(me.url("contacts"), params={"q": "loom"}, headers={"HX-Request": "true"})
    assert "<html" not in found.text
    assert [el.get_text() for el in soup(found).select(".name")] == ["Cy Park", "Ana Silva"]
    none = await me.get(me.url("contacts"), params={"q": "%_"})
    assert "Nobody matches" in text_of(none)


async def test_the_day_we_met_is_my_day_not_utcs(new_phone, pool):
    """Met at 23:30 UTC: already the next day in Berlin, still that day in New York."""
    me = await new_phone()
    await me.make_card(name="Me Myself")
    other = await new_phone()
    await other.make_card(name="Ana Silva")
    await swap(me, other)
    await pool.execute("UPDATE contacts SET met_at = '2026-12-04 23:30+00'")
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards k ON k.account_id = c.contact_id"
        " WHERE k.name = 'Ana Silva'"
    )
    said = {}
    for zone in ("Europe/Berlin", "America/New_York"):
        await pool.execute("UPDATE accounts SET time_zone = $1", zone)
        page = soup(await me.get(me.url("contact", contact_id=contact_id)))
        said[zone] = page.select_one("main time").get_text()
    assert said == {"Europe/Berlin": "5 Dec 2026", "America/New_York": "4 Dec 2026"}
    # "Save to phone" says the same day as the page (and as the exports).
    await pool.execute("UPDATE accounts SET time_zone = 'Europe/Berlin'")
    saved = await me.get(me.url("contact_vcard", contact_id=contact_id))
    assert "Met on 5 Dec 2026" in vobject.readOne(saved.text).note.value


async def with_one_contact(new_phone: Any, **card: str) -> Any:
    """My phone, having swapped with one person whose card is ``card``."""
    me = await new_phone()
    await me.make_card(name="Me Myself")
    other = await new_phone()
    await other.make_card(**card)
    await swap(me, other)
    return me


async def names_found(me: Any, typed: str) -> list[str]:
    """The names my contacts page lists for a search."""
    page = await me.get(me.url("contacts"), params={"q": typed})
    return [el.get_text() for el in soup(page).select(".people .name")]


async def test_contacts_search_matches_within_one_field_in_any_case(new_phone):
    me = await with_one_contact(new_phone, name="Åsa Öberg", headline="Designer", company="Loom")
    for typed, found in (("ÅSA", True), ("öberg", True), ("SIGN", True), ("berg designer", True)):
        assert await names_found(me, typed) == (["Åsa Öberg"] if found else []), typed


async def my_note_on_dana(new_phone: Any, pool: Any) -> tuple[Any, int, str]:
    """I swapped with Dana: my phone, my contact of her and where my note on her is saved."""
    me = await new_phone()
    await me.make_card(name="Me Myself")
    dana = await new_phone()
    await dana.make_card()
    await swap(me, dana)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    return me, contact_id, me.url("contact_note", contact_id=contact_id)


async def test_private_note_saved_and_only_mine(new_phone, pool):
    me, contact_id, note_url = await my_note_on_dana(new_phone, pool)
    saved = await me.post(note_url, {"note": "Knows <b>fashion</b> recruiters"}, htmx=True)
    assert saved.status_code == 200 and "Saved." in text_of(saved)
    page = await me.get(me.url("contact", contact_id=contact_id))
    assert "Knows &lt;b&gt;fashion&lt;/b&gt; recruiters" in page.text

    too_long = await me.post(note_url, {"note": "n" * 2001})
    assert too_long.status_code == 422
    assert "under 2000 characters" in text_of(too_long)
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", contact_id) == (
        "Knows <b>fashion</b> recruiters"
    )


async def test_a_note_saved_elsewhere_since_is_never_overwritten_unseen(new_phone, pool):
    """Two phones (or tabs, or a phone that kept its text offline) open the same note: the
    one that saves second is told what the other saved, and saves over it only when asked."""
    me, contact_id, note_url = await my_note_on_dana(new_phone, pool)

    def as_of(page: Any) -> str:
        return str(soup(page).select_one("#contact-note input[name=note_as_of]")["value"])

    opened = await me.get(me.url("contact", contact_id=contact_id))
    phone, laptop = as_of(opened), as_of(opened)
    assert phone == ""  # no note yet
    saved = await me.post(note_url, {"note": "From the laptop", "note_as_of": laptop}, htmx=True)
    assert saved.status_code == 200 and "Saved." in text_of(saved)

    late = await me.post(note_url, {"note": "From the phone", "note_as_of": phone}, htmx=True)
    assert late.status_code == 409 and "Saved." not in text_of(late)
    field = soup(late).select_one("#note")
    assert field.get_text() == "From the phone" and field["aria-invalid"] == "true"
    assert (
        "Not saved: this note was changed on another phone or tab since you opened it. "
        "It now says: “From the laptop”. Save again to replace it with yours."
    ) in text_of(late)
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", contact_id) == (
        "From the laptop"
    )
    # The form that came back carries the note's version now: saving again replaces it.
    again = await me.post(note_url, {"note": "From the phone", "note_as_of": as_of(late)})
    assert again.status_code == 303
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", contact_id) == (
        "From the phone"
    )
    # The same words sent twice (a lost answer, tried again) are no conflict.
    twice = await me.post(note_url, {"note": "From the phone", "note_as_of": phone}, htmx=True)
    assert twice.status_code == 200
    # A version that cannot be read counts as an old one; without the page full (no htmx).
    for bad in ("yesterday", "2026-13-45T99:00:00"):
        odd = await me.post(note_url, {"note": "Odd", "note_as_of": bad})
        assert odd.status_code == 409 and "It now says: “From the phone”" in text_of(odd)
        assert soup(odd).select_one("h1").get_text(strip=True) == "Dana Lee"
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", contact_id) == (
        "From the phone"
    )


async def test_give_and_get_saved_elsewhere_since_is_never_overwritten_unseen(new_phone, pool):
    me, contact_id, _ = await my_note_on_dana(new_phone, pool)
    url = me.url("contact_give_get", contact_id=contact_id)
    opened = soup(await me.get(me.url("contact", contact_id=contact_id)))
    shown = {
        name: opened.select_one(f"#give-get input[name={name}]")["value"]
        for name in ("promised_was", "they_asked_was")
    }
    assert shown == {"promised_was": "", "they_asked_was": ""}
    laptop = {"promised": "An intro to Sam", "they_asked": "", **shown}
    assert (await me.post(url, laptop, htmx=True)).status_code == 200
    phone = {"promised": "The deck", "they_asked": "A coffee", **shown}
    late = await me.post(url, phone, htmx=True)
    assert late.status_code == 409
    assert soup(late).select_one("[role=alert]").get_text() == (
        "Not saved: this was changed on another phone or tab since you opened it. It now says: "
        "I promised them “An intro to Sam”; they asked me for nothing. Save again to replace "
        "it with yours."
    )
    kept = soup(late)
    assert kept.select_one("#promised")["value"] == "The deck"
    assert kept.select_one("#they-asked")["value"] == "A coffee"
    row = await pool.fetchrow("SELECT promised, they_asked FROM contacts WHERE id = $1", contact_id)
    assert (row["promised"], row["they_asked"]) == ("An intro to Sam", "")
    # Saved again from what came back (it carries the words now saved): replaced.
    again = {
        "promised": "The deck",
        "they_asked": "A coffee",
        "promised_was": kept.select_one("input[name=promised_was]")["value"],
        "they_asked_was": kept.select_one("input[name=they_asked_was]")["value"],
    }
    assert (await me.post(url, again)).status_code == 303
    row = await pool.fetchrow("SELECT promised, they_asked FROM contacts WHERE id = $1", contact_id)
    assert (row["promised"], row["they_asked"]) == ("The deck", "A coffee")
    # Without the page's words (an older page, a client of its own): saved as before.
    assert (await me.post(url, {"promised": "Both", "they_asked": ""})).status_code == 303
    # The full page, for a browser with no JavaScript: the same refusal.
    full = await me.post(url, {"promised": "Old", "they_asked": "", **shown})
    assert full.status_code == 409 and "It now says: I promised them “Both”" in text_of(full)


async def test_another_account_can_never_read_my_contacts(new_phone, pool):
    me = await new_phone()
    await me.make_card(name="Me Myself")
    dana = await new_phone()
    await dana.make_card()
    await swap(me, dana)
    await me.post(me.url("contact_note", contact_id=1), {"note": "secret note"})
    intruder = await new_phone()
    await intruder.make_card(name="Eve Intruder")
    anonymous = await new_phone()
    ids = [row["id"] for row in await pool.fetch("SELECT id FROM contacts")] + [999]
    for phone in (intruder, anonymous):
        for contact_id in ids:
            for name in ("contact", "contact_vcard", "welcome"):
                response = await phone.get(phone.url(name, contact_id=contact_id))
                assert response.status_code == 404, (name, contact_id)
                assert "secret note" not in response.text
            response = await phone.post(
                phone.url("contact_note", contact_id=contact_id), {"note": "overwritten"}
            )
            assert response.status_code == 404
        listing = await phone.get(phone.url("contacts"))
        assert "Dana Lee" not in text_of(listing) and "Me Myself" not in text_of(listing)
    assert await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1") == "secret note"


async def test_contact_vcard_has_photo_and_where_we_met(new_phone, pool):
    from tests.cards.test_routes import jpeg_with_gps

    me = await new_phone()
    await me.make_card(name="Me Myself")
    dana = await new_phone()
    await dana.make_card()
    await dana.post(
        dana.url("card_photo"), files={"photo": ("d.jpg", jpeg_with_gps(), "image/jpeg")}
    )
    await swap(me, dana)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    await me.post(me.url("contact_note", contact_id=contact_id), {"note": "Intro to Sam; call"})
    response = await me.get(me.url("contact_vcard", contact_id=contact_id))
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    assert 'filename="Dana Lee.vcf"' in response.headers["content-disposition"]
    card = vobject.readOne(response.text)
    assert card.fn.value == "Dana Lee"
    assert card.title.value == "Recruiter, fashion and apparel"
    assert "Met on" in card.note.value and "Intro to Sam; call" in card.note.value
    assert card.photo.value[:2] == b"\xff\xd8"  # a JPEG, decoded from base64
    urls = sorted(url.value for url in card.contents["url"])
    assert urls == ["https://danalee.example.com/", "https://www.linkedin.com/in/danalee"]
    assert all(len(line.encode()) <= 75 for line in response.text.split("\r\n"))


async def test_contact_page_has_tap_to_act_links(new_phone, pool):
    me = await new_phone()
    await me.make_card(name="Me Myself")
    dana = await new_phone()
    await dana.make_card()
    await swap(me, dana)
    page = soup(await me.get(me.url("contact", contact_id=1)))
    hrefs = {a["href"] for a in page.select(".links a")}
    assert "mailto:dana@example.com" in hrefs
    assert "tel:+14155550134" in hrefs
    assert "https://www.linkedin.com/in/danalee" in hrefs


async def test_contacts_search_finds_names_with_or_without_their_accents(new_phone):
    me = await with_one_contact(
        new_phone, name="Zoë Ångström", headline="Café owner", company="Straße GmbH"
    )
    for typed in ("zoe", "ANGSTROM", "ngstr", "cafe", "strasse", "zoë", "Ångs"):
        assert await names_found(me, typed) == ["Zoë Ångström"], typed
    assert await names_found(me, "zoa") == []


async def test_contacts_search_takes_off_any_accent_vietnamese_and_pinyin_too(new_phone):
    me = await with_one_contact(
        new_phone, name="Nguyễn Thị Lǚ", headline="Kỹ sư", company="Đông Á Łódź"
    )
    for typed in ("nguyen", "NGUYEN THI", "lu", "ky su", "dong a", "lodz", "Nguyễn"):
        assert await names_found(me, typed) == ["Nguyễn Thị Lǚ"], typed


async def test_a_contact_with_no_headline_has_no_empty_line_in_the_list(new_phone):
    me = await with_one_contact(new_phone, name="Plain Person", headline="", company="")
    [row] = soup(await me.get(me.url("contacts"))).select("#contact-list li a")
    assert row.select(".muted.small:empty") == [], "an empty headline line"
    assert len(row.select("br")) == 1  # the name, then when we met
