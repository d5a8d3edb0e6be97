"""What a person does with their thumbs, written once for the browser tests."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import zxingcpp
from PIL import Image
from playwright.async_api import Locator, Page, expect


@dataclass(frozen=True)
class Card:
    name: str
    headline: str = ""
    email: str = ""
    phone: str = ""
    looking_for: str = ""
    can_help_with: str = ""


DANA = Card(
    name="Dana Lee",
    headline="Recruiter, fashion and apparel",
    email="dana@example.com",
    phone="+1 415 555 0134",
    looking_for="Online marketers who know fashion",
    can_help_with="Intros to recruiters in fashion and apparel",
)
MIA = Card(name="Mia Chen", email="mia@example.com", headline="Growth marketer")


def card_form(page: Page) -> Locator:
    return page.locator("form", has=page.get_by_role("button", name="Save my card"))


def name_input(scope: Page | Locator) -> Locator:
    # The label reads "Name (required)"; anchored so "LinkedIn: ...username" never matches.
    return scope.get_by_label(re.compile(r"^Name\b"))


async def fill_card_form(page: Page, card: Card) -> None:
    form = card_form(page)
    await name_input(form).fill(card.name)
    await form.get_by_label("Role or headline").fill(card.headline)
    await form.get_by_label("Email", exact=True).fill(card.email)
    await form.get_by_label("Phone", exact=True).fill(card.phone)
    await form.get_by_label("I'm looking for").fill(card.looking_for)
    await form.get_by_label("I can help with").fill(card.can_help_with)


async def make_card_from_home(page: Page, card: Card) -> None:
    """Open the home page, tap "Make my card", fill it in and save: ends on /share."""
    await page.goto("/")
    await page.get_by_role("link", name="Make my card").tap()
    await expect(page.get_by_role("heading", level=1, name="Make my card")).to_be_visible()
    await fill_card_form(page, card)
    await page.get_by_role("button", name="Save my card").tap()
    await expect(page).to_have_url(re.compile(r"/share$"))
    await expect(page.get_by_role("heading", level=1, name=card.name)).to_be_visible()


async def scan_qr(page: Page) -> str:
    """Point a camera at the QR code: decode a screenshot of it, never the DOM."""
    png = await page.locator("#qr").screenshot()
    image = Image.open(io.BytesIO(png))
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1, f"expected one readable code in the QR screenshot, got {len(codes)}"
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode
    return codes[0].text


async def leave_details(page: Page, owner: str, name: str, email: str) -> None:
    """On someone's public card, leave my name and email: ends on the welcome page."""
    form = page.locator("form", has=page.get_by_role("heading", name="Leave your details"))
    await expect(form).to_be_visible()
    await name_input(form).fill(name)
    await form.get_by_label("Email", exact=True).fill(email)
    await form.get_by_role("button", name=f"Send my details to {owner}").tap()
    await expect(page).to_have_url(re.compile(r"/welcome/\d+$"))
    await expect(page.get_by_role("status").filter(has_text="has your details")).to_contain_text(
        f"{owner} has your details"
    )


def tab(page: Page, name: str) -> Locator:
    """A link in the bottom navigation ("My QR", "Contacts", "Follow-ups", "My card")."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def contact_links(page: Page) -> Locator:
    return page.locator("#contact-list").get_by_role("link")


async def mark_document(page: Page) -> None:
    """Tag this document so a later check can tell a full page load from an htmx swap."""
    await page.evaluate("() => { window.__sameDocument = true; }")


async def assert_same_document(page: Page) -> None:
    assert await page.evaluate("() => window.__sameDocument === true"), (
        "the page did a full navigation instead of an in-place htmx update"
    )
