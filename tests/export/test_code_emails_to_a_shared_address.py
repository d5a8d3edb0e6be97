"""A sign-in code asked for an address two cards carry is not in the export of the card that
merely carries it: "Everything about me" lists the emails Settings shows, by one rule
(email_shown_to_owner() in sql/logic.sql). Review r51: Mallory, who put Dana's address on her
card, read in her export each time Dana tried to sign in."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from tests.phone import Phone, soup

NewPhone = Callable[[], Awaitable[Phone]]

DANA, MALLORY = "dana@example.com", "mallory@example.com"


async def everything(phone: Phone) -> dict[str, Any]:
    response = await phone.get(phone.url("export_everything"))
    assert response.status_code == 200, response.text
    return json.loads(response.content)  # type: ignore[no-any-return]


async def ask_code(new_phone: NewPhone, address: str) -> None:
    """ "Send me a code" for ``address``, on a laptop nobody signed in on."""
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": address})
    assert asked.status_code == 303, asked.text


def codes_to(data: dict[str, Any]) -> list[str]:
    return [email["to_address"] for email in data["emails"] if email["kind"] == "code"]


async def test_her_export_never_tells_mallory_when_dana_tries_to_sign_in(
    new_phone: NewPhone, pool: asyncpg.Pool
) -> None:
    """Dana's card and Mallory's carry Dana's address, neither with a way of proof; Mallory's
    was seen last, so Dana's code is recorded under Mallory's account. Neither Settings nor
    Mallory's export lists it. Once her card has her own address, her own codes are listed."""
    dana = await new_phone()
    await dana.make_card(name="Dana Lee", email=DANA)
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email=DANA)
    mallory_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mallory Mean'")
    # Mallory seen last, for certain: the code goes under her account (signin.account_with_email).
    await pool.execute(
        "UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE account_id <> $1",
        mallory_id,
    )

    await ask_code(new_phone, DANA)
    codes = await pool.fetch("SELECT account_id, to_address FROM emails WHERE kind = 'code'")
    assert [tuple(code) for code in codes] == [(mallory_id, DANA)], "recorded as Mallory's"

    assert codes_to(await everything(mallory)) == []
    outbox = soup(await mallory.get(mallory.url("settings"))).find(id="outbox")
    assert outbox is None or "Sign-in code" not in outbox.get_text()

    # Her own address on her card: her own codes are hers to see, Dana's still not.
    await mallory.make_card(name="Mallory Mean", email=MALLORY)
    await ask_code(new_phone, MALLORY)
    data = await everything(mallory)
    assert codes_to(data) == [MALLORY]
    assert DANA not in json.dumps(data["emails"])
    outbox = soup(await mallory.get(mallory.url("settings"))).find(id="outbox")
    assert outbox is not None and outbox.get_text().count("Sign-in code") == 1
