"""An address whose mail bounced is no way of proof: its owner reads mail elsewhere now. With
no passkey either, she adds the address she reads (or a passkey) with her session alone, and
deleting asks her to type "delete"; else "Confirm it's you" sent her to Settings to confirm a
new address, and Settings sent her back to "Confirm it's you", for ever."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_passkeys import JSON, add_passkey, options

OLD = "dana@old-job.example"


async def dana_whose_address_bounced(new_phone, pool):  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card(email=OLD)
    await confirm_addresses(pool, OLD)
    await pool.execute(
        "UPDATE email_addresses SET bounced_at = now(), bounce_reason = '550 no such user'"
    )
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")  # signed in long ago
    return dana


async def test_an_owner_whose_only_address_bounced_adds_the_one_she_reads(new_phone, pool):
    dana = await dana_whose_address_bounced(new_phone, pool)
    page = " ".join(text_of(await dana.get(dana.url("delete_account"))).split())
    assert (
        f"Our last email to {OLD}, the address confirmed for your account, bounced and no"
        " passkey that confirms it's you, so being signed in on this device is all there is to"
        " confirm it's you."
    ) in page
    assert "put an address you read on your card" not in page

    await dana.make_card(email="dana@home.example")
    settings = await dana.get(dana.url("settings"))
    assert soup(settings).find("a", string="Send me a confirmation") is None
    sent = await dana.post(dana.url("settings_email_confirm"))
    assert sent.status_code == 303, text_of(sent)
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'confirm'") == 1
    # and a passkey, just as freely
    asked = await dana.client.post(dana.url("passkey_register_options"), headers=JSON)
    assert asked.status_code == 200
    # "Confirm it's you" has nothing to ask.
    confirm = await dana.get(dana.url("settings_confirm") + "?then=email")
    assert confirm.status_code == 303


async def test_with_a_passkey_too_the_bounce_advice_is_the_passkey(new_phone, pool):
    dana = await dana_whose_address_bounced(new_phone, pool)
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")

    page = " ".join(text_of(await dana.get(dana.url("settings_confirm") + "?then=email")).split())
    assert (
        f"Our last email to {OLD} bounced, so the code may not arrive. If it does not, confirm"
        " with one of your passkeys."
    ) in page
    await dana.make_card(email="dana@home.example")
    refused = await dana.post(dana.url("settings_email_confirm"))
    assert refused.status_code == 403
    assert "with one of your passkeys" in " ".join(text_of(refused).split())
    assert (await options(dana, "settings_confirm_passkey_options"))["allowCredentials"]
