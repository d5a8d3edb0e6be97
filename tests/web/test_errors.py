"""Errors: a readable page with the right status, never a stack trace."""

from __future__ import annotations

import httpx

from tests.conftest import separate_app
from tests.phone import text_of


async def test_unknown_page_and_wrong_method(new_phone):
    phone = await new_phone()
    missing = await phone.get("/no/such/page")
    assert missing.status_code == 404
    assert "There is nothing here" in text_of(missing)
    wrong = await phone.client.put("/card")
    assert wrong.status_code == 405
    assert "<html" in wrong.text


async def test_unexpected_failure_is_a_plain_500_page(admin_url, tmp_path):
    async with separate_app(admin_url, tmp_path) as (app, _):
        await app.state.pool.execute("DROP TABLE contacts CASCADE")  # a real fault, not a mock
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            made = await client.post("/card", data={"name": "Ana"}, follow_redirects=False)
            assert made.status_code == 303
            response = await client.get("/contacts")
    assert response.status_code == 500
    assert "Something went wrong on our side" in text_of(response)
    assert "Traceback" not in response.text
    assert "UndefinedTable" not in response.text
