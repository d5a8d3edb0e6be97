"""New event and Edit event sent from a browser signed out since (Settings on another device),
or by an account deleted meanwhile: the form again, with what was typed, and why nothing was
saved; never a page without the form, nor "not one of yours" for one's own event."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from server.web import limits
from tests.events.test_routes import event_form, organizer_with_event
from tests.phone import soup, text_of


def typed_values(response) -> dict[str, str]:
    page = soup(response)
    values = {
        name: page.find("input", id=f"ev-{name}")["value"]
        for name in ("name", "venue", "starts_at", "ends_at", "time_zone")
    }
    values["description"] = page.find("textarea", id="ev-description").get_text().strip()
    return values


def sign_in_next(response) -> str:
    link = soup(response).select_one("form .notice a[href*='next=']")
    return parse_qs(urlsplit(link["href"]).query)["next"][0]


async def test_new_event_sent_after_signing_out_elsewhere_keeps_what_was_typed(
    new_phone, pool, app
):
    olga, _ = await organizer_with_event(new_phone)
    await pool.execute("DELETE FROM sessions")  # signed out from another device
    typed = event_form(name="Typed Lunch", venue="Room 9", description="Bring a friend")
    response = await olga.post(olga.url("event_create"), typed)
    assert response.status_code == 403
    assert "You were signed out on this browser. Sign in to save your event." in text_of(response)
    assert typed_values(response) == {k: v for k, v in typed.items()}
    # Signed in again, the Sign in link leads back to the events, where New event is.
    back = sign_in_next(response)
    assert back == olga.url("events")
    assert app.state.urls.app_page(back) == back
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_an_edit_sent_after_signing_out_elsewhere_keeps_what_was_typed(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await pool.execute("DELETE FROM sessions")
    typed = event_form(name="Renamed Lunch", description="New agenda")
    response = await olga.post(olga.url("event_update", event_id=event_id), typed)
    assert response.status_code == 403
    said = text_of(response)
    assert "not one of yours" not in said
    assert "You were signed out on this browser. Sign in to save this event." in said
    assert typed_values(response) == typed
    assert sign_in_next(response) == olga.url("event", event_id=event_id)
    assert await pool.fetchval("SELECT name FROM events") == "Lunch & Learn"


async def test_a_new_event_from_an_account_deleted_meanwhile_is_said_not_a_500(
    new_phone, pool, monkeypatch
):
    olga, _ = await organizer_with_event(new_phone)
    take = limits.take

    async def deleted_meanwhile(*args, **kwargs):
        # The account deleted from another browser while this request was on its way.
        await pool.execute("SELECT delete_account(id) FROM accounts")
        await take(*args, **kwargs)

    monkeypatch.setattr(limits, "take", deleted_meanwhile)
    typed = event_form(name="Typed Lunch")
    response = await olga.post(olga.url("event_create"), typed)
    assert response.status_code == 403
    assert "Your account was deleted from another browser" in text_of(response)
    assert typed_values(response)["name"] == "Typed Lunch"
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
