"""A card that merely carries Lou's address (a slip, or on purpose), its owner having a way of
proof, does not keep Lou from the guest card Dana typed for him: a code to his address opens
the card it may open (code_opens()) first, and only then prefers a card its owner made."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import LOU, dana_types_lou, signs_in
from tests.signin.test_passkeys import add_passkey


async def eve_carries_lous_address(new_phone):  # type: ignore[no-untyped-def]
    eve = await new_phone()
    await eve.make_card(name="Eve Roe", email=LOU["email"])
    assert (await add_passkey(eve, SoftAuthenticator("http://testserver"))).status_code == 201
    return eve


async def test_lou_claims_the_guest_card_though_eve_s_card_carries_his_address(
    new_phone, pool, mail, app
):
    await dana_types_lou(new_phone)  # a guest card "Lou Park", lou@example.com
    await eve_carries_lous_address(new_phone)
    lou = await new_phone()
    signed = await signs_in(lou, mail, app)
    assert signed.status_code == 303, text_of(signed)
    assert signed.headers["location"] == lou.url("contacts") + "?notice=signed_in"
    assert "Lou Park" in text_of(await lou.get(lou.url("card")))
    assert "Dana Lee" in text_of(await lou.get(lou.url("contacts")))
    # Eve's card is still hers, and the code opened nothing of it.
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Eve Roe'") == 1
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0, "claimed"


async def test_lou_s_own_card_still_comes_before_the_guest_card_which_is_offered(
    new_phone, pool, mail, app
):
    """Lou's own card (no way of proof yet: the code may open it) is the one signed in to,
    chosen on "Which card is yours?" (Eve's, with a passkey, is listed there to sign in to
    with it: whose the address is cannot be told); the guest card is offered to merge, Eve's
    card neither opened nor offered."""
    lou_own = await new_phone()
    await lou_own.make_card(**LOU, headline="Chef")
    await dana_types_lou(new_phone, name="Lou from the bakery")
    await eve_carries_lous_address(new_phone)
    laptop = await new_phone()
    asked = await signs_in(laptop, mail, app)
    assert asked.headers["location"] == laptop.url("sign_in_choose_page")
    page = soup(await laptop.get(asked.headers["location"]))
    [button] = page.select("main .card button")
    assert button["aria-label"].startswith("This is mine: sign in as Lou Park")
    form = button.find_parent("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    signed = await laptop.post(form["action"], {**fields, "account_id": button["value"]})
    assert signed.headers["location"] == laptop.url("sign_in_merge") + "?notice=signed_in"
    offer = text_of(await laptop.get(laptop.url("sign_in_merge")))
    assert "A card someone typed for you" in offer and "Lou from the bakery" in offer
    assert "Chef" in text_of(await laptop.get(laptop.url("card")))
