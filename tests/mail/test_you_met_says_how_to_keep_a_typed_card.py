"""Dana typed Lou's details on the Tap screen: the "You met" email he gets says so, and that
signing in with his address keeps that card as his or deletes it (else retention deletes it,
with Dana's note, a year on, and he never knew it was there)."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from tests.mailing import leaves_details, sent_once
from tests.signin.test_guests import dana_types_lou


async def test_you_met_to_a_typed_guest_says_how_to_keep_or_delete_the_card(new_phone, mail, app):
    await dana_types_lou(new_phone)
    sent = await sent_once(app, mail)
    assert sent.recipients == ("lou@example.com",)
    for part in ("plain", "html"):
        content = sent.message.get_body((part,)).get_content()
        if part == "html":
            content = BeautifulSoup(content, "html.parser").get_text()
        said = " ".join(content.split())
        assert "Dana Lee typed your details into Reachout on their phone" in said, part
        assert "to keep it as yours, or to delete it" in said, part
        assert "Sign in to Reachout with lou@example.com" in said, part
    text = sent.message.get_body(("plain",)).get_content()
    [link] = [w for w in text.split() if urlsplit(w).path == "/sign-in"]
    # The link opens the sign-in page, whose email code offers the card (tests/signin).
    lou = await new_phone()
    page = await lou.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert page.status_code == 200
    assert "email" in page.text.lower()


async def test_you_met_to_someone_who_left_their_own_details_says_nothing_of_a_typed_card(
    new_phone, mail, app
):
    """Mia left her details on Dana's card from her own phone: her card is there already,
    signed in, and a line asking whether Dana typed them would only puzzle her."""
    await leaves_details(new_phone, email="mia@example.com")
    sent = await sent_once(app, mail)
    assert sent.recipients == ("mia@example.com",)
    for part in ("plain", "html"):
        content = sent.message.get_body((part,)).get_content()
        if part == "html":
            content = BeautifulSoup(content, "html.parser").get_text()
        said = " ".join(content.split())
        assert "Dana Lee" in said, part
        assert "typed your details" not in said and "to delete it" not in said, part
