"""The session cookie over https: ``__Host-ro_session`` (Secure, Path=/, no Domain), so a
sibling subdomain or a plain-http page cannot plant a session; over http the plain name.

The attack: Eve, who controls ``evil.reachout.example`` or a plain-http page on the network,
sets ``ro_session=<her session>`` for the parent domain, and Dana's phone is then signed in
to Eve's account (every card Dana scans goes to Eve). A browser refuses a ``__Host-`` cookie
from anywhere but our own https origin; so old-named cookies are accepted only for sessions
that began before the prefix (once, and renamed), and are otherwise ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.config import Settings
from server.web.sessions import COOKIE_NAME, HOST_COOKIE_NAME
from tests.phone import DEFAULT_CARD, text_of

HTTPS = "https://testserver"
SAME_ORIGIN = {"sec-fetch-site": "same-origin"}


@pytest.fixture(scope="module")
async def https_app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app as production runs it: BASE_URL on https."""
    application = create_app(dataclasses.replace(settings, base_url=HTTPS))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def https_phone(https_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=https_app), base_url=HTTPS
    ) as client:
        yield client


def set_cookie_headers(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


async def make_card(client: httpx.AsyncClient, name: str = "Dana Lee") -> httpx.Response:
    response = await client.post("/card", data={**DEFAULT_CARD, "name": name}, headers=SAME_ORIGIN)
    assert response.status_code == 303, response.text
    return response


async def test_over_https_the_session_cookie_has_the_host_prefix(https_phone):
    response = await make_card(https_phone)
    [cookie] = set_cookie_headers(response)
    name, _, attributes = cookie.partition(";")
    assert name.startswith(f"{HOST_COOKIE_NAME}=")
    parts = {part.strip().split("=")[0].lower() for part in attributes.split(";")}
    assert {"secure", "httponly", "path"} <= parts
    assert "domain" not in parts
    assert "Path=/;" in cookie + ";"
    assert COOKIE_NAME not in https_phone.cookies
    page = await https_phone.get("/card")
    assert "Dana Lee" in text_of(page)


async def test_over_http_the_plain_name_stays(new_phone):
    phone = await new_phone()
    response = await phone.make_card()
    [cookie] = set_cookie_headers(response)
    assert cookie.startswith(f"{COOKIE_NAME}=") and "secure" not in cookie.lower()


async def old_named_session(https_phone, pool, *, before_prefix: bool) -> str:
    """A session under the old name: from before the prefix, or planted since."""
    await make_card(https_phone)
    token = https_phone.cookies[HOST_COOKIE_NAME]
    https_phone.cookies.clear()
    if before_prefix:
        await pool.execute(
            "UPDATE sessions SET created_at = (SELECT applied_at FROM schema_migrations"
            " WHERE name = '0018_plain_names') - interval '1 day'"
        )
    https_phone.cookies.set(COOKIE_NAME, token, domain="testserver.local")
    return token


async def test_a_session_from_before_the_prefix_is_renamed_once(https_phone, pool):
    token = await old_named_session(https_phone, pool, before_prefix=True)
    response = await https_phone.get("/card")
    assert "Dana Lee" in text_of(response), "still signed in"
    cookies = set_cookie_headers(response)
    assert any(c.startswith(f"{HOST_COOKIE_NAME}={token};") and "Secure" in c for c in cookies)
    assert any(c.startswith(f"{COOKIE_NAME}=") and "Max-Age=0" in c for c in cookies)
    # The browser now holds only the new name, and nothing more is set.
    assert COOKIE_NAME not in https_phone.cookies
    again = await https_phone.get("/card")
    assert "Dana Lee" in text_of(again)
    assert set_cookie_headers(again) == []


async def test_a_planted_old_named_cookie_signs_nobody_in(https_phone, pool):
    # Eve's own session, created after the prefix, tossed into Dana's browser by a sibling
    # subdomain under the old name.
    await old_named_session(https_phone, pool, before_prefix=False)
    response = await https_phone.get("/card")
    assert "Dana Lee" not in text_of(response)
    assert response.status_code == 200  # the "make my card" form, signed out
    cookies = set_cookie_headers(response)
    assert not [c for c in cookies if c.startswith(f"{HOST_COOKIE_NAME}=")]
    assert any(c.startswith(f"{COOKIE_NAME}=") and "Max-Age=0" in c for c in cookies)


async def test_the_host_cookie_wins_over_a_planted_old_one(https_app, https_phone, pool):
    await make_card(https_phone, name="Dana Lee")
    eve = httpx.AsyncClient(transport=httpx.ASGITransport(app=https_app), base_url=HTTPS)
    async with eve:
        await make_card(eve, name="Eve Evil")
        planted = eve.cookies[HOST_COOKIE_NAME]
    https_phone.cookies.set(COOKIE_NAME, planted, domain="testserver.local")
    response = await https_phone.get("/card")
    assert "Dana Lee" in text_of(response) and "Eve Evil" not in text_of(response)


async def test_signing_out_over_https_deletes_both_names(https_phone, pool):
    token = await old_named_session(https_phone, pool, before_prefix=True)
    page = await https_phone.get("/settings")
    assert page.status_code == 200
    https_phone.cookies.set(HOST_COOKIE_NAME, token, domain="testserver.local")
    out = await https_phone.post("/sign-out", headers=SAME_ORIGIN)
    cookies = set_cookie_headers(out)
    for name in (HOST_COOKIE_NAME, COOKIE_NAME):
        assert any(c.startswith(f"{name}=") and "Max-Age=0" in c for c in cookies), cookies
    assert await pool.fetchval("SELECT revoked_at IS NOT NULL FROM sessions")


async def test_deleting_the_account_over_https_deletes_the_host_cookie(https_phone, pool):
    await make_card(https_phone)
    gone = await https_phone.post(
        "/settings/delete-account", data={"confirm": "delete"}, headers=SAME_ORIGIN
    )
    assert gone.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0
    # Not only Clear-Site-Data (which Safari before 17 ignores): the cookie itself.
    cookies = set_cookie_headers(gone)
    assert any(c.startswith(f"{HOST_COOKIE_NAME}=") and "Max-Age=0" in c for c in cookies)
    assert HOST_COOKIE_NAME not in https_phone.cookies
