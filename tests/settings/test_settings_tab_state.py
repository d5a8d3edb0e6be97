"""The tabs on Settings and the pages it leads to: Settings is not one of the tabs, so none is
announced as the current page ("My card, current page" misled a screen reader there), while
My card itself still is."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import soup


def current_tabs(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The names of the main navigation's links announced as the current page."""
    nav = soup(page).find("nav", attrs={"aria-label": "Main"})
    assert nav is not None, "the tabs are shown"
    return [a.get_text(" ", strip=True) for a in nav.find_all("a", attrs={"aria-current": "page"})]


async def test_no_tab_is_current_on_settings_and_its_pages(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    # An address confirmed: "Confirm it's you" then has a way to ask (else it goes back).
    await confirm_addresses(pool, "dana@example.com")
    for name in ("settings", "settings_confirm", "delete_account"):
        page = await phone.get(phone.url(name))
        assert page.status_code == 200, name
        assert current_tabs(page) == [], name


async def test_my_card_is_still_current_on_my_card(new_phone):
    phone = await new_phone()
    await phone.make_card()
    assert current_tabs(await phone.get(phone.url("card"))) == ["My card"]
