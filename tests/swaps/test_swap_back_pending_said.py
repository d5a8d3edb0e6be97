"""Swapping back with someone who scanned my card that asks for details first, before I accept
them: scanning their link, typing their code, or either queued offline adds nothing to what they
see of me (only my name, headline and photo), so none of them says "Swapped!". And the Tap screen
whose code was typed says what the swap made, on either side, not "Swapped with ...!"."""

from __future__ import annotations

from tests.phone import Phone, text_of
from tests.swaps.test_ask_first import asking_dana
from tests.swaps.test_pending_said import dana_accepts_mia, mia_with_a_card, status_text
from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import code_of

MIA_TO_ACCEPT = (
    "Saved! Mia Chen is in your contacts. They see only your name, headline and photo until"
    " you accept them."
)
TO_ACCEPT_ANSWER = (
    "Saved Mia Chen: they see only your name, headline and photo until you accept them."
)
HTMX = {"HX-Request": "true"}


async def mia_scanned_asking_dana(new_phone) -> tuple[Phone, Phone]:  # type: ignore[no-untyped-def]
    """Mia scanned Dana's card, which asks first; Dana has yet to accept her."""
    dana, link = await asking_dana(new_phone)
    mia = await mia_with_a_card(new_phone)
    assert (await mia.post(link + "/swap", {})).status_code == 303
    return dana, mia


async def says_to_accept(dana: Phone, url: str) -> None:
    page = await dana.get(url)
    said = status_text(page)
    assert MIA_TO_ACCEPT in said and "Swapped!" not in said, said
    assert "Accept and share my card with Mia Chen" in text_of(page)


async def test_scanning_back_before_accepting_says_they_wait_for_my_accept(new_phone, pool):
    dana, mia = await mia_scanned_asking_dana(new_phone)
    mia_link = await mia.share_link()

    scanned = await dana.post(mia_link + "/swap", {})
    assert scanned.status_code == 303
    await says_to_accept(dana, scanned.headers["location"])

    typed = await dana.post(dana.url("tap_code_enter"), {"code": await code_of(mia)})
    assert typed.status_code == 303
    await says_to_accept(dana, typed.headers["location"])

    # The same swaps queued offline: their answer's words and the way to Mia.
    for kind, payload in (
        ("scan", {"token": token_of(mia_link)}),
        ("code", {"code": await code_of(mia)}),
    ):
        answer = (await replay(dana, action(kind, payload))).json()
        assert answer["status"] == "done" and answer["message"] == TO_ACCEPT_ANSWER, answer
        await says_to_accept(dana, answer["url"])

    # Accepted, swapping back reads as any swap.
    await dana_accepts_mia(dana, pool)
    again = await dana.post(mia_link + "/swap", {})
    said = status_text(await dana.get(again.headers["location"]))
    assert "Swapped! Mia Chen has your card, and you have theirs." in said, said
    answer = (await replay(dana, action("scan", {"token": token_of(mia_link)}))).json()
    assert answer["message"] == "Swapped with Mia Chen.", answer


async def code_state(owner: Phone, typist: Phone) -> str:
    """``typist`` types ``owner``'s code: what ``owner``'s Tap screen then says in its place."""
    code = await code_of(owner)
    assert (await typist.post(typist.url("tap_code_enter"), {"code": code})).status_code == 303
    state = await owner.get(owner.url("tap_code_state", code=code), headers=HTMX)
    assert state.status_code == 286
    return " ".join(text_of(state).split())


async def test_my_used_code_says_who_still_waits_to_be_accepted(new_phone, pool):
    dana, mia = await mia_scanned_asking_dana(new_phone)

    # Mia types Dana's code: Dana has yet to accept her.
    said = await code_state(dana, mia)
    assert MIA_TO_ACCEPT + " Your code is used up." in said and "Swapped" not in said, said
    # Dana types Mia's code: Mia waits for Dana, and sees only Dana's basics meanwhile.
    said = await code_state(mia, dana)
    sent = (
        "Sent! Dana Lee has your card. You'll see all their card once they accept."
        " Your code is used up."
    )
    assert sent in said and "Swapped" not in said, said

    await dana_accepts_mia(dana, pool)
    assert "Swapped with Mia Chen! Your code is used up." in await code_state(dana, mia)
    assert "Swapped with Dana Lee! Your code is used up." in await code_state(mia, dana)
