"""Security and caching headers on pages and static files, through a phone."""

from __future__ import annotations

import base64
import hashlib

from tests.phone import soup


async def test_pages_carry_the_security_headers_and_are_never_stored(new_phone):
    phone = await new_phone()
    page = await phone.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "camera=(self)" in page.headers["permissions-policy"]
    assert page.headers["cache-control"] == "no-store"
    # The test settings are plain http: no HSTS.
    assert "strict-transport-security" not in page.headers


async def test_the_inline_stylesheet_of_a_shared_card_is_allowed_by_its_hash(new_phone):
    dana = await new_phone()
    await dana.make_card()
    visitor = await new_phone()
    page = await visitor.get(await dana.share_link())
    assert page.status_code == 200
    style = soup(page).select_one("style")
    assert style is not None and style.string
    digest = base64.b64encode(hashlib.sha256(style.string.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]


async def test_versioned_static_files_are_cached_for_a_year_others_briefly(new_phone):
    phone = await new_phone()
    page = await phone.get("/")
    stylesheet = soup(page).select_one("link[rel=stylesheet]")
    assert stylesheet is not None
    href = str(stylesheet["href"])
    assert "?v=" in href
    versioned = await phone.get(href)
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["x-content-type-options"] == "nosniff"
    plain = await phone.get(href.split("?", 1)[0])
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "public, max-age=300"


async def test_the_service_worker_is_revalidated_not_stored(new_phone):
    response = await (await new_phone()).get("/sw.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
