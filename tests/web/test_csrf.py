"""CSRF: every state-changing route refuses another site's request, by the browser's headers."""

from __future__ import annotations

from starlette.routing import Route

from server.web.csrf import REFUSED
from tests.phone import DEFAULT_CARD, soup, text_of


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
        "key": "a1b2c3",
        "email_id": 1,
        "session_id": 1,
        "passkey_id": 1,
        "name": "20261201T093012.123456Z-3fa9c1",
        "index": 1,
        "removal_id": 1,
        "code_id": 1,
    }
    return route.url_path_for(route.name, **{k: params[k] for k in route.param_convertors})


FOREIGN = [
    {"sec-fetch-site": "cross-site"},
    {"sec-fetch-site": "same-site"},  # a sibling subdomain is another site's page too
    {"origin": "https://evil.example"},  # a browser too old for Sec-Fetch-Site
    {"origin": "null"},  # a sandboxed frame or a data: URL
]


async def test_every_post_route_refuses_another_site_and_accepts_our_own(app, new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    before = await pool.fetchval("SELECT count(*) FROM cards")
    card_before = await pool.fetchval("SELECT name FROM cards")
    routes = post_routes(app)
    assert len(routes) >= 30
    for route in routes:
        for headers in FOREIGN:
            response = await phone.client.post(
                sample_path(route), data={**DEFAULT_CARD, "name": "Forged"}, headers=headers
            )
            assert response.status_code == 403, (route.name, headers)
            assert "Reload it and try again" in text_of(response), route.name
    assert await pool.fetchval("SELECT count(*) FROM cards") == before
    assert await pool.fetchval("SELECT name FROM cards") == card_before
    for route in routes:
        same_origin = await phone.post(sample_path(route), DEFAULT_CARD)
        same_origin_by_origin = await phone.client.post(
            sample_path(route), data=DEFAULT_CARD, headers={"origin": "http://testserver"}
        )
        for response in (same_origin, same_origin_by_origin):
            # The handler answered (whatever it made of the sample ids), not the guard.
            assert REFUSED not in response.text, route.name


async def test_typed_address_and_bookmarks_are_same_origin(new_phone, pool):
    phone = await new_phone()
    response = await phone.client.post(
        phone.url("card_save"), data=DEFAULT_CARD, headers={"sec-fetch-site": "none"}
    )
    assert response.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_a_refused_htmx_request_shows_its_notice_in_the_page(new_phone, pool):
    phone = await new_phone()
    refused = await phone.post(phone.url("card_save"), DEFAULT_CARD, htmx=True, cross_site=True)
    assert refused.status_code == 403
    assert refused.headers["hx-retarget"] == "#flash"
    assert "Reload it and try again" in text_of(refused)
    page = await phone.post(phone.url("card_save"), DEFAULT_CARD, cross_site=True)
    assert soup(page).h1.get_text(strip=True) == "Please reload the page"
    accepted = await phone.post(phone.url("card_save"), DEFAULT_CARD, htmx=True)
    assert accepted.status_code == 204
    assert accepted.headers["hx-redirect"] == phone.url("share")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_pages_carry_no_token(new_phone):
    phone = await new_phone()
    page = await phone.get(phone.url("card"))
    assert "csrf" not in page.text.lower()
    assert "set-cookie" not in page.headers
