"""The "You met" email opens with how the details got there: Lou, whose details Dana typed on
her phone (Tap, "Someone without the app"), never left them on her card, and was told he had,
then a few lines on that Dana typed them. Mia, who left hers from her own phone, is told so."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.mailing import leaves_details, sent_once
from tests.signin.test_guests import dana_types_lou


def both_parts(sent) -> dict[str, str]:
    """The plain and HTML parts as read, white space made single spaces."""
    said = {}
    for part in ("plain", "html"):
        content = sent.message.get_body((part,)).get_content()
        if part == "html":
            content = BeautifulSoup(content, "html.parser").get_text()
        said[part] = " ".join(content.split())
    return said


async def test_you_met_to_a_typed_guest_opens_with_dana_typing_them(new_phone, mail, app):
    await dana_types_lou(new_phone)
    sent = await sent_once(app, mail)
    assert sent.recipients == ("lou@example.com",)
    for part, said in both_parts(sent).items():
        assert "left your details" not in said, part
        opening = "Hi Lou, Dana Lee typed your details into Reachout on their phone."
        assert opening in said, part
        # Said once, where it opens; what follows is how to keep the card or delete it.
        assert said.count("typed your details") == 1, part
        assert "to keep it as yours, or to delete it" in said, part


async def test_you_met_to_someone_who_left_their_details_opens_with_that(new_phone, mail, app):
    await leaves_details(new_phone, email="mia@example.com")
    sent = await sent_once(app, mail)
    for part, said in both_parts(sent).items():
        assert "left your details on Dana Lee's card." in said, part
        assert said.index("left your details") < said.index("Here is their card"), part
        assert "typed your details" not in said, part
