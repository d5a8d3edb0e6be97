"""The Follow-ups tab's number says what it counts: people waiting for her to accept are not
"due" (the page under it says nobody is), while the app icon still counts all who need her."""

from __future__ import annotations

from tests.phone import Phone, soup, text_of
from tests.reminders import make_due, zone_where_it_is


async def tab_badge(phone: Phone) -> tuple[str, str, str, str]:
    """On the Follow-ups page: the tab's number, what it says, the app icon's count, the page."""
    page = await phone.get(phone.url("followups"))
    badge = soup(page).select_one("nav.tabs .badge")
    assert badge is not None, "the Follow-ups tab has no number"
    return badge.get_text(), badge["aria-label"], soup(page).body["data-badge"], text_of(page)


async def test_people_waiting_for_her_are_not_called_due(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("share_ask_first"), {"ask_details_first": "on"})
    link = await dana.share_link()
    for name, email in (("Mia Chen", "mia@example.com"), ("Sam Roe", "sam@example.com")):
        visitor = await new_phone()
        left = await visitor.post(
            link + "/details",
            {"name": name, "email": email, "time_zone": zone_where_it_is(True)},
        )
        assert left.status_code == 303

    # Nothing is due: the page says so, and the tab does not say otherwise.
    shown, said, icon, page = await tab_badge(dana)
    assert "Reach out now" not in page
    assert (shown, said, icon) == ("2", "2 waiting for you", "2")

    # Their follow-ups fall due: both counts, each by its name, and the total on the icon.
    await make_due(pool)
    shown, said, icon, page = await tab_badge(dana)
    assert "Reach out now (2)" in page
    assert (shown, said, icon) == ("4", "2 due, 2 waiting for you", "4")

    # She accepts both: nobody waits, two are due.
    for contact_id in await pool.fetch(
        "SELECT id FROM contacts WHERE owner_id = 1 AND sharing = 'pending' ORDER BY id"
    ):
        contact = soup(await dana.get(dana.url("contact", contact_id=contact_id["id"])))
        accept = contact.find("button", string=lambda s: s is not None and s.startswith("Accept"))
        assert accept is not None
        assert (await dana.post(accept.find_parent("form")["action"], {})).status_code == 303
    shown, said, icon, _ = await tab_badge(dana)
    assert (shown, said, icon) == ("2", "2 due", "2")
