"""NFC tags: written once with a link that lasts until the owner makes a new code.

The share link on /share expires within a day or two (the QR on a screen is shown again);
a tag on a badge is not rewritten every morning, so it gets a token of the same kind
with no expiry, which "Make a new code" ends like every other code of the card.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.cards import share_tokens
from server.cards.share_tokens import Status
from tests.conftest import TEST_SECRET
from tests.phone import soup, text_of

KEY = "a-secret-key-for-share-tokens-" + "x" * 20


def test_a_tag_token_is_a_share_token_that_does_not_expire():
    token = share_tokens.issue_for_tag(KEY, 42, 3)
    assert len(token) == share_tokens.TOKEN_LENGTH
    for later in (timedelta(0), timedelta(days=3), timedelta(days=3650)):
        decoded = share_tokens.decode(KEY, token, datetime.now(UTC) + later)
        assert decoded == share_tokens.Decoded(Status.VALID, 42, 3)
    assert share_tokens.decode(KEY + "!", token, datetime.now(UTC)).status is Status.MALFORMED


async def tag_link(phone) -> str:
    page = await phone.get(phone.url("share"))
    button = soup(page).find("button", string="Write my card to an NFC tag")
    return str(button["data-nfc-write"]).removeprefix("http://testserver")


async def test_the_tag_link_outlives_the_share_link_until_a_new_code(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    tag = await tag_link(dana)
    share = await dana.share_link()
    assert tag != share and tag.startswith("/c/")

    # Three days on, the share link of that day has expired; the tag still opens the card.
    share_id = await pool.fetchval("SELECT share_id FROM cards")
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    old_share = share_tokens.issue(TEST_SECRET, share_id, 0, three_days_ago, timedelta(days=2))
    visitor = await new_phone()
    expired = await visitor.get(visitor.url("public_card", token=old_share))
    assert expired.status_code == 410 and "expired" in text_of(expired)
    opened = await visitor.get(tag)
    assert opened.status_code == 200
    assert "Dana Lee" in text_of(opened)
    assert (await dana.get(dana.url("share"))).status_code == 200
    assert await tag_link(dana) == tag, "the same tag link every day: no rewrite needed"

    # A swap through the tag works like one through the QR.
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    assert (await mia.post(tag + "/swap")).status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2

    # "Make a new code": the tag stops, like every older code, and the page says so.
    await dana.post(dana.url("share_reset"))
    stopped = await visitor.get(tag)
    assert stopped.status_code == 410
    assert "replaced by a newer one" in text_of(stopped)
    assert (await mia.post(tag + "/swap")).status_code == 410
    assert await tag_link(dana) != tag
    assert (await visitor.get(await tag_link(dana))).status_code == 200
