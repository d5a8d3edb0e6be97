"""Sign out from a browser that was signed out already (a Settings tab left open while
another device signed every other one out), whose account was deleted meanwhile, or that
never signed in: it signs out, never "Sign in and try again" so as to sign out. Signing
every other browser out from one that is no one's stays refused, saying why."""

from __future__ import annotations

from tests.phone import text_of

CLEARED = '"cache", "cookies", "storage"'


async def test_sign_out_after_being_signed_out_elsewhere_signs_out(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await pool.execute("DELETE FROM sessions")  # "Sign out everywhere else" on her laptop
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200, text_of(out)
    said = text_of(out)
    assert "You are signed out" in said
    assert "Sign in and try again" not in said and "Nothing was changed" not in said
    # Forgotten as by any sign-out: the cookie, the offline copies, the queue.
    assert out.headers["clear-site-data"] == CLEARED
    assert "ro_session=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]


async def test_sign_out_in_a_browser_never_signed_in_signs_out(new_phone):
    visitor = await new_phone()
    out = await visitor.post(visitor.url("sign_out"), {})
    assert out.status_code == 200, text_of(out)
    assert "You are signed out" in text_of(out)
    assert out.headers["clear-site-data"] == CLEARED


async def test_sign_out_after_the_account_was_deleted_elsewhere_says_it_was_deleted(
    new_phone, pool
):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")
    await pool.execute("SELECT delete_account(account_id) FROM cards WHERE name = 'Dana Lee'")
    out = await dana.post(dana.url("sign_out"), {})
    # Not "Your account is still yours: sign in again": the start page, which says it was
    # deleted, and (opened) clears what this browser kept.
    assert out.status_code == 303, text_of(out)
    assert out.headers["location"] == dana.url("home")
    start = await dana.get(out.headers["location"], headers={"sec-fetch-mode": "navigate"})
    assert start.status_code == 200
    assert "Your account was deleted" in text_of(start)
    assert "Sign in and try again" not in text_of(start)
    assert start.headers["clear-site-data"] == CLEARED


async def test_signing_others_out_from_a_signed_out_browser_is_still_refused(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await pool.execute("DELETE FROM sessions")
    out = await dana.post(dana.url("sign_out_others"), {})
    assert out.status_code == 403
    assert "You were signed out on this browser" in text_of(out)
