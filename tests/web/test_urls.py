"""One source of URLs: the route table, for handlers, templates, the worker and the scripts."""

from __future__ import annotations

import json
import re

import pytest
from starlette.routing import NoMatchFound, Route

from server.web.urls import OFFLINE_PAGES, Urls
from tests.phone import soup
from tests.web.test_csrf import sample_path


def test_every_route_builds_the_path_starlette_would(app):
    urls = Urls(app.routes)
    routes = [r for r in app.routes if isinstance(r, Route)]
    assert len(routes) > 60
    for route in routes:
        expected = sample_path(route)
        sample = route.matches({"type": "http", "path": expected, "method": "GET"})[1]
        assert urls.path(route.name, **sample["path_params"]) == expected, route.name


def test_wrong_parameters_are_refused_not_guessed(app):
    urls = Urls(app.routes)
    with pytest.raises(NoMatchFound):
        urls.path("contact")
    with pytest.raises(NoMatchFound):
        urls.path("contacts", contact_id=1)
    with pytest.raises(NoMatchFound):
        urls.path("no_such_route")
    with pytest.raises(AssertionError):
        urls.path("contact", contact_id=-1)  # ids are never negative
    assert urls.path("static", path="app.css") == "/static/app.css"
    assert urls.prefix("public_card") == "/c/"


async def test_the_service_worker_gets_the_app_urls_from_the_route_table(app, new_phone):
    phone = await new_phone()
    script = (await phone.get(phone.url("service_worker"))).text
    line = next(x for x in script.splitlines() if x.startswith("var REACHOUT_URLS = "))
    urls = json.loads(line.removeprefix("var REACHOUT_URLS = ").removesuffix(";"))
    assert urls["sync_action"] == phone.url("sync_action")
    assert urls["offline"] == phone.url("offline")
    pages = [re.compile(source.replace("(?<", "(?P<")) for source in urls["offline_pages"]]
    assert len(pages) == len(OFFLINE_PAGES)
    kept = [phone.url("contact", contact_id=12), phone.url("event_people", event_id=3)]
    for path in kept:
        assert any(p.fullmatch(path) for p in pages), path
    not_kept = ["/c/sometoken", phone.url("contact_vcard", contact_id=12), "/contacts/12/x"]
    for path in not_kept:
        assert not any(p.fullmatch(path) for p in pages), path


async def test_pages_carry_the_script_urls(new_phone):
    phone = await new_phone()
    page = await phone.get(phone.url("home"))
    html = soup(page).find("html")
    assert html is not None
    urls = json.loads(str(html["data-urls"]))
    assert urls["service_worker"] == phone.url("service_worker")


def test_only_a_page_of_the_app_is_somewhere_to_go_after_signing_in(app):
    urls = app.state.urls
    for page in (
        "/contacts",
        "/contacts/12",
        "/followups",
        "/events/3/people",
        "/settings",
        "/j/ABC234",
        "/followups?event=3",
    ):
        assert urls.app_page(page) == page
    for elsewhere in (
        "//evil.example/contacts",
        "https://evil.example/",
        "/contacts/12\n",
        "/contacts/12?x=1\r\nSet-Cookie:x",
        "/contacts/12#top",
        "/settings/delete-account?x=1",
        "/settings/delete-account",
        "/c/some-token",
        "contacts",
        "",
        None,
        "/" + "a" * 400,
    ):
        assert urls.app_page(elsewhere) is None, elsewhere
