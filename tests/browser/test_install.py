"""The app installs: Chromium's own installability check, the manifest, and the prompts."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    assert_same_document,
    make_card_from_home,
    mark_document,
    service_worker_controls,
)

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
IOS_HINT = "Add Reachout to your Home Screen: tap Share, then Add to Home Screen."


async def manifest_of(page: Page) -> tuple[str, dict[str, Any]]:
    """The manifest this page links to, fetched as the browser would: (URL, JSON)."""
    href = await page.locator('link[rel="manifest"]').get_attribute("href")
    assert href, "the page links to no manifest"
    response = await page.request.get(href)
    assert response.ok, f"{href}: {response.status}"
    assert response.headers["content-type"].startswith("application/manifest+json")
    return response.url, await response.json()


def icon_sizes(icon: dict[str, Any]) -> set[str]:
    return set(icon.get("sizes", "").split())


def purposes(icon: dict[str, Any]) -> set[str]:
    return set(icon.get("purpose", "any").split())


async def test_chromium_finds_the_app_installable(profile_phone: NewPage) -> None:
    dana = await profile_phone()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)

    cdp = await dana.context.new_cdp_session(dana)
    check = await cdp.send("Page.getInstallabilityErrors")
    assert check["installabilityErrors"] == [], check
    parsed = await cdp.send("Page.getAppManifest")
    assert parsed.get("errors") == [], parsed.get("errors")

    url, manifest = await manifest_of(dana)
    assert manifest["name"] == "Reachout"
    assert manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"]
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] and manifest["background_color"]

    icons = manifest["icons"]
    for size in ("192x192", "512x512"):
        assert any(size in icon_sizes(i) and "any" in purposes(i) for i in icons), size
    maskable = [i for i in icons if "maskable" in purposes(i)]
    assert maskable, "no maskable icon"
    # Every icon is there, and as big as the manifest says.
    for icon in icons:
        response = await dana.request.get(icon["src"])
        assert response.ok, icon["src"]
        if icon.get("type") == "image/png":
            image = Image.open(io.BytesIO(await response.body()))
            assert f"{image.width}x{image.height}" in icon_sizes(icon), icon

    shortcuts = {shortcut["url"]: shortcut for shortcut in manifest["shortcuts"]}
    assert {"/share", "/scan"} <= set(shortcuts), shortcuts
    assert all(shortcut["name"] for shortcut in shortcuts.values())
    assert url.endswith(".webmanifest")


async def test_ios_safari_shows_add_to_home_screen_once(new_phone_page: NewPage) -> None:
    dana = await new_phone_page(user_agent=IPHONE_SAFARI)
    await make_card_from_home(dana, DANA)
    hint = dana.get_by_text(IOS_HINT)
    await expect(hint).to_be_visible()
    # Safari has no install prompt of its own to offer.
    await expect(dana.get_by_role("button", name="Install Reachout")).to_be_hidden()

    # As Safari on iOS taps it: a click that does not focus the button first.
    await dana.get_by_role("button", name="Dismiss").dispatch_event("click")
    await expect(hint).to_be_hidden()
    # Focus stays by where she was (what is just above the banner: Safari does not focus a
    # tapped button, so this holds however she got there), not the page's top.
    focused = dana.locator(":focus")
    await expect(focused).to_have_count(1)
    just_above = await focused.evaluate(
        """e => {
            const banner = document.querySelector("[data-install-banner]");
            const above = e.compareDocumentPosition(banner) & Node.DOCUMENT_POSITION_FOLLOWING;
            return Boolean(above) && e !== document.body && e.closest("main") !== null;
        }"""
    )
    assert just_above, await focused.evaluate("e => e.outerHTML")
    await dana.reload()
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(hint).to_be_hidden()
    await dana.goto("/contacts")
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(hint).to_be_hidden()


async def test_ios_safari_with_no_card_is_not_told_to_move_one(new_phone_page: NewPage) -> None:
    visitor = await new_phone_page(user_agent=IPHONE_SAFARI)
    await visitor.goto("/")
    hint = visitor.get_by_text(IOS_HINT)
    await expect(hint).to_be_visible()
    await expect(hint).to_contain_text("Then open it from there and make your card in it.")
    await expect(hint.get_by_role("link", name="move your card to it")).to_have_count(0)


# Counts Chromium's install offers in each page, so a test can wait for one.
COUNT_INSTALL_OFFERS = """
window.__installOffers = 0;
window.addEventListener("beforeinstallprompt", () => { window.__installOffers += 1; });
"""


async def test_android_chrome_offers_install_once(profile_phone: NewPage) -> None:
    dana = await profile_phone()
    await dana.context.add_init_script(COUNT_INSTALL_OFFERS)
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.reload()  # Chromium offers installation (beforeinstallprompt) to a page it controls
    install = dana.get_by_role("button", name="Install Reachout")
    await expect(install).to_be_visible()
    await expect(dana.get_by_text(IOS_HINT)).to_be_hidden()
    # Offered some time after the page loaded: below the page, so nothing the thumb was
    # about to tap moves down under it.
    heading = dana.get_by_role("heading", level=1, name=DANA.name)
    assert await dana.evaluate(
        """([heading, button]) => Boolean(
             heading.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING)""",
        [await heading.element_handle(), await install.element_handle()],
    ), "the install offer is above the page"

    await dana.get_by_role("button", name="Dismiss").tap()
    await expect(install).to_be_hidden()
    await dana.reload()
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    # Chromium offers it again, and the app keeps it to itself.
    await dana.wait_for_function("() => window.__installOffers > 0")
    await expect(install).to_be_hidden()


async def test_a_new_version_waits_until_the_person_reloads(new_phone_page: NewPage) -> None:
    """A deployed update installs in the background; the open page keeps its version until
    "Reload". (A new version is stood in for by the same worker at another script URL,
    which the browser installs as an update just the same.)"""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    current = await dana.evaluate("() => navigator.serviceWorker.controller.scriptURL")
    await mark_document(dana)

    heading = dana.get_by_role("heading", level=1, name=DANA.name)
    top = await heading.bounding_box()
    await dana.evaluate("() => navigator.serviceWorker.register('/sw.js?next=1')")
    notice = dana.get_by_role("status").filter(has_text="A new version is ready.")
    await expect(notice).to_be_visible()
    # Over the page, above the tab bar: the page did not move down under a thumb.
    assert await heading.bounding_box() == top
    box, bar = await notice.bounding_box(), await dana.locator(".tabs").bounding_box()
    assert box is not None and bar is not None and box["y"] + box["height"] <= bar["y"]
    # Nothing changes under the open page until then.
    await assert_same_document(dana)
    assert await dana.evaluate("() => navigator.serviceWorker.controller.scriptURL") == current

    await notice.get_by_role("button", name="Reload").tap()
    await dana.wait_for_function(
        "() => !window.__sameDocument"
        " && navigator.serviceWorker.controller?.scriptURL.endsWith('/sw.js?next=1')"
    )
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(dana.locator("#qr svg")).to_be_visible()
