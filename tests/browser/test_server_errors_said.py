"""A 5xx answer to an htmx form is said, not dropped: ours ("Back in a moment" while the
database is away) shows as the server asks, in #flash; a proxy's 502 page is not shown, and a
few words say Reachout did not answer. Either way, what was typed stays in the form."""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_tap_said import FLASH_503, PROXY_502, Answers
from tests.browser.ui import DANA, card_form, make_card_from_home

HEADLINE = "Head of partnerships"
DID_NOT_ANSWER = "Reachout didn't answer just now. Nothing was lost: try again in a moment."


async def save_card_answered(dana: Page, answers: Answers) -> None:
    """Dana edits her card and taps Save; its POST is answered by ``answers``. (The service
    worker leaves an htmx POST alone: the route sees it.) The field is checked as it is left,
    before the tap (a check answered late is the last test's)."""
    await make_card_from_home(dana, DANA)
    await dana.goto("/card/edit")
    await dana.context.route("**/card", answers)
    headline = card_form(dana).get_by_label("Role or headline")
    async with dana.expect_response("**/card/check/*"):
        await headline.fill(HEADLINE)
        await headline.blur()
    save = dana.get_by_role("button", name="Save my card")
    await save.scroll_into_view_if_needed()
    await save.tap()


async def kept_as_typed(dana: Page) -> None:
    await expect(card_form(dana).get_by_label("Role or headline")).to_have_value(HEADLINE)
    await expect(dana.get_by_role("button", name="Save my card")).to_be_enabled()


async def test_back_in_a_moment_on_saving_the_card_is_said(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    away = Answers(503, FLASH_503, ours=True)
    await save_card_answered(dana, away)
    notice = dana.locator("#flash").get_by_role("alert")
    await expect(notice).to_contain_text("Back in a moment.")
    await expect(notice).to_be_in_viewport()
    await kept_as_typed(dana)
    assert len(away.sent) == 1


async def test_a_proxys_502_on_saving_the_card_says_reachout_did_not_answer(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await save_card_answered(dana, Answers(502, PROXY_502, ours=False))
    await expect(dana.get_by_text(DID_NOT_ANSWER)).to_be_in_viewport()
    await expect(dana.get_by_text("502 Bad Gateway")).to_have_count(0)
    await kept_as_typed(dana)


async def test_a_check_answered_after_the_502_leaves_its_note(new_phone_page: NewPage) -> None:
    """The field's check went before the tap and came back after the 502: it says nothing
    about the save, so the note that the save got no answer stays. A request sent after the
    note, answered, takes it away (sent after all)."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card/edit")
    release = asyncio.Event()
    checking = asyncio.Event()

    async def hold_checks(route: Route) -> None:
        checking.set()
        await release.wait()
        await route.continue_()

    await dana.context.route("**/card/check/*", hold_checks)
    await dana.context.route("**/card", Answers(502, PROXY_502, ours=False))
    headline = card_form(dana).get_by_label("Role or headline")
    await headline.fill(HEADLINE)
    await headline.blur()
    await asyncio.wait_for(checking.wait(), 10)
    save = dana.get_by_role("button", name="Save my card")
    await save.scroll_into_view_if_needed()
    await save.tap()
    note = dana.get_by_text(DID_NOT_ANSWER)
    await expect(note).to_be_in_viewport()
    async with dana.expect_response("**/card/check/*"):
        release.set()
    await dana.wait_for_timeout(300)  # the check's answer settled
    await expect(note).to_be_visible()
    await kept_as_typed(dana)

    await dana.context.unroute("**/card/check/*")
    company = card_form(dana).get_by_label("Company")
    async with dana.expect_response("**/card/check/*"):
        await company.fill("Northwind")
        await company.blur()
    await expect(note).to_have_count(0)
