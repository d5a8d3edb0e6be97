""" "Turn on reminders" on Settings opened for one card, sent while another card is signed in
on this phone now (switched in another tab): refused (409) with words reminders.js shows, and
this phone gets no card's reminders; a request naming no account is taken as before."""

from __future__ import annotations

from typing import Any

from server.local_services.push_service import LocalPushService
from tests.phone import Phone, soup


async def turn_on(phone: Phone, push: LocalPushService, account: str | None) -> Any:
    """What reminders.js sends, with the account its page is for (``None``: from before)."""
    body: dict[str, Any] = {"subscription": push.subscribe().to_json(), "device": "Test phone"}
    if account is not None:
        body["account"] = account
    return await phone.client.post(
        phone.url("push_subscribe"), json=body, headers={"sec-fetch-site": "same-origin"}
    )


async def test_turning_reminders_on_from_the_card_signed_in_before_subscribes_nobody(
    new_phone, pool, push
):
    ana = await new_phone()
    await ana.make_card(name="Ana Ruiz", email="ana@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    # The account reminders.js sends: the one Ana's Settings page was shown to.
    anas = str(soup(await ana.get(ana.url("settings"))).body["data-signed-in"])
    mias = str(soup(await mia.get(mia.url("settings"))).body["data-signed-in"])

    refused = await turn_on(mia, push, anas)
    assert refused.status_code == 409
    said = refused.json()["error"]
    assert "opened for another card" in said and "nothing was changed" in said
    assert "<" not in said, "shown as text by reminders.js"
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0

    assert (await turn_on(mia, push, mias)).status_code == 201
    assert (await turn_on(ana, push, None)).status_code == 201
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 2
