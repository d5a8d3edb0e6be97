"""A swap queued offline under an account that was merged into another since (the phone is
signed in to the account kept now) is made as the account kept, and the phone can ask which
of the accounts its queue names were merged into the one signed in; an unrelated account's
swap is still refused."""

from __future__ import annotations

from typing import Any

from tests.phone import Phone
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code
from tests.swaps.test_sync import action, replay, token_of
from tests.swaps.test_sync_account import account_of
from tests.tap.test_routes import code_of, connections


async def dana_with_two_cards(new_phone: Any) -> tuple[Phone, Phone]:
    """Dana's card in Safari, and a second one she made by mistake in the app, where she met
    Sam (so the app is offered to merge it in when signed in to her first card)."""
    safari = await new_phone()
    await safari.make_card()
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(installed, sam)
    return safari, installed


async def merge_into_safari(safari: Phone, installed: Phone) -> None:
    """The app signs in to Safari's card (a move code) and merges its own card in."""
    signed = await installed.post(
        installed.url("move_enter_submit"), {"code": await show_code(safari)}
    )
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303 and "notice=merged" in merged.headers["location"]


async def test_a_swap_queued_under_the_card_merged_in_is_made_as_the_card_kept(new_phone, pool):
    safari, installed = await dana_with_two_cards(new_phone)
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    the_app = str(await account_of(pool, "Dana L."))
    # Offline, the app scanned Ben's card: queued under its own card.
    scan = {**action("scan", {"token": token_of(await ben.share_link())}), "account": the_app}

    await merge_into_safari(safari, installed)
    answer = await replay(installed, scan)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Swapped with Ben Ode."
    assert await connections(pool, "Dana Lee", "Ben Ode") == 2  # both ways, Dana's first card
    # Sent again (the page and the service worker both), the first answer; nothing twice.
    assert (await replay(installed, scan)).json() == answer.json()
    assert await connections(pool, "Dana Lee", "Ben Ode") == 2


async def test_a_swap_of_an_account_never_merged_in_is_still_refused(new_phone, pool):
    safari, installed = await dana_with_two_cards(new_phone)
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    await merge_into_safari(safari, installed)
    # Queued on the app while Sam was signed in to it (a lent phone): Sam's, not Dana's.
    sams = {
        **action("scan", {"token": token_of(await ben.share_link())}),
        "account": str(await account_of(pool, "Sam Park")),
    }
    answer = await replay(installed, sams)
    assert answer.status_code == 409
    assert answer.json()["status"] == "elsewhere"
    assert await connections(pool, "Dana Lee", "Ben Ode") == 0
    assert await connections(pool, "Sam Park", "Ben Ode") == 0


async def test_the_phone_is_told_which_accounts_were_merged_into_the_one_signed_in(new_phone, pool):
    safari, installed = await dana_with_two_cards(new_phone)
    the_app = await account_of(pool, "Dana L.")
    sam = await account_of(pool, "Sam Park")
    dana = await account_of(pool, "Dana Lee")
    await merge_into_safari(safari, installed)

    answer = await replay(installed, {"merged": [the_app, sam, 999999]})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {"status": "merged", "account": str(dana), "merged": [str(the_app)]}
    # Safari's own browser, signed in to the same card: the same answer.
    assert (await replay(safari, {"merged": [the_app]})).json()["merged"] == [str(the_app)]
    assert (await replay(safari, {"merged": []})).json()["merged"] == []
    # Someone else learns nothing of Dana's merges.
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    assert (await replay(mia, {"merged": [the_app]})).json()["merged"] == []


async def test_a_look_up_asked_wrongly_is_refused_in_words(new_phone, pool):
    safari, installed = await dana_with_two_cards(new_phone)
    await merge_into_safari(safari, installed)
    for asked in ("12", 12, None, {"id": 1}, [1.5], [True], ["12"], [-3], [0], [2**70], [1] * 51):
        answer = await replay(installed, {"merged": asked})
        assert answer.status_code == 400, (asked, answer.text)
        assert answer.json() == {
            "status": "failed",
            "message": "Name up to 50 accounts, each by its number.",
        }
    # Cross-site, or with no card here: refused as queued swaps are.
    assert (await replay(installed, {"merged": [1]}, cross_site=True)).status_code == 403
    stranger = await new_phone()
    assert (await replay(stranger, {"merged": [1]})).status_code == 403


async def test_a_chain_of_merges_points_at_the_account_left(new_phone, pool):
    """Dana's third card was merged into her second, and the second into her first: a swap
    queued under the third is her first card's."""
    safari, installed = await dana_with_two_cards(new_phone)
    third = await new_phone()
    await third.make_card(name="Dana Third", email="dana.3@example.com")
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    first, second, third_id = [
        await account_of(pool, name) for name in ("Dana Lee", "Dana L.", "Dana Third")
    ]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT lock_merge($1, $2)", third_id, second)
        await conn.execute("SELECT merge_accounts($1, $2)", third_id, second)
    queued = {
        **action("scan", {"token": token_of(await ben.share_link())}),
        "account": str(third_id),
    }
    await merge_into_safari(safari, installed)
    rows = await pool.fetch("SELECT source, target FROM merged_accounts ORDER BY source")
    assert [(r["source"], r["target"]) for r in rows] == [(second, first), (third_id, first)]
    assert (await replay(installed, queued)).json()["status"] == "done"
    assert await connections(pool, "Dana Lee", "Ben Ode") == 2

    # Her first card deleted: what said where her merged cards went goes with it.
    async with pool.acquire() as conn, conn.transaction():
        assert await conn.fetchval("SELECT delete_account($1)", first)
    assert await pool.fetchval("SELECT count(*) FROM merged_accounts") == 0


async def test_a_code_sent_before_the_merge_answers_as_it_did_when_sent_again(new_phone, pool):
    """The app typed Mia's code; the answer was lost, so the swap stayed queued, and after
    the merge it goes again: the first answer, not "that code was used"."""
    safari, installed = await dana_with_two_cards(new_phone)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    typed = {
        **action("code", {"code": await code_of(mia)}),
        "account": str(await account_of(pool, "Dana L.")),
    }
    first = await replay(installed, typed)
    assert first.json()["status"] == "done", first.text
    await merge_into_safari(safari, installed)
    again = await replay(installed, typed)
    assert again.status_code == 200
    assert again.json()["message"] == first.json()["message"] == "Swapped with Mia Chen."
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
