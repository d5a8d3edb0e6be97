"""A swap sent from a phone signed out since (Settings on another device) is not refused for
good with "Make your card first": the answer is the one the phone keeps a swap on (409,
``elsewhere``), in words saying why, and nothing of its key is kept (the same swap sent once
that card is signed in again is made). A phone whose account was deleted is told so."""

from __future__ import annotations

from tests.signin.test_routes import ask_code, code_from
from tests.swaps.test_sync import action, replay, token_of
from tests.swaps.test_sync_account import account_of
from tests.tap.test_routes import connections, two_phones


async def test_a_swap_sent_after_being_signed_out_elsewhere_is_kept(new_phone, pool, mail, app):
    dana, mia = await two_phones(new_phone)
    mia_id = await account_of(pool, "Mia Chen")
    scan = action("scan", {"token": token_of(await dana.share_link())})
    scan["account"] = str(mia_id)
    # "Sign out everywhere else" on Mia's laptop, while her phone held the swap.
    await pool.execute("DELETE FROM sessions WHERE account_id = $1", mia_id)
    answer = await replay(mia, scan)
    # What outbox.js keeps a record on (not "failed": that drops it as "Not swapped").
    assert answer.status_code == 409
    assert answer.json() == {
        "status": "elsewhere",
        "message": "Signed out on this phone, so not sent. Signing in again clears this"
        " phone, this swap with it: swap again once signed in.",
        "signed_out": True,
    }
    assert await connections(pool, "Mia Chen", "Dana Lee") == 0
    # Signed in to her card again on this phone: the kept swap is made.
    await ask_code(mia, "mia@example.com")
    code = await code_from(mail, app)
    signed = await mia.post(mia.url("sign_in_code"), {"email": "mia@example.com", "code": code})
    assert signed.status_code == 303
    assert (await replay(mia, scan)).json()["status"] == "done"
    assert await connections(pool, "Mia Chen", "Dana Lee") == 2


async def test_a_swap_sent_after_the_account_was_deleted_is_refused_saying_so(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    scan = action("scan", {"token": token_of(await dana.share_link())})
    scan["account"] = str(await account_of(pool, "Mia Chen"))
    await pool.execute("SELECT delete_account(account_id) FROM cards WHERE name = 'Mia Chen'")
    answer = await replay(mia, scan)
    assert answer.status_code == 403
    assert answer.json()["status"] == "failed"
    assert "account was deleted" in answer.json()["message"]
    assert "Make your card" not in answer.json()["message"]


async def test_a_phone_that_never_had_a_card_is_told_to_make_one(new_phone):
    dana = await new_phone()
    await dana.make_card()
    visitor = await new_phone()
    answer = await replay(visitor, action("scan", {"token": token_of(await dana.share_link())}))
    assert answer.status_code == 403
    assert answer.json()["message"] == "Make your card on this phone first, then swaps can sync."
