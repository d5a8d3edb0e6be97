"""What my Tap screen says when the code it shows runs out: not that it is dead to everyone,
because a swap typed while it was live (queued on a phone with no network) still arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.phone import soup, text_of
from tests.swaps.test_sync import action, ms, replay
from tests.tap.test_routes import code_of, connections, two_phones


async def test_my_expired_code_says_a_swap_typed_in_time_still_arrives(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    shown = await dana.post(dana.url("tap_code"), {}, htmx=True)
    code = soup(shown).select_one("#my-code").get_text().replace(" ", "")
    # Mia typed it three minutes before it ran out, on Wi-Fi with nothing behind it.
    typed = ms(datetime.now(UTC) - timedelta(minutes=3))
    await pool.execute(
        "UPDATE swap_codes SET created_at = now() - interval '11 minutes',"
        " expires_at = now() - interval '1 minute' WHERE code = $1",
        code,
    )
    poll = soup(shown).select_one("[hx-trigger='every 3s']")["hx-get"]
    said = text_of(await dana.get(poll, headers={"HX-Request": "true"}))
    assert "Your code expired." in said
    assert "Tap New code to swap now" in said, "what to do for the person in front of her"
    assert "anyone who typed it in time is still swapped with you" in said
    assert "no longer works" not in said
    # And so it is: Mia's phone gets a connection, and the swap she typed arrives.
    answer = await replay(mia, action("code", {"code": code}, typed))
    assert answer.json()["message"] == "Swapped with Dana Lee."
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert "Mia Chen" in text_of(await dana.get(dana.url("contacts")))
    # Tapping New code gives a live one at once.
    assert await code_of(dana, fresh=True) != code
