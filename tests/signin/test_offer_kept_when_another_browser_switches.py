"""Dana's first card lives in Safari and, moved with a code, in the installed app. She signs
in to her real card in Safari (offered to merge the first card in), then in the app too:
the app switching away from the first card is no sign-out of it by its owner, so Safari's
offer stays open and its Merge works (sessions.revoke with end_offers false)."""

from __future__ import annotations

from tests.phone import text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_moving import show_code


async def test_the_offer_in_safari_survives_the_app_signing_in_too(new_phone, pool, mail, app):
    safari = await new_phone()
    await safari.make_card(name="Dana (Safari)", email="")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await mia.post((await safari.share_link()) + "/swap")
    installed = await new_phone()
    moved = await installed.post(
        installed.url("move_enter_submit"), {"code": await show_code(safari)}
    )
    assert moved.status_code == 303
    work = await new_phone()
    await work.make_card(name="Dana Lee", email="dana@example.com")
    signed = await signs_in(safari, mail, app, "dana@example.com")
    assert signed.headers["location"] == safari.url("sign_in_merge") + "?notice=signed_in"
    signed = await signs_in(installed, mail, app, "dana@example.com")
    assert signed.headers["location"] == installed.url("sign_in_merge") + "?notice=signed_in"
    # Still offered in Safari, and merged from there.
    assert "Merge into my account" in text_of(await safari.get(safari.url("sign_in_merge")))
    merged = await safari.post(safari.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, text_of(merged)
    assert merged.headers["location"] == safari.url("contacts") + "?notice=merged"
    assert "Mia Chen" in text_of(await work.get(work.url("contacts")))
