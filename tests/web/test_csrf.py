"""CSRF: every state-changing route refuses a request without the browser's token."""

from __future__ import annotations

from starlette.routing import Route

from tests.phone import DEFAULT_CARD, text_of


def post_routes(app) -> list[Route]:
    return [r for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]


def sample_path(route: Route) -> str:
    params = {
        "field": "email",
        "token": "x" * 38,
        "contact_id": 1,
        "subscription_id": 1,
        "followup_id": 1,
        "action": "done",
        "event_id": 1,
        "account_id": 2,
        "code": "ABC234",
        "request_id": 1,
        "decision": "accept",
        "bump_id": 1,
    }
    return route.url_path_for(route.name, **{k: params[k] for k in route.param_convertors})


async def test_every_post_route_rejects_a_missing_token(app, new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    before = await pool.fetchval("SELECT count(*) FROM accounts")
    routes = post_routes(app)
    assert len(routes) >= 8
    for route in routes:
        response = await phone.post(sample_path(route), DEFAULT_CARD, csrf=False)
        assert response.status_code == 403, route.name
        # Notification buttons carry a signature instead (tested in test_followups).
        expected = (
            "reminder link is not valid"
            if route.name == "followup_from_notification"
            else "Reload it and try again"
        )
        assert expected in text_of(response), route.name
    assert await pool.fetchval("SELECT count(*) FROM accounts") == before


async def test_wrong_token_and_foreign_site_are_refused(new_phone, pool):
    phone = await new_phone()
    await phone.csrf_token()
    forged = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "csrf_token": "a.b"})
    assert forged.status_code == 403
    cross_site = await phone.post(
        phone.url("card_save"), DEFAULT_CARD, headers={"sec-fetch-site": "cross-site"}
    )
    assert cross_site.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_token_from_another_browser_does_not_work(new_phone, pool):
    attacker = await new_phone()
    victim = await new_phone()
    await victim.csrf_token()
    stolen = await attacker.csrf_token()
    response = await victim.post(victim.url("card_save"), {**DEFAULT_CARD, "csrf_token": stolen})
    assert response.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_htmx_requests_send_the_token_in_a_header(new_phone, pool):
    phone = await new_phone()
    token = await phone.csrf_token()
    without = await phone.post(phone.url("card_save"), DEFAULT_CARD, htmx=True, csrf=False)
    assert without.status_code == 403
    assert without.headers["hx-retarget"] == "#flash"
    with_header = await phone.post(
        phone.url("card_save"),
        DEFAULT_CARD,
        htmx=True,
        csrf=False,
        headers={"x-csrf-token": token},
    )
    assert with_header.status_code == 204
    assert with_header.headers["hx-redirect"] == phone.url("share")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_a_forged_csrf_cookie_is_replaced(new_phone):
    phone = await new_phone()
    phone.client.cookies.set("ro_csrf", "attacker-chosen.value", domain="testserver.local")
    response = await phone.get(phone.url("home"))
    assert "ro_csrf=" in response.headers["set-cookie"]
    assert "attacker-chosen" not in response.headers["set-cookie"]
