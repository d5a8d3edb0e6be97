"""Card links as attacks: each one names one site and would open another in a browser.

Every link here is refused with a message the person can act on, and the card keeps what it
had; good links (unicode paths, query strings, internationalised names) are stored as a
browser serialises them. ``tests/browser/test_web_links.py`` checks the same rules against
Chromium's own URL parser.
"""

from __future__ import annotations

import pytest

from server.cards import web_links
from server.cards.fields import BY_NAME, Invalid, clean
from tests.phone import soup, text_of

# (what the attacker types, what the refusal says)
ATTACKS = [
    # Python's urlsplit says linkedin.com; a browser reads "\" as "/" and opens evil.example.
    ("https://evil.example\\@www.linkedin.com/in/dana", "browsers read differently"),
    ("https://evil.example\\.linkedin.com/in/dana", "browsers read differently"),
    ("https://www.linkedin.com@evil.example/in/dana", "user name or password"),
    ("https://dana:pw@www.linkedin.com/in/dana", "user name or password"),
    ("https://evil.example%2f@www.linkedin.com/", "user name or password"),
    # Browsers drop tabs and newlines from anywhere in a URL; Python keeps them.
    ("https://evil.example\t@www.linkedin.com/", "browsers read differently"),
    ("https://www.linked\nin.com.evil.example/", "browsers read differently"),
    # Right-to-left override and zero-width space: shows one thing, is another.
    ("https://www.linkedin.com\u202e/moc.elpmaxe.live", "browsers read differently"),
    ("https://www.linkedin\u200b.com/in/dana", "browsers read differently"),
    # Percent-encoded hosts are decoded by a browser before it looks them up.
    ("https://%65vil.example/", "not allowed"),
    ("https://www.linkedin.com%2eevil.example/", "not allowed"),
    # Hosts a browser reads as IP addresses, and no host at all.
    ("https://0x7f.1/", "does not look like a web address"),
    ("https://127.1/", "does not look like a web address"),
    ("https://[::1]/", "not allowed"),
    ("https:///evil.example/", "does not look like a web address"),
    ("https:evil.example", "Only web links"),
    ("localhost:8000/", "does not look like a web address"),
    ("https://evil..example/", "does not look like a web address"),
    ("https://evil.example:99999/", "does not look like a web address"),
    ("https://ev!l.example/", "not allowed"),
    ("https://xn--zz.example/", "not allowed"),
    # Other schemes, however they are spelled.
    ("javascript:alert(1)", "Only web links"),
    ("JaVaScRiPt://%0aalert(1)", "Only web links"),
    ("data:text/html,<script>alert(1)</script>", "Only web links"),
    ("vbscript:msgbox(1)", "Only web links"),
    ("file:///etc/passwd", "Only web links"),
    ("ftp://files.example.com/", "Only web links"),
    # Legal as typed, but over the column's limit once every character is percent-encoded.
    ("https://example.com/" + "\u00e9" * 90, "too long"),
]


@pytest.mark.parametrize(("raw", "message"), ATTACKS)
@pytest.mark.parametrize("field", ["website", "other_link", "linkedin"])
def test_links_a_browser_reads_differently_are_refused(field, raw, message):
    with pytest.raises(Invalid, match=message):
        clean(BY_NAME[field], raw, "US")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
        ("HTTP://Example.COM:80/A", "http://example.com/A"),
        ("https://example.com:443", "https://example.com/"),
        ("example.com:8080/path", "https://example.com:8080/path"),
        ("https://bücher.example/straße?q=ä", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"),
        ("https://münchen.example", "https://xn--mnchen-3ya.example/"),
        (
            "https://\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\u3002com/ok",
            "https://example.com/ok",
        ),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com./x", "https://example.com/x"),
        ("https://example.com/?q='x'&r=\"y\"", "https://example.com/?q=%27x%27&r=%22y%22"),
        ("https://example.com/%E2%9C%93?%zz", "https://example.com/%E2%9C%93?%zz"),
        ("https://example.com/a@b?c=d@e", "https://example.com/a@b?c=d@e"),
        ("https://my_site.example/", "https://my_site.example/"),
    ],
)
def test_good_links_are_stored_as_a_browser_writes_them(raw, stored):
    assert clean(BY_NAME["website"], raw, "US") == stored
    # Stored links read back unchanged: showing them later re-checks them.
    assert web_links.normalise(stored) == stored


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://www.linkedin.com/in/dana-müller", "https://www.linkedin.com/in/dana-m%C3%BCller"),
        ("HTTPS://WWW.LINKEDIN.COM./in/dana", "https://www.linkedin.com/in/dana"),
        (
            "https://\uff4c\uff49\uff4e\uff4b\uff45\uff44\uff49\uff4e\uff0ecom/in/dana",
            "https://linkedin.com/in/dana",
        ),
        ("de.linkedin.com/in/dana?trk=x", "https://de.linkedin.com/in/dana?trk=x"),
        ("dana-müller", "https://www.linkedin.com/in/dana-m%C3%BCller"),
    ],
)
def test_linkedin_links_are_checked_on_the_host_a_browser_opens(raw, stored):
    assert clean(BY_NAME["linkedin"], raw, "US") == stored


