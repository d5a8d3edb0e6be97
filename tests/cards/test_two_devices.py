"""My card from two devices (or tabs): a stale form reverts nothing, a signed-out browser makes
no second account, and "Remove photo" removes only the photo it showed."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import DEFAULT_CARD, Phone, soup, text_of
from tests.signin.test_routes import ask_code, code_from

SIGNED_OUT = "You were signed out on this browser. Sign in to save your card."
CHANGED = "Not saved: your card was changed on another phone or tab since you opened it."


def editor(response: httpx.Response) -> dict[str, str]:
    """What the card editor in ``response`` would send as it stands, hidden fields included."""
    form = soup(response).select_one("#card-form")
    assert form is not None, response.text
    values = {str(i["name"]): str(i.get("value", "")) for i in form.select("input[name]")}
    values |= {str(area["name"]): area.get_text() for area in form.select("textarea[name]")}
    return values


async def card(pool) -> dict:  # type: ignore[no-untyped-def]
    return dict(await pool.fetchrow("SELECT * FROM cards"))


async def laptop_signed_in(new_phone, mail, app) -> Phone:  # type: ignore[no-untyped-def]
    laptop = await new_phone()
    await ask_code(laptop, DEFAULT_CARD["email"])
    code = await code_from(mail, app)
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": DEFAULT_CARD["email"], "code": code}
    )
    assert signed.status_code == 303
    return laptop


async def test_saving_the_editor_after_being_signed_out_elsewhere_makes_no_second_account(
    new_phone, pool, mail, app
):
    phone = await new_phone()
    await phone.make_card()
    laptop = await laptop_signed_in(new_phone, mail, app)
    typed = {**editor(await laptop.get(laptop.url("card_edit"))), "headline": "Head of talent"}
    before = await card(pool)
    # Dana signs every other browser out from her phone's Settings; the laptop's form is open.
    assert (await phone.post(phone.url("sign_out_others"), {})).status_code == 303

    refused = await laptop.post(laptop.url("card_save"), typed, htmx=True)

    assert refused.status_code == 403
    assert SIGNED_OUT in text_of(refused)
    assert editor(refused)["headline"] == "Head of talent", "what was typed is kept"
    assert soup(refused).select_one("a[href^='/sign-in']").get_text() == "Sign in"
    # Saving again (the cookie is gone by now), without htmx: the whole page, refused too.
    again = await laptop.post(laptop.url("card_save"), editor(refused))
    assert again.status_code == 403
    assert SIGNED_OUT in text_of(again) and "Edit my card" in text_of(again)
    assert "ro_session" not in again.headers.get("set-cookie", "")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Dana Lee'") == 1
    assert await card(pool) == before
    # The phone is still signed in to the one account, its card as it was.
    assert "Recruiter, fashion and apparel" in text_of(await phone.get(phone.url("card")))


async def test_a_save_from_a_form_opened_before_another_edit_reverts_nothing(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    laptop_tab = editor(await dana.get(dana.url("card_edit")))
    phone_tab = editor(await dana.get(dana.url("card_edit")))
    saved = await dana.post(dana.url("card_save"), {**phone_tab, "headline": "Head of talent"})
    assert saved.status_code == 303

    stale = await dana.post(
        dana.url("card_save"), {**laptop_tab, "company": "Threadline Inc."}, htmx=True
    )

    assert stale.status_code == 409
    said = text_of(stale)
    assert CHANGED in said
    assert "Role or headline: “Head of talent”" in said and "Company" in said
    assert "Save again to replace it with what is below, or Cancel" in said
    shown = editor(stale)
    assert (shown["company"], shown["headline"]) == ("Threadline Inc.", DEFAULT_CARD["headline"])
    now = await card(pool)
    assert (now["headline"], now["company"]) == ("Head of talent", "Threadline")

    # Saving again, having seen what the card says now, replaces it.
    again = await dana.post(dana.url("card_save"), shown)
    assert again.status_code == 303
    now = await card(pool)
    assert (now["headline"], now["company"]) == (DEFAULT_CARD["headline"], "Threadline Inc.")


async def test_looking_for_set_on_an_event_page_is_not_reverted_by_an_open_editor(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    open_editor = editor(await ana.get(ana.url("card_edit")))
    matching = await ana.post(
        ana.url("event_matching", event_id=event_id),
        {"looking_for": "A designer for my shop", "can_help_with": "Intros to recruiters"},
    )
    assert matching.status_code == 303

    stale = await ana.post(ana.url("card_save"), {**open_editor, "headline": "Shop owner"})

    assert stale.status_code == 409
    assert "<html" in stale.text, "the whole editor page, without htmx"
    said = text_of(stale)
    assert CHANGED in said and "I'm looking for: “A designer for my shop”" in said
    saved = await pool.fetchrow("SELECT * FROM cards WHERE name = 'Ana Silva'")
    assert (saved["looking_for"], saved["headline"]) == ("A designer for my shop", "Guest")


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def remove_form(response: httpx.Response) -> dict[str, str]:
    form = soup(response).select_one("#card-photo form[action='/card/photo/remove']")
    assert form is not None, response.text
    return {str(i["name"]): str(i.get("value", "")) for i in form.select("input[name]")}


async def test_remove_photo_on_a_page_showing_an_older_photo_keeps_the_new_one(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("card_photo"), files={"photo": ("x.jpg", jpeg("red"), "image/jpeg")})
    laptop_page = await dana.get(dana.url("card"))  # showing the red photo
    await dana.post(dana.url("card_photo"), files={"photo": ("y.jpg", jpeg("blue"), "image/jpeg")})
    blue = await pool.fetchval("SELECT photo_key FROM cards")

    refused = await dana.post(dana.url("card_photo_remove"), remove_form(laptop_page), htmx=True)

    assert refused.status_code == 409
    alert = soup(refused).select_one("#card-photo [role=alert]")
    assert alert is not None and "changed on another phone or tab" in alert.get_text()
    assert soup(refused).select_one(f"#card-photo img[src$='{blue}']") is not None
    assert await pool.fetchval("SELECT photo_key FROM cards") == blue
    assert await pool.fetchval("SELECT count(*) FROM photos") == 1

    # Removing the photo it now shows works.
    removed = await dana.post(dana.url("card_photo_remove"), remove_form(refused), htmx=True)
    assert removed.status_code == 200
    assert await pool.fetchval("SELECT photo_key FROM cards") is None
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0
