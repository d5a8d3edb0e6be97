"""A name typed into the LinkedIn field ("Dana Lee") is refused in words, not made into a link
to a profile nobody has; every username and LinkedIn link that was kept is kept as before.
The rule is one pattern, read alike by the server and by tap.js (Chromium's ``RegExp``)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from playwright.async_api import async_playwright

from server.cards import fields
from server.cards.fields import BY_NAME, Invalid, clean
from tests.phone import DEFAULT_CARD, soup

LINKEDIN = BY_NAME["linkedin"]


def said_of(page: BeautifulSoup, name: str) -> str:
    """The error the form says of one field, found as a screen reader finds it."""
    field = page.select_one(f'[name="{name}"]')
    assert field is not None and field.get("aria-invalid") == "true"
    said = [page.find(id=i) for i in str(field.get("aria-describedby", "")).split()]
    errors = [tag.get_text(strip=True) for tag in said if tag and "error" in tag.get("class", [])]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    "raw",
    ["Dana Lee", "Dana  Lee", "dana lee", "Мия Чен", "dana?x=1", "dana#x", "dana_lee",
     "dana!", "da", "@da", "dana\u200b", "dana\u00adlee", "a" * 101],
)  # fmt: skip
def test_what_cannot_be_a_username_is_refused_in_words(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean(LINKEDIN, raw, "US")
    assert str(refused.value) == fields.NOT_LINKEDIN_USERNAME
    assert "Paste your profile link (linkedin.com/in/…) or your username." in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("danalee", "https://www.linkedin.com/in/danalee"),
        ("@danalee", "https://www.linkedin.com/in/danalee"),
        ("  dana-lee-12345678 ", "https://www.linkedin.com/in/dana-lee-12345678"),
        ("zoe", "https://www.linkedin.com/in/zoe"),
        ("a" * 100, "https://www.linkedin.com/in/" + "a" * 100),
        ("dana-müller", "https://www.linkedin.com/in/dana-m%C3%BCller"),
        ("мия", "https://www.linkedin.com/in/%D0%BC%D0%B8%D1%8F"),
        ("linkedin.com/in/danalee", "https://linkedin.com/in/danalee"),
        ("www.linkedin.com/in/danalee/", "https://www.linkedin.com/in/danalee/"),
        ("https://www.linkedin.com/in/danalee", "https://www.linkedin.com/in/danalee"),
        ("http://linkedin.com/in/dana_lee", "http://linkedin.com/in/dana_lee"),
        ("https://uk.linkedin.com/in/dana", "https://uk.linkedin.com/in/dana"),
        ("de.linkedin.com/in/dana?trk=x", "https://de.linkedin.com/in/dana?trk=x"),
        ("linkedin.com/company/acme", "https://linkedin.com/company/acme"),
        ("https://www.linkedin.com/in/dana-müller", "https://www.linkedin.com/in/dana-m%C3%BCller"),
    ],
)
def test_usernames_and_linkedin_links_are_kept_as_before(raw: str, stored: str) -> None:
    assert clean(LINKEDIN, raw, "US") == stored


async def test_a_name_saved_as_linkedin_shows_the_words_and_stores_nothing(new_phone, pool):
    dana = await new_phone()
    response = await dana.post(dana.url("card_save"), {**DEFAULT_CARD, "linkedin": "Dana Lee"})
    assert response.status_code == 422
    assert said_of(soup(response), "linkedin") == fields.NOT_LINKEDIN_USERNAME
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0


def test_the_tap_page_is_handed_the_pattern_and_the_words() -> None:
    check = LINKEDIN.offline_check
    assert check["username"] == fields.LINKEDIN_USERNAME
    assert check["not_username"] == fields.NOT_LINKEDIN_USERNAME


SAMPLES = [
    "dana", "@danalee", "@@dana", "Dana Lee", "da", "abc", "a" * 100, "a" * 101, "dana-müller",
    "мия", "Мия Чен", "dana_lee", "dana?x=1", "dana\u200b", "dana\u00a0lee", "dana\ufefflee",
    "dana\u3000lee", "dana\u00adlee", "数据科学家", "dana😀", "d😀a", "ab😀", "-", "---",
    "dana\u2060", "dana\u202e", "x\u180ey",
]  # fmt: skip


async def test_chromium_reads_the_pattern_as_the_server_does() -> None:
    """tap.js builds ``new RegExp("^(?:" + pattern + ")$", "u")`` from what it is handed."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        try:
            page = await chromium.new_page()
            offline = await page.evaluate(
                """([pattern, samples]) => samples.map(
                    (s) => new RegExp("^(?:" + pattern + ")$", "u").test(s))""",
                [LINKEDIN.offline_check["username"], SAMPLES],
            )
        finally:
            await chromium.close()
    server = []
    for sample in SAMPLES:
        try:
            server.append(clean(LINKEDIN, sample, "US").startswith("https://www.linkedin.com/in/"))
        except Invalid:
            server.append(False)
    assert dict(zip(SAMPLES, offline, strict=True)) == dict(zip(SAMPLES, server, strict=True))
