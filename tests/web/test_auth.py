"""The viewer is resolved once per request, and every page knows them; guards answer clearly."""

from __future__ import annotations

from tests.phone import soup, text_of


def signed_in_page(response) -> bool:  # type: ignore[no-untyped-def]
    body = soup(response).body
    return body is not None and body.has_attr("data-signed-in")


async def test_every_kind_of_page_shows_a_signed_in_person_as_signed_in(new_phone):
    phone = await new_phone()
    await phone.make_card()
    for url in (phone.url("join_code"), phone.url("contacts"), "/no-such-page", "/contacts/999999"):
        response = await phone.get(url)
        assert signed_in_page(response), url
        tabs = [tab.get_text(" ", strip=True) for tab in soup(response).select("nav a")]
        assert "Follow-ups" in tabs, (url, tabs)
    stranger = await new_phone()
    for url in (stranger.url("join_code"), "/no-such-page"):
        assert not signed_in_page(await stranger.get(url)), url


async def test_a_forged_or_unknown_session_is_nobody(new_phone):
    phone = await new_phone()
    phone.client.cookies.set("ro_session", "not-a-session", domain="testserver.local")
    page = await phone.get(phone.url("join_code"))
    assert page.status_code == 200 and not signed_in_page(page)
    phone.client.cookies.set("ro_session", "x" * 500, domain="testserver.local")
    assert not signed_in_page(await phone.get(phone.url("join_code")))


async def test_guards_redirect_a_page_and_refuse_an_action_with_their_message(new_phone, pool):
    phone = await new_phone()
    page = await phone.get(phone.url("share"))
    assert page.status_code == 303 and page.headers["location"] == phone.url("card")
    action = await phone.post(phone.url("share_reset"))
    assert action.status_code == 403 and "Save your card first." in text_of(action)
    settings = await phone.get(phone.url("settings"))
    assert settings.status_code == 404
    assert "then you can choose your reminders" in text_of(settings)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_a_phone_with_no_card_is_offered_both_ways_in_not_an_empty_app(new_phone, pool):
    """A new phone, the app on an iPhone's home screen, a browser signed out: its contacts
    and settings say there is no card here, and offer to make one or to sign in."""
    dana = await new_phone()
    await dana.make_card()
    phone = await new_phone()
    settings = await phone.get(phone.url("settings"))
    contacts = await phone.get(phone.url("contacts"))
    assert settings.status_code == 404 and contacts.status_code == 200
    assert "No card on this phone yet" in text_of(settings)
    assert "No card on this phone yet" in text_of(contacts)
    # Signing in leads back to the page asked for (contacts is where it leads anyway).
    for page, back in ((settings, "?next=%2Fsettings"), (contacts, "")):
        main = soup(page).main
        assert main.find("a", string="Make my card")["href"] == phone.url("card")
        assert main.find("a", string="I already have a card")["href"] == phone.url("sign_in") + back
    # Dana's own empty list still invites her to swap, and nothing offers her a card.
    mine = await dana.get(dana.url("contacts"))
    assert "Show your QR code to the next person you meet." in text_of(mine)
    assert soup(mine).main.find("a", string="I already have a card") is None
