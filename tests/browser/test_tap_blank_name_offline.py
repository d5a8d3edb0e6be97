"""A guest's name typed on Tap with no network that shows nothing (a Hangul filler, "ㅤ") is
refused there and then, in the server's words (fields.NO_VISIBLE_NAME), as an empty one is:
kept, it was refused only once back online, the guest long gone."""

from __future__ import annotations

from playwright.async_api import expect

from server.cards import fields
from tests.browser.conftest import NewPage
from tests.browser.test_tap import guest_form, offline_on_tap
from tests.browser.ui import name_input, outbox_list, outbox_records


async def test_a_name_with_nothing_to_see_is_refused_offline_and_not_kept(
    new_phone_page: NewPage,
) -> None:
    dana = await offline_on_tap(new_phone_page)
    form = await guest_form(dana)
    name = name_input(form)
    await name.fill("\u3164")
    await form.get_by_label("Email", exact=True).fill("omar@example.com")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(form.get_by_role("alert")).to_have_text([fields.NO_VISIBLE_NAME])
    await expect(name).to_be_focused()
    await expect(name).to_have_accessible_description(fields.NO_VISIBLE_NAME)
    await expect(form.get_by_label("Email", exact=True)).to_have_value("omar@example.com")
    await expect(dana.get_by_text("Kept on this phone:")).to_have_count(0)
    await expect(outbox_list(dana).get_by_role("listitem")).to_have_count(0)
    assert await outbox_records(dana) == []

    # Put right, the same guest is kept.
    await name.fill("Omar Haddad")
    await form.get_by_role("button", name="Save their details").tap()
    await expect(dana.get_by_text("Kept on this phone: Details of Omar Haddad.")).to_be_visible()
    await expect(form.get_by_role("alert")).to_have_count(0)
    assert len(await outbox_records(dana)) == 1
