"""The export's devices, as Settings lists them: one whose browser went unused for a session's
life is signed out there and gets no reminders (reminder_devices() in sql/logic.sql), though
retention deletes it only later. Settings marks it so; the export listed it as any other
device with reminders, as if it still reminded her."""

from __future__ import annotations

import json

from tests.export.test_routes import download
from tests.followups.test_idle_device_elsewhere import _unused_401_days
from tests.followups.test_idle_device_gets_email import DANA
from tests.reminders import subscribe, swapped
from tests.settings.test_left_details_device import signed_in_on_laptop


async def test_export_marks_a_device_signed_out_unused(new_phone, pool, mail, app, push):
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push, "Old laptop")
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    await subscribe(phone, push, "Phone")
    await _unused_401_days(pool, "Old laptop")

    data = json.loads((await download(phone, "export_everything")).content)
    marked = {d["device"]: d["signed_out_after_long_unused"] for d in data["devices"]}
    assert marked == {"Old laptop": True, "Phone": False}
    # Still reminded by push: on the phone she uses.
    assert data["reminders"]["by_push_now"] is True
