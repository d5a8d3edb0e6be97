"""Push subscriptions as attacks: posting someone else's endpoint to take over their reminders,
subscribing endless devices at once, and pointing our sends at another port of a push host."""

from __future__ import annotations

import asyncio

from server.followups import push as web_push
from server.settings.routes import DEVICES_PER_ACCOUNT
from tests.reminders import subscribe


async def post_subscription(phone, subscription: dict):  # type: ignore[no-untyped-def]
    return await phone.client.post(
        phone.url("push_subscribe"),
        json={"subscription": subscription, "device": "Script"},
        headers={"sec-fetch-site": "same-origin"},
    )


async def test_another_accounts_endpoint_is_refused_not_moved(new_phone, push, pool):
    dana = await new_phone()
    await dana.make_card()
    device = await subscribe(dana, push)
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Moe", email="m@example.com")
    stolen = device.to_json()
    response = await post_subscription(mallory, stolen)
    assert response.status_code == 409
    assert "another Reachout account" in response.json()["error"]
    rows = await pool.fetch("SELECT account_id, p256dh FROM push_subscriptions")
    assert [(r["account_id"], r["p256dh"]) for r in rows] == [(1, stolen["keys"]["p256dh"])]
    # Dana renewing her own subscription still works.
    assert (await post_subscription(dana, stolen)).status_code == 201


async def test_devices_subscribed_all_at_once_stop_at_the_cap(new_phone, push, pool):
    phone = await new_phone()
    await phone.make_card()
    answers = await asyncio.gather(
        *(
            post_subscription(phone, push.subscribe().to_json())
            for _ in range(DEVICES_PER_ACCOUNT + 5)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] * DEVICES_PER_ACCOUNT + [409] * 5
    assert (
        "Remove one in Settings" in next(a for a in answers if a.status_code == 409).json()["error"]
    )
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == DEVICES_PER_ACCOUNT


def test_push_services_are_https_on_443_unless_the_allow_list_names_a_port():
    hosts = ("fcm.googleapis.com", "*.push.apple.com", "127.0.0.1:*", "push.example:8443")
    point = (
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    )
    keys = {"p256dh": point, "auth": "tBHItJI5svbpez7KI4CCXg"}

    def ok(endpoint: str) -> bool:
        try:
            web_push.validate_subscription({"endpoint": endpoint, "keys": keys}, hosts)
        except web_push.InvalidSubscription:
            return False
        return True

    assert ok("https://fcm.googleapis.com/fcm/send/abc")
    assert ok("https://fcm.googleapis.com:443/fcm/send/abc")
    assert not ok("https://fcm.googleapis.com:8080/fcm/send/abc")
    assert not ok("https://web.push.apple.com:22/x")
    assert ok("https://push.example:8443/x") and not ok("https://push.example/x")
    assert ok("https://127.0.0.1:5555/push/1")
    assert not ok("https://fcm.googleapis.com:99999/x")
