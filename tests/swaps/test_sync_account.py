"""A swap queued offline names the account it was made under: sent while the phone is signed
in to another one, it is refused in plain words (409), never made as that other account."""

from __future__ import annotations

from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import connections, two_phones


async def account_of(pool, name: str) -> int:  # type: ignore[no-untyped-def]
    account_id: int = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    return account_id


async def test_a_swap_queued_as_another_account_is_refused_and_kept(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    # Queued on Mia's phone while Sam was signed in to it; Mia is signed in there now.
    scan = action("scan", {"token": token_of(await dana.share_link())})
    scan["account"] = str(await account_of(pool, "Sam Roe"))
    answer = await replay(mia, scan)
    assert answer.status_code == 409
    assert answer.json()["status"] == "elsewhere"
    assert answer.json()["message"].startswith(
        "Made while this phone was signed in to another card"
    )
    assert await connections(pool, "Mia Chen", "Dana Lee") == 0
    assert await connections(pool, "Sam Roe", "Dana Lee") == 0
    # Nothing kept of the key: sent again as its own account, it is made.
    assert (await replay(sam, scan)).json()["status"] == "done"
    assert await connections(pool, "Sam Roe", "Dana Lee") == 2  # both ways


async def test_a_swap_naming_its_own_account_or_none_is_made(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    mine = action("scan", {"token": token_of(await dana.share_link())})
    mine["account"] = str(await account_of(pool, "Mia Chen"))
    assert (await replay(mia, mine)).json()["status"] == "done"
    # Queued before records named their account: taken as it is.
    assert (await replay(dana, action("code", {"code": "000000"}))).status_code != 500


async def test_an_unreadable_account_is_a_refusal_not_an_error(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    for named in (["1"], {"id": 1}, True, 1.5):
        scan = {**action("scan", {"token": token_of(await dana.share_link())}), "account": named}
        answer = await replay(mia, scan)
        assert answer.status_code == 409, named
        assert answer.json()["status"] == "elsewhere"
    assert await connections(pool, "Mia Chen", "Dana Lee") == 0
