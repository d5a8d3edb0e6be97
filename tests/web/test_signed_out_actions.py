"""An action of the signed-in app (a contact's note, give and get, a tap...) sent from a
browser signed out since its page was shown (Settings on another device), or whose account
was deleted from another browser meanwhile: it says so, with a way to sign in again; never
"No card on this phone yet", nor an offer to make a card (a second account)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.contacts.test_routes import swap
from tests.phone import soup, text_of

SIGNED_OUT = "You were signed out on this browser."
NO_CARD = "No card on this phone yet"


async def dana_with_a_contact(new_phone, pool):  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")
    ana = await new_phone()
    await ana.make_card(name="Ana Silva")
    await swap(dana, ana)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards k ON k.account_id = c.contact_id"
        " WHERE k.name = 'Ana Silva'"
    )
    return dana, contact_id


def sign_in_links(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        a["href"]
        for a in soup(response).select("a[href]")
        if urlsplit(a["href"]).path.endswith("/sign-in")
    ]


async def test_a_note_saved_after_signing_out_elsewhere_says_so_in_place(new_phone, pool):
    dana, contact_id = await dana_with_a_contact(new_phone, pool)
    page = dana.url("contact", contact_id=contact_id)
    await pool.execute("DELETE FROM sessions")  # signed out from another device
    saved = await dana.post(
        dana.url("contact_note", contact_id=contact_id),
        {"note": "Met at the coffee stand"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://test" + page},
    )
    assert saved.status_code == 403
    said = text_of(saved)
    assert said.startswith("Nothing was changed. " + SIGNED_OUT)
    assert NO_CARD not in said and "Make my card" not in said
    # Said above the form, which stays as it is, with what was typed.
    assert saved.headers["HX-Retarget"] == "#flash"
    links = sign_in_links(saved)
    assert links, said
    assert parse_qs(urlsplit(links[0]).query)["next"] == [page]
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", contact_id) == ""


async def test_without_javascript_the_page_says_signed_out_and_offers_no_new_card(new_phone, pool):
    dana, contact_id = await dana_with_a_contact(new_phone, pool)
    await pool.execute("DELETE FROM sessions")
    for url, form in (
        (dana.url("contact_note", contact_id=contact_id), {"note": "Met at the coffee stand"}),
        (dana.url("contact_give_get", contact_id=contact_id), {"give": "An intro"}),
    ):
        answer = await dana.post(url, form)
        assert answer.status_code == 403, url
        said = text_of(answer)
        assert SIGNED_OUT in said, said
        assert NO_CARD not in said and "Make my card" not in said
        assert sign_in_links(answer)


async def test_an_action_after_the_account_was_deleted_elsewhere_says_that(new_phone, pool):
    dana, contact_id = await dana_with_a_contact(new_phone, pool)
    await pool.execute("SELECT delete_account(account_id) FROM cards WHERE name = 'Dana Lee'")
    saved = await dana.post(
        dana.url("contact_note", contact_id=contact_id),
        {"note": "Met at the coffee stand"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 403
    said = text_of(saved)
    assert "Your account was deleted" in said and "from another browser" in said
    assert NO_CARD not in said and "Make my card" not in said


async def test_a_browser_that_never_had_a_card_is_still_offered_one(new_phone):
    stranger = await new_phone()
    answer = await stranger.post(stranger.url("contact_note", contact_id=1), {"note": "x"})
    assert answer.status_code == 404
    assert "Make my card" in text_of(answer)


async def test_a_contact_page_opened_after_signing_out_elsewhere_leads_back_to_it(new_phone, pool):
    dana, contact_id = await dana_with_a_contact(new_phone, pool)
    page = dana.url("contact", contact_id=contact_id)
    await pool.execute("DELETE FROM sessions")
    answer = await dana.get(page)
    assert answer.status_code == 403
    said = text_of(answer)
    assert "Sign in to open this" in said and SIGNED_OUT in said
    assert NO_CARD not in said and "Make my card" not in said
    nexts = [parse_qs(urlsplit(link).query).get("next") for link in sign_in_links(answer)]
    assert [page] in nexts
