"""Every address confirmed for my account is in "everything about me": the card's, and one my
card no longer shows, which still confirms it's me and is kept until I delete my account.
Never an address confirmed for someone else's account, the same address included."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette

from server.local_services.mail_sink import LocalMailSink
from tests.mailing import confirm_addresses, link_in, pressed, sent_once
from tests.phone import Phone, text_of

NewPhone = Callable[[], Awaitable[Phone]]

OLD, NEW = "mia-old@example.com", "mia-new@example.com"


async def confirmed_in_the_app(phone: Phone, app: Starlette, mail: LocalMailSink) -> None:
    """The card's address confirmed as its owner does: Settings' "Send me a confirmation",
    and the button in the email it sends."""
    asked = await phone.post(phone.url("settings_email_confirm"), {})
    assert asked.status_code == 303, asked.text
    mail.received.clear()
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    assert "Your address is confirmed" in (await pressed(phone, link)).text


async def everything(phone: Phone) -> dict[str, Any]:
    response = await phone.get(phone.url("export_everything"))
    assert response.status_code == 200, response.text
    return json.loads(response.content)  # type: ignore[no-any-return]


async def confirmed_at(pool: asyncpg.Pool, address: str, name: str) -> str:
    """When ``address`` was confirmed for the account whose card is ``name``, as the export
    writes it."""
    when: datetime = await pool.fetchval(
        """SELECT x.confirmed_at FROM address_confirmations x
           JOIN cards c ON c.account_id = x.account_id
           WHERE x.address = $1 AND c.name = $2""",
        address,
        name,
    )
    return when.isoformat()


async def test_everything_lists_every_address_confirmed_for_me(
    new_phone: NewPhone, pool: asyncpg.Pool
) -> None:
    """The reviewer's finding, as found: an address confirmed for me, not on my card."""
    me = await new_phone()
    await me.make_card(name="Mia Chen", email=NEW)
    me_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    await pool.execute(
        "INSERT INTO email_addresses (address, confirmed_at) VALUES ($1, now())", OLD
    )
    await pool.execute(
        "INSERT INTO address_confirmations (address, account_id) VALUES ($1, $2)", OLD, me_id
    )
    response = await me.get(me.url("export_everything"))
    assert response.status_code == 200
    assert OLD in response.text


async def test_an_address_my_card_no_longer_shows_is_in_my_export_as_it_still_proves_me(
    new_phone: NewPhone, pool: asyncpg.Pool, app: Starlette, mail: LocalMailSink
) -> None:
    """Mia confirmed her old address, then changed her card to a new one. Deleting her
    account would email a code to the old one; her export says it is confirmed for her, not
    on her card, and when she confirmed it. Once she confirms the new one too, both are
    there, the card's marked so; the "email" section stays the card's address."""
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email=OLD)
    await confirmed_in_the_app(mia, app, mail)
    await mia.make_card(name="Mia Chen", email=NEW)
    assert f"We will email a code to {OLD}" in text_of(await mia.get(mia.url("delete_account")))

    data = await everything(mia)
    old = {
        "address": OLD,
        "confirmed_at": await confirmed_at(pool, OLD, "Mia Chen"),
        "on_card": False,
        "unsubscribed_at": None,
        "bounced_at": None,
        "bounce_reason": "",
    }
    assert data["confirmed_addresses"] == [old]
    # The card's new address, never written to: on the card, with nothing said of it yet.
    assert data["card"]["email"] == NEW and data["email"] is None

    # A second address asks "Confirm it's you" first (tests/signin/test_proving.py): the
    # button's effect, directly.
    await confirm_addresses(pool, NEW)
    data = await everything(mia)
    new = {**old, "address": NEW, "confirmed_at": await confirmed_at(pool, NEW, "Mia Chen")}
    assert data["confirmed_addresses"] == [old, {**new, "on_card": True}]
    assert data["email"]["address"] == NEW and data["email"]["confirmed_at"] == new["confirmed_at"]


async def test_addresses_confirmed_for_another_account_are_never_in_my_export(
    new_phone: NewPhone, pool: asyncpg.Pool, app: Starlette, mail: LocalMailSink
) -> None:
    """Sam confirmed Mia's old address for his own account too (a shared inbox, or a second
    account of hers), then his own address. Mia's export has her confirmation of the shared
    one only (when she confirmed it, not when he did), nothing of his own; his has his two."""
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email=OLD)
    await confirmed_in_the_app(mia, app, mail)
    await mia.make_card(name="Mia Chen", email=NEW)
    sam = await new_phone()
    await sam.make_card(name="Sam Ray", email=OLD)
    await confirmed_in_the_app(sam, app, mail)
    await sam.make_card(name="Sam Ray", email="sam@example.com")
    await confirm_addresses(pool, "sam@example.com")  # his second: as its button does

    mine = await everything(mia)
    assert [(a["address"], a["confirmed_at"]) for a in mine["confirmed_addresses"]] == [
        (OLD, await confirmed_at(pool, OLD, "Mia Chen"))
    ]
    assert await confirmed_at(pool, OLD, "Mia Chen") != await confirmed_at(pool, OLD, "Sam Ray")
    text = json.dumps(mine)
    assert "sam@example.com" not in text and "Sam Ray" not in text

    his = await everything(sam)
    assert [(a["address"], a["on_card"]) for a in his["confirmed_addresses"]] == [
        (OLD, False),
        ("sam@example.com", True),
    ]
    assert NEW not in json.dumps(his)


async def test_no_address_confirmed_is_an_empty_list(new_phone: NewPhone) -> None:
    """A confirmation asked for and never pressed: the card's address is in "email",
    confirmed for nobody; no address confirms it's me."""
    me = await new_phone()
    await me.make_card(name="Mia Chen", email=NEW)
    await me.post(me.url("settings_email_confirm"), {})  # asked for, never pressed
    data = await everything(me)
    assert data["confirmed_addresses"] == []
    assert data["email"]["address"] == NEW and data["email"]["confirmed_at"] is None


async def test_someone_elses_address_on_my_card_says_nothing_of_its_bounces(
    new_phone: NewPhone, pool: asyncpg.Pool, app: Starlette, mail: LocalMailSink
) -> None:
    """Sam's confirmed address, typed on Mia's card: her export tells her no more than her
    Settings does, nothing of whether or why it bounces."""
    sam = await new_phone()
    await sam.make_card(name="Sam Ode", email="sam@example.com")
    await confirmed_in_the_app(sam, app, mail)
    await pool.execute(
        "UPDATE email_addresses SET bounced_at = now(), bounce_reason = '550 5.1.1 mailbox full'"
        " WHERE address = 'sam@example.com'"
    )
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="sam@example.com")
    email = (await everything(mia))["email"]
    assert email["address"] == "sam@example.com"
    assert email["confirmed_at"] is None
    assert email["bounced_at"] is None and email["bounce_reason"] is None
    assert "bounce" not in text_of(await mia.get(mia.url("settings")))
    # Sam's own export says it.
    assert (await everything(sam))["email"]["bounce_reason"] == "550 5.1.1 mailbox full"
