"""A passkey button comes hidden, and is shown where the browser can use passkeys. One in a
part of the page htmx swaps in later stayed hidden: passkeys.js looked at the page only once,
as it loaded."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage

# The home page's "Sign in with a passkey", as the server writes it, swapped by htmx into a
# part added to the sign-in page.
SWAP_IN = """async () => {
  const part = document.createElement("div");
  part.id = "swapped-in";
  document.querySelector("main").append(part);
  await htmx.ajax("GET", "/", { target: "#swapped-in", select: "p:has(> [data-passkey])" });
}"""


async def test_a_passkey_button_htmx_swaps_in_is_shown(new_phone_page: NewPage) -> None:
    page = await new_phone_page()
    await page.goto("/sign-in")
    await page.wait_for_load_state("load")  # htmx and passkeys.js at work
    page_button = page.get_by_role("button", name="Sign in with a passkey")
    await expect(page_button).to_be_visible()  # this browser can use passkeys

    await page.evaluate(SWAP_IN)
    swapped = page.locator("#swapped-in [data-passkey]")
    await expect(swapped).to_have_count(1)
    await expect(swapped).to_have_text("Sign in with a passkey")
    await expect(swapped).to_be_visible()
