""" "Join the event" sent from a join page shown while signed in, after "Sign out everywhere
else" on another device: told so inside the form htmx swaps in, with Sign in back to the join
page; never taken as a newcomer's form (asked for a name, then a second account)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.events.test_routes import PLAIN, join_code, organizer_with_event
from tests.phone import soup, words

SIGNED_OUT = (
    "You were signed out on this browser (from another device), so you have not joined."
    " Sign in to join as yourself."
)


async def signed_in_then_signed_out(new_phone, pool, how: str = "signed out"):  # type: ignore[no-untyped-def]
    _, event_id = await organizer_with_event(new_phone)
    ana = await new_phone()
    await ana.make_card(**PLAIN, name="Ana Silva", email="ana@example.com")
    ana_id = await pool.fetchval("SELECT max(id) FROM accounts")
    join = ana.url("join_event_submit", code=await join_code(pool, event_id))
    shown = await ana.get(join)
    # Shown while signed in: no card fields, only whether to be listed.
    assert soup(shown).find("input", attrs={"name": "name"}) is None
    if how == "deleted":
        await pool.execute("SELECT delete_account($1)", ana_id)  # from another browser
    else:
        await pool.execute("DELETE FROM sessions WHERE account_id = $1", ana_id)  # elsewhere
    return ana, event_id, join


@pytest.mark.parametrize("by_htmx", [False, True])
async def test_join_sent_after_signing_out_elsewhere_says_so_in_the_form(
    new_phone, pool, app, by_htmx
):
    ana, event_id, join = await signed_in_then_signed_out(new_phone, pool)
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    response = await ana.post(join, {"listed": "on", "time_zone": ""}, htmx=by_htmx)
    assert response.status_code == 403
    # The part htmx swaps in (hx-select="form") says why, and leads to Sign in.
    form = soup(response).select_one("form[hx-select='form']")
    said = words(form)
    assert SIGNED_OUT in said
    assert "Please enter your name" not in said
    link = form.find("a", string="Sign in")
    back = parse_qs(urlsplit(link["href"]).query)["next"][0]
    assert urlsplit(back).path == urlsplit(join).path
    assert app.state.urls.app_page(back) == back
    assert form.find("input", attrs={"name": "listed"}).has_attr("checked")
    # Nothing joined, no account made.
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", event_id)
        == 1
    )


async def test_join_sent_after_the_account_was_deleted_elsewhere_says_so(new_phone, pool):
    ana, event_id, join = await signed_in_then_signed_out(new_phone, pool, "deleted")
    response = await ana.post(join, {"listed": "on"}, htmx=True)
    assert response.status_code == 403
    said = words(soup(response).select_one("form[hx-select='form']"))
    assert "Your account was deleted from another browser, so you have not joined." in said
    assert "Sign in to join as yourself" not in said
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", event_id)
        == 1
    )
