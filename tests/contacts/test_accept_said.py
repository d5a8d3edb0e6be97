""" "Accept and share my card" says what it did on the page it lands on: the Accept box just
went, and nothing said so (review r76). The words name no email: whether their "You met" goes
would tell which addresses have an account."""

from __future__ import annotations

from tests.phone import Phone, soup, text_of
from tests.swaps.test_ask_first import asking_dana

ACCEPTED = "Accepted. Mia Chen now sees all your card."


def notice_text(page_text: str) -> str:
    return " ".join(page_text.split())


async def mia_waiting(new_phone, pool) -> tuple[Phone, int]:  # type: ignore[no-untyped-def]
    """Dana's card asks first; Mia left her details on it. Dana's phone, and Mia's row."""
    dana, link = await asking_dana(new_phone)
    mia = await new_phone()
    left = await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    assert left.status_code == 303
    row = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1 AND sharing = 'pending'")
    return dana, row


async def test_accepting_lands_on_their_page_saying_so(new_phone, pool):
    dana, row = await mia_waiting(new_phone, pool)
    accepted = await dana.post(dana.url("contact_accept", contact_id=row), {})
    assert accepted.status_code == 303
    page = await dana.get(accepted.headers["location"])
    assert page.status_code == 200
    said = [notice_text(s.get_text()) for s in soup(page).select("[data-notice][role=status]")]
    assert said == [ACCEPTED]
    assert "Accept and share" not in text_of(page)
    assert "email" not in said[0].lower()


async def test_accepting_again_from_an_old_page_says_it_was_done_already(new_phone, pool):
    dana, row = await mia_waiting(new_phone, pool)
    await dana.post(dana.url("contact_accept", contact_id=row), {})
    basics = await dana.post(dana.url("contact_sharing", contact_id=row), {"sharing": "basics"})
    assert basics.status_code == 303
    again = await dana.post(dana.url("contact_accept", contact_id=row), {})
    assert again.status_code == 303
    page = await dana.get(again.headers["location"])
    said = " ".join(notice_text(s.get_text()) for s in soup(page).select("[data-notice]"))
    assert said == (
        "Mia Chen was accepted already: what they see of your card is under What they see of me."
    )
    assert "now sees all your card" not in text_of(page)
