"""What my export says happened, as the app says it. A request to connect the organizer's
removal of its person withdrew read "withdrawn", as if I had withdrawn it myself, where "Sent
by you" says they are no longer at the event (and one they had declined read "sent", which
told the decline). A browser unused for a session's life, signed out there (session_in_use()
in sql/logic.sql), read as still signed in: no signed_out_at, where the devices list marks
its push device signed out after long unused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bs4 import Tag

from tests.events.test_routes import attendee, organizer_with_event
from tests.export.test_routes import download
from tests.followups.test_idle_device_elsewhere import _unused_401_days
from tests.followups.test_idle_device_gets_email import DANA
from tests.phone import Phone, soup
from tests.reminders import subscribe, swapped
from tests.settings.test_left_details_device import signed_in_on_laptop
from tests.settings.test_opened_for_another_card import form_data

SESSION_LIFE = timedelta(days=400)  # session_max_age() in sql/logic.sql


async def everything(phone: Phone) -> dict[str, Any]:
    return json.loads((await download(phone, "export_everything")).content)


async def test_a_request_to_someone_removed_exports_as_no_longer_at_the_event(new_phone, pool):
    """Ana asks Ben, Cy, Dee and Eve. Cy declines (silently); Ana withdraws hers to Dee. The
    organizer removes Ben, Cy and Dee. Ana's export says Ben and Cy are no longer at the
    event, alike (Cy's decline nowhere), Dee's she withdrew, and Eve's is sent."""
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    people = {}
    for name in ("Ben Ode", "Cy Park", "Dee Moss", "Eve Hart"):
        people[name] = await attendee(new_phone, pool, event_id, name)
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    for name in people:
        asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ids[name]))
        assert asked.status_code == 303, asked.text
    cy = people["Cy Park"]
    request_id = await pool.fetchval(
        "SELECT id FROM connect_requests WHERE to_id = $1", ids["Cy Park"]
    )
    declined = await cy.post(cy.url("request_decide", request_id=request_id, decision="decline"))
    assert declined.status_code == 303
    withdraw = soup(await ana.get(ana.url("requests"))).select_one(
        "#sent-list form:has(button[aria-label='Withdraw your request to Dee Moss'])"
    )
    assert isinstance(withdraw, Tag)
    assert (await ana.post(str(withdraw["action"]))).status_code == 303
    for name in ("Ben Ode", "Cy Park", "Dee Moss"):
        removed = await olga.post(
            olga.url("event_remove_attendee", event_id=event_id, account_id=ids[name]), {}
        )
        assert removed.status_code == 303

    sent = {row.pop("name"): row for row in (await everything(ana))["requests"]["sent"]}
    said = {name: (row["status"], row["withdrawn_at"] is not None) for name, row in sent.items()}
    assert said == {
        "Ben Ode": ("no_longer_at_event", False),
        "Cy Park": ("no_longer_at_event", False),
        "Dee Moss": ("withdrawn", True),
        "Eve Hart": ("sent", False),
    }
    # Ben's and Cy's read the same but for when each was made: nothing tells Cy declined.
    for row in sent.values():
        row.pop("created_at")
    assert sent["Ben Ode"] == sent["Cy Park"]


async def test_a_session_ended_unused_exports_when_it_ended_as_devices_mark_it(
    new_phone, pool, mail, app, push
):
    """Dana's old laptop went unused for 401 days: its session ended 400 days after she last
    used it. Her export says so, as its devices list marks its push device; her phone's
    session is signed in still."""
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    await _unused_401_days(pool, "Old laptop")

    data = await everything(phone)
    old, this = data["sessions"]
    assert this["this_device"] is True
    assert (this["signed_out_at"], this["signed_out_after_long_unused"]) == (None, False)
    assert old["signed_out_after_long_unused"] is True
    ended = datetime.fromisoformat(old["last_seen_at"]) + SESSION_LIFE
    assert datetime.fromisoformat(old["signed_out_at"]) == ended
    assert ended < datetime.fromisoformat(data["exported_at"])
    devices = {d["device"]: d["signed_out_after_long_unused"] for d in data["devices"]}
    assert devices == {"Old laptop": True}


async def test_sign_out_everywhere_else_after_a_session_ended_unused_keeps_when_it_ended(
    new_phone, pool, mail, app, push
):
    """Her old laptop ended unused; then, on her phone, she signs out everywhere else: her
    tablet, in use, is signed out then; the old laptop had ended 400 days after she last used
    it, and still says so."""
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)
    await signed_in_on_laptop(new_phone, mail, app, DANA)  # her tablet, in use
    await _unused_401_days(pool, "Old laptop")
    form = soup(await phone.get(phone.url("settings"))).find(
        "form", action=phone.url("sign_out_others")
    )
    assert isinstance(form, Tag)
    assert (await phone.post(phone.url("sign_out_others"), form_data(form))).status_code == 303

    old, this, tablet = (await everything(phone))["sessions"]
    assert this["this_device"] is True and this["signed_out_at"] is None
    assert tablet["signed_out_at"] is not None
    assert tablet["signed_out_after_long_unused"] is False
    assert old["signed_out_after_long_unused"] is True
    ended = datetime.fromisoformat(old["last_seen_at"]) + SESSION_LIFE
    assert datetime.fromisoformat(old["signed_out_at"]) == ended
    assert ended < datetime.fromisoformat(tablet["signed_out_at"])
