"""What a second tab (or device) still showing my old code says once "New code" retired it:
that it no longer works, not that a swap typed in time still arrives (a retired code is dead
even for a copy queued before the retirement)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.phone import soup, text_of
from tests.swaps.test_sync import action, ms, replay
from tests.tap.test_routes import code_of, connections, two_phones


async def test_my_code_replaced_in_another_tab_says_it_no_longer_works(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    shown = await dana.post(dana.url("tap_code"), {}, htmx=True)
    code = soup(shown).select_one("#my-code").get_text().replace(" ", "")
    poll = soup(shown).select_one("[hx-trigger='every 3s']")["hx-get"]
    # Mia typed it a minute ago, offline; then Dana tapped New code in another tab.
    typed = ms(datetime.now(UTC) - timedelta(minutes=1))
    assert await code_of(dana, fresh=True) != code

    said = text_of(await dana.get(poll, headers={"HX-Request": "true"}))
    assert "replaced by a new code" in said
    assert "no longer works" in said
    assert "still swapped with you" not in said
    assert "Your code expired" not in said
    # And so it is: Mia's queued swap is refused.
    answer = await replay(mia, action("code", {"code": code}, typed))
    assert answer.status_code == 404
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0
