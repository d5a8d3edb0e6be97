"""axe-core and tap-target checks on every main page, on a 360px-wide phone.

One walk through the app (make a card, share it, a visitor leaves details,
back to contacts) stops on each main page; at each stop the page is checked
and any problems are collected, so one run reports every page that fails.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    card_form,
    contact_links,
    fill_card_form,
    leave_details,
    make_card_from_home,
    name_input,
    scan_qr,
)

MIN_TAP_PX = 44

Check = Callable[[str, Page], Awaitable[None]]
MAIN_PAGES = [
    "home",
    "card form (empty)",
    "card form (with an error)",
    "share page",
    "tap screen (guest form open)",
    "scan screen",
    "card page",
    "card page (editing in place)",
    "public card (visitor)",
    "welcome page",
    "contacts list",
    "contact page",
]


async def walk_main_pages(new_phone_page: NewPage, check_page: Check, **options: Any) -> None:
    """Visit each main page as a person would, calling ``check_page(label, page)`` at each
    one once the page has loaded."""

    async def check(label: str, page: Page) -> None:
        # After a tap or a form post, the expect() waits below pass as soon as the DOM is
        # parsed, while app.css can still be loading (once the service worker controls
        # the page, through its cache-first fetch; the welcome page is the first page of
        # the visitor's phone that links it). Checked then, the page is unstyled: the
        # brand link is 17 px tall and colours are the browser's. The load event waits
        # for the stylesheet.
        await page.wait_for_load_state("load")
        await check_page(label, page)

    # The app sends a strict CSP (no inline scripts); bypass it so axe can be injected.
    dana = await new_phone_page(bypass_csp=True, **options)
    await dana.goto("/")
    await check("home", dana)

    await dana.get_by_role("link", name="Make my card").tap()
    await expect(card_form(dana)).to_be_visible()
    await check("card form (empty)", dana)

    await name_input(card_form(dana)).fill("")
    await dana.get_by_role("button", name="Save my card").tap()
    await expect(dana.get_by_role("alert")).to_contain_text("Nothing was saved yet")
    await check("card form (with an error)", dana)

    await fill_card_form(dana, DANA)
    await dana.get_by_role("button", name="Save my card").tap()
    await expect(dana).to_have_url(re.compile(r"/share$"))
    await expect(dana.locator("#qr svg")).to_be_visible()
    await check("share page", dana)
    link = await scan_qr(dana)

    await dana.goto("/tap")
    await expect(dana.locator("#my-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    await dana.get_by_text("Someone without the app").tap()
    await expect(dana.get_by_role("button", name="Save their details")).to_be_visible()
    await check("tap screen (guest form open)", dana)

    await dana.goto("/scan")
    await expect(dana.get_by_role("heading", level=1, name="Scan their code")).to_be_visible()
    await check("scan screen", dana)

    await dana.goto("/card")
    await expect(dana.get_by_role("link", name="Edit my card")).to_be_visible()
    await check("card page", dana)

    await dana.get_by_role("link", name="Edit my card").tap()
    await expect(card_form(dana)).to_be_visible()
    await check("card page (editing in place)", dana)

    mia = await new_phone_page(bypass_csp=True, **options)
    await mia.goto(link)
    await expect(mia.get_by_role("heading", name="Leave your details")).to_be_visible()
    await check("public card (visitor)", mia)

    await leave_details(mia, "Dana Lee", MIA.name, MIA.email)
    await check("welcome page", mia)

    await dana.goto("/contacts")
    await expect(contact_links(dana)).to_have_count(1)
    await check("contacts list", dana)

    await contact_links(dana).first.tap()
    await expect(dana.get_by_role("heading", level=1, name="Mia Chen")).to_be_visible()
    await check("contact page", dana)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
async def test_main_pages_have_no_serious_axe_violations(
    new_phone_page: NewPage, color_scheme: str
) -> None:
    reports: list[str] = []
    checked: list[str] = []

    async def check(label: str, page: Page) -> None:
        checked.append(label)
        violations = await axe_violations(page)
        if violations:
            reports.append(describe_violations(f"{label} ({page.url})", violations))

    await walk_main_pages(new_phone_page, check, color_scheme=color_scheme)
    assert checked == MAIN_PAGES
    assert not reports, "serious or critical axe violations:\n" + "\n".join(reports)


# Every control a thumb might aim for, measured in the browser. Left out, on purpose:
# - hidden things (display:none, [hidden], zero size), e.g. "Copy link" where unsupported;
# - things off the screen until focused, i.e. the "Skip to content" link for keyboards;
# - links inline in a sentence of text, which WCAG 2.5.8 exempts (none exist today);
# - a checkbox or radio inside a <label>: the whole label is what you tap, so measure it.
TAP_TARGETS_JS = """
(minPx) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
    '[role=button], [role=link], [tabindex]:not([tabindex="-1"])';
  const inlineInText = (el) => {
    if (getComputedStyle(el).display !== 'inline') return false;
    const parent = el.parentElement;
    return [...parent.childNodes].some(
      (node) => node !== el && node.textContent.trim() !== '' && !node.contains(el));
  };
  const problems = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
    if (rect.right <= 0 || rect.left >= window.innerWidth) continue;
    if (el.tagName === 'A' && inlineInText(el)) continue;
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) {
      target = el.closest('label');
    }
    const height = target.getBoundingClientRect().height;
    if (height < minPx) {
      const name = (el.innerText || el.value || el.getAttribute('aria-label') ||
                    el.name || '').trim().slice(0, 60);
      problems.push(`${el.outerHTML.slice(0, 120)} ("${name}") is ${height.toFixed(1)}px tall`);
    }
  }
  return problems;
}
"""


async def test_main_pages_have_tap_targets_at_least_44px_tall(new_phone_page: NewPage) -> None:
    reports: list[str] = []
    checked: list[str] = []

    async def check(label: str, page: Page) -> None:
        checked.append(label)
        problems = await page.evaluate(TAP_TARGETS_JS, MIN_TAP_PX)
        reports.extend(f"{label}: {problem}" for problem in problems)

    await walk_main_pages(new_phone_page, check)
    assert checked == MAIN_PAGES
    assert not reports, f"tap targets under {MIN_TAP_PX}px tall:\n" + "\n".join(reports)


async def test_the_event_form_has_tap_targets_at_least_44px_tall(new_phone_page: NewPage) -> None:
    # Its start and end pickers were 20 px tall, a third of the screen wide.
    olga = await new_phone_page()
    await make_card_from_home(olga, DANA)
    await olga.goto("/events/new")
    await expect(olga.get_by_role("heading", level=1)).to_be_visible()
    await olga.wait_for_load_state("load")
    assert await olga.evaluate(TAP_TARGETS_JS, MIN_TAP_PX) == []
    starts = await olga.get_by_label("Starts").bounding_box()
    assert starts is not None and starts["width"] > 300
