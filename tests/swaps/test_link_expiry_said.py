"""A share link is said to expire where it is offered, and its expired page speaks to someone
who was sent the link as well as to someone who scanned the code (review r59): "Ask them to
show their QR code again" alone puzzled a person who never saw a QR code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.cards import share_tokens
from tests.conftest import TEST_SECRET
from tests.phone import soup, text_of, words

EXPIRED = "This link has expired. Ask them to show their QR code again or send a new link."
REPLACED = (
    "This link was replaced by a newer one."
    " Ask them to show their QR code again or send a new link."
)


async def test_the_link_is_said_to_work_until_the_codes_time_beside_it(new_phone):
    dana = await new_phone()
    await dana.make_card()
    page = soup(await dana.get(dana.url("share")))
    link = page.select_one("#share-link")
    assert link is not None
    described = page.find(id=str(link["aria-describedby"]))
    assert described is not None
    until = described.find("time", attrs={"data-code-until": True})
    assert until is not None and until.get("datetime")
    said = " ".join(described.get_text().split())  # as read: the <time> is inline
    assert said.startswith(f"This link and the QR code work until {words(until)}."), said


async def test_an_expired_or_replaced_link_says_so_for_a_link_and_names_nobody(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()

    share_id = await pool.fetchval("SELECT share_id FROM cards WHERE name = 'Dana Lee'")
    past = datetime.now(UTC) - timedelta(days=2)
    expired = share_tokens.issue(TEST_SECRET, share_id, 0, past, timedelta(hours=24))
    response = await visitor.get(f"/c/{expired}")
    assert response.status_code == 410
    assert EXPIRED in text_of(response)
    # Past its time, a code must not tell whoever holds it whose card it was.
    assert "Dana" not in text_of(response)

    await dana.post(dana.url("share_reset"))
    replaced = await visitor.get(link)
    assert replaced.status_code == 410
    assert REPLACED in text_of(replaced)
    assert "Dana" not in text_of(replaced)
