"""The home page, and what a PWA needs: manifest, service worker, versioned static files."""

from __future__ import annotations

import json

from tests.phone import soup, text_of


async def test_home_invites_to_make_a_card_and_signed_in_goes_to_qr(new_phone):
    phone = await new_phone()
    home = await phone.get("/")
    assert home.status_code == 200
    assert soup(home).find("a", string="Make my card")["href"] == phone.url("card")
    await phone.make_card()
    assert (await phone.get("/")).headers["location"] == phone.url("share")


async def test_manifest_and_service_worker(new_phone):
    phone = await new_phone()
    manifest = await phone.get(phone.url("manifest"))
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = json.loads(manifest.text)
    assert data["display"] == "standalone" and data["start_url"] == "/"
    for icon in data["icons"]:
        assert (await phone.get(icon["src"])).status_code == 200
    worker = await phone.get(phone.url("service_worker"))
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    offline = await phone.get(phone.url("offline"))
    assert "You're offline" in text_of(offline)


async def test_static_files_are_versioned_and_cached_compressed(new_phone):
    phone = await new_phone()
    page = soup(await phone.get("/"))
    css = page.find("link", rel="stylesheet")["href"]
    assert "?v=" in css
    response = await phone.get(css, headers={"accept-encoding": "gzip"})
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    script = next(s["src"] for s in page.find_all("script") if "htmx" in s["src"])
    assert (await phone.get(script)).status_code == 200


async def test_pages_are_not_stored_and_carry_security_headers(new_phone):
    phone = await new_phone()
    response = await phone.get("/")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
