"""A static file's ``?v=`` must be the version this process has: in a rolling deploy, a new
page's ``app.js?v=NEW`` reaching an old process must not get the old file kept for a year
under the new address (by the browser, shared caches and the service worker)."""

from __future__ import annotations

import json
import re

from tests.phone import soup

YEAR = "public, max-age=31536000, immutable"


async def script_url(phone, name: str) -> str:
    page = await phone.get("/")
    assert page.status_code == 200
    sources = [str(script["src"]) for script in soup(page).select("script[src]")]
    url = next(src for src in sources if src.split("?", 1)[0].endswith(f"/{name}"))
    assert "?v=" in url
    return url


async def test_the_version_a_page_names_is_cached_for_a_year(new_phone):
    phone = await new_phone()
    url = await script_url(phone, "app.js")
    response = await phone.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == YEAR
    assert response.text == (await phone.get(url.split("?", 1)[0])).text


async def test_another_version_is_not_found_and_never_stored(new_phone):
    phone = await new_phone()
    url = await script_url(phone, "app.js")
    path = url.split("?", 1)[0]
    other_file = await script_url(phone, "install.js")
    for wrong in (
        f"{path}?v=0000notthis",  # a new release's version, asked of an old process
        f"{path}?v=",
        f"{path}?v={other_file.split('?v=', 1)[1]}",  # another file's version
        f"{url}&v=0000notthis",
    ):
        response = await phone.get(wrong)
        assert response.status_code == 404, wrong
        assert response.headers["cache-control"] == "no-store", wrong
        assert "being updated" in response.text
        assert "x-content-type-options" in response.headers


async def test_without_a_version_a_file_is_cached_briefly(new_phone):
    phone = await new_phone()
    url = await script_url(phone, "app.js")
    response = await phone.get(url.split("?", 1)[0])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    # Other query parameters are no version ("nav=" is not "v=").
    response = await phone.get(url.split("?", 1)[0] + "?nav=1")
    assert response.headers["cache-control"] == "public, max-age=300"


async def test_everything_the_service_worker_precaches_is_found(new_phone):
    phone = await new_phone()
    worker = (await phone.get("/sw.js")).text
    shell = json.loads(re.search(r"var REACHOUT_SHELL = (.*);\n", worker).group(1))
    imports = json.loads(re.search(r"var REACHOUT_IMPORTS = (.*);\n", worker).group(1))
    assert shell and imports
    for url in shell + imports:
        response = await phone.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == YEAR, url
