"""What the Tap page hands tap.js for its offline check of a guest (``Field.offline_check``):
the words are the ones the server refuses in, and the LinkedIn rule is the server's."""

from __future__ import annotations

import pytest

from server.cards import fields, web_links
from server.cards.fields import BY_NAME, Invalid, clean


@pytest.mark.parametrize(
    ("name", "raw", "word"),
    [
        ("email", "omar@gmail", "bad"),
        ("email", "ömar@example.com", "not_emailable"),
        ("phone", "1", "bad"),
        ("phone", "+44 20", "check_digits"),
        ("phone", "020", "add_country"),
        ("linkedin", "omar.haddad", "only"),
        ("linkedin", "https://example.com/in/omar", "only"),
    ],
)
def test_the_words_handed_over_are_the_server_s(name: str, raw: str, word: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean(BY_NAME[name], raw, "GB")
    assert str(refused.value) == BY_NAME[name].offline_check[word]


def test_only_the_fields_checked_offline_have_a_check() -> None:
    checked = {f.name for f in fields.FIELDS if f.offline_check}
    assert checked == {"email", "phone", "linkedin"}


@pytest.mark.parametrize(
    "host",
    ["linkedin.com", "www.linkedin.com", "de.linkedin.com", "notlinkedin.com",
     "linkedin.com.evil.example", "linkedin.co", "evil.example"],
)  # fmt: skip
def test_the_linkedin_site_handed_over_is_the_one_the_server_checks(host: str) -> None:
    """tap.js: the host is the site, or ends with "." and the site."""
    site = BY_NAME["linkedin"].offline_check["site"]
    offline = host == site or host.endswith("." + site)
    assert offline == web_links.is_linkedin(web_links.parse(f"https://{host}/in/omar"))


@pytest.mark.parametrize(
    ("raw", "username"),
    [("omar", True), ("@omar", True), ("omar.haddad", False),
     ("x/omar", False), ("a:b", False)],
)  # fmt: skip
def test_a_value_with_no_link_mark_is_a_username(raw: str, username: bool) -> None:
    """tap.js: a value with none of the marks is a username (a name with a space is refused:
    tests/cards/test_linkedin_handles.py)."""
    marks = BY_NAME["linkedin"].offline_check["link_marks"]
    assert (not any(mark in raw for mark in marks)) == username
    if username:
        assert clean(BY_NAME["linkedin"], raw, "GB").startswith("https://www.linkedin.com/in/")
    else:
        with pytest.raises(Invalid):
            clean(BY_NAME["linkedin"], raw, "GB")
