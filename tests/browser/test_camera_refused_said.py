"""Scan says why the camera did not open: refused for this site (and where to allow it), no
camera at all, or one in use by another app; the photo and "Show my QR code instead" stay.

The refusals are stood in for by a ``getUserMedia`` that fails with the error the browser
gives; the phone with no camera is headless Chromium itself, as it is (no fake device).
"""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import MIA, make_card_from_home

REFUSED = (
    "The camera is blocked for this site: Reachout may not use it. Allow the camera in your "
    "browser's site settings, or take a photo of the code instead."
)
NO_CAMERA = "This phone has no camera we can open. Take a photo of the code instead."
IN_USE = (
    "The camera is in use by another app. Close that app and open Scan again, "
    "or take a photo of the code instead."
)


def camera_fails_with(name: str) -> str:
    """An init script: the browser's camera fails at once with the DOMException ``name``."""
    return (
        "navigator.mediaDevices.getUserMedia = () =>"
        f" Promise.reject(new DOMException('refused in a test', {json.dumps(name)}));"
    )


async def mia_opens_scan(new_phone_page: NewPage, fails_with: str | None) -> Page:
    mia = await new_phone_page()
    if fails_with:
        await mia.context.add_init_script(camera_fails_with(fails_with))
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    await expect(mia.get_by_role("heading", level=1, name="Scan their code")).to_be_visible()
    return mia


async def assert_other_ways_offered(page: Page) -> None:
    await expect(page.get_by_text("Take a photo of the code", exact=True)).to_be_visible()
    await expect(page.get_by_label("Take a photo of the code")).to_be_attached()
    await expect(page.get_by_role("link", name="Show my QR code instead")).to_be_visible()


@pytest.mark.parametrize(
    ("fails_with", "words"),
    [("NotAllowedError", REFUSED), ("NotFoundError", NO_CAMERA), ("NotReadableError", IN_USE)],
    ids=["refused", "no camera", "in use"],
)
async def test_why_the_camera_did_not_open_is_said(
    new_phone_page: NewPage, fails_with: str, words: str
) -> None:
    mia = await mia_opens_scan(new_phone_page, fails_with)
    await expect(mia.get_by_text(words, exact=True)).to_be_visible()
    await assert_other_ways_offered(mia)


async def test_a_phone_with_no_camera_is_told_so(new_phone_page: NewPage) -> None:
    """Headless Chromium with no camera (the reviewer's phone): not a vague "could not be
    opened", nor told to allow a camera it does not have."""
    mia = await mia_opens_scan(new_phone_page, None)
    await expect(mia.get_by_text(NO_CAMERA, exact=True)).to_be_visible()
    await assert_other_ways_offered(mia)
