"""Signing in on a phone that had reminders on for another account (a card made at the
event, then "I already have a card"): that phone's subscription goes with the session it
belonged to, so its reminders stop; the notice says so and leads to turning them on."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.reminders import subscribe
from tests.signin.test_routes import ask_code, code_from


async def test_signing_in_where_reminders_were_on_says_they_are_off_here(
    new_phone, pool, mail, app, push
):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")  # her real account, on her laptop
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")
    phone = await new_phone()
    # At the event, on her phone: a card of its own, with someone in it, and reminders on.
    await phone.make_card(name="Dana at the event", email="dana.work@example.com")
    await phone.post(await ana.share_link() + "/swap")
    await subscribe(phone, push)
    await ask_code(phone, "dana@example.com")
    signed = await phone.post(
        phone.url("sign_in_code"), {"email": "dana@example.com", "code": await code_from(mail, app)}
    )
    assert signed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    landed = await phone.get(signed.headers["location"])
    notice = soup(landed).select_one("[data-notice]")
    said = " ".join(notice.get_text().split())
    assert said.startswith("Signed in.")
    assert "reminders are on this device" not in said.lower()
    assert "Reminders are off on this phone" in said
    link = notice.find("a")
    assert link is not None and link["href"] == phone.url("settings") + "#push"
    settings = await phone.get(link["href"])
    assert "Turn on reminders" in text_of(settings)


async def test_signing_in_where_reminders_were_off_says_the_usual(new_phone, mail, app, push):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")
    laptop = await new_phone()
    await laptop.make_card(name="Dana at the event", email="dana.work@example.com")
    await laptop.post(await ana.share_link() + "/swap")
    # Reminders on, but on her other account's phone: nothing is lost on this laptop.
    await subscribe(dana, push)
    await ask_code(laptop, "dana@example.com")
    signed = await laptop.post(
        laptop.url("sign_in_code"),
        {"email": "dana@example.com", "code": await code_from(mail, app)},
    )
    said = text_of(await laptop.get(signed.headers["location"]))
    assert "Signed in. Your card, contacts and reminders are on this device." in said
    assert "Reminders are off" not in said