@pytest.mark.parametrize(
    "raw",
    [
        "https://www.linkedin.com.evil.example/in/dana",
        "https://evil.example/www.linkedin.com/in/dana",
        "https://evil.example/?u=https://www.linkedin.com/",
        "https://evil.example#@www.linkedin.com/in/dana",
        "https://wwwlinkedin.com/in/dana",
        "https://xn--linkedn-v8a.com/in/dana",  # linked-dotless-i-n.com (U+0131)
    ],
)
def test_linkedin_refuses_look_alike_hosts(raw):
    with pytest.raises(Invalid, match=r"linkedin\.com link"):
        clean(BY_NAME["linkedin"], raw, "US")


async def test_saving_an_attack_link_shows_the_error_and_keeps_the_card(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    before = dict(await pool.fetchrow("SELECT * FROM cards"))
    for field in ("linkedin", "website", "other_link"):
        response = await dana.post(
            dana.url("card_save"),
            {**before, field: "https://evil.example\\@www.linkedin.com/in/dana"},
        )
        assert response.status_code == 422
        error = soup(response).select_one(f"#err-{field}")
        assert error is not None, response.text
        assert "browsers read differently" in error.get_text()
    assert dict(await pool.fetchrow("SELECT * FROM cards")) == before


async def test_inline_check_says_why_a_link_is_refused(new_phone):
    dana = await new_phone()
    response = await dana.post(
        dana.url("card_check", field="linkedin"),
        {"linkedin": "https://www.linkedin.com@evil.example/in/dana"},
        htmx=True,
    )
    assert response.status_code == 422
    assert "user name or password" in text_of(response)


BAD_STORED = "https://evil.example\\@www.linkedin.com/in/dana"


async def _swapped_with_bad_links(new_phone, pool):
    """Mia's card holds links saved before these rules; Dana swapped with her."""
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="", phone="")
    await pool.execute(
        "UPDATE cards SET linkedin = $1, website = $2, other_link = $3",
        BAD_STORED,
        "https://evil.example\\@danalee.example.com/",
        "javascript:alert(1)",
    )
    link = await mia.share_link()
    dana = await new_phone()
    await dana.make_card()
    await dana.post(link + "/swap")
    contact_id = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = (SELECT account_id FROM cards"
        " WHERE name = 'Dana Lee')"
    )
    return dana, mia, link, contact_id


async def test_a_bad_stored_link_is_never_an_href(new_phone, pool):
    dana, mia, link, contact_id = await _swapped_with_bad_links(new_phone, pool)
    pages = [
        await dana.get(dana.url("contact", contact_id=contact_id)),
        await dana.get(link),
        await mia.get(mia.url("card")),
    ]
    for page in pages:
        assert page.status_code == 200
        hrefs = [a["href"] for a in soup(page).select("a[href]")]
        assert not [href for href in hrefs if "evil" in href or "javascript" in href], hrefs
        assert "Open LinkedIn" not in text_of(page)
    vcard = await dana.get(link + "/vcard")
    assert "evil" not in vcard.text and "javascript" not in vcard.text


async def test_reach_out_refuses_to_redirect_to_a_bad_stored_link(new_phone, pool):
    dana, _, _, contact_id = await _swapped_with_bad_links(new_phone, pool)
    # The button was there before the rules changed; the page was left open.
    status, headers = await dana.post_raw(
        dana.url("reach_out", contact_id=contact_id), {"via": "linkedin"}
    )
    assert status == 400
    assert "location" not in headers
    htmx = await dana.post(
        dana.url("reach_out", contact_id=contact_id), {"via": "linkedin"}, htmx=True
    )
    assert htmx.status_code == 400
    assert "evil" not in htmx.headers.get("hx-trigger-after-settle", "")
    assert await pool.fetchval(
        "SELECT status FROM followups WHERE contact_id = $1", contact_id
    ) == ("open")
