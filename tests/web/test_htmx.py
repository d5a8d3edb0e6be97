"""htmx: a fragment only where htmx swaps one in; history restores get the whole page."""

from __future__ import annotations

from starlette.responses import Response

from server.web.htmx import trigger_client_event
from tests.phone import soup


async def test_search_as_you_type_gets_the_list_and_the_back_button_gets_the_page(new_phone):
    phone = await new_phone()
    await phone.make_card()
    url = phone.url("contacts") + "?q=dana"
    fragment = await phone.get(url, headers={"HX-Request": "true"})
    assert soup(fragment).find("html") is None
    assert soup(fragment).find(id="contact-list") is not None
    assert "HX-Request" in fragment.headers["vary"]
    for headers in (
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Boosted": "true"},
    ):
        page = await phone.get(url, headers=headers)
        assert soup(page).find("html") is not None, headers
        assert soup(page).find(id="contact-list") is not None
        assert soup(page).find("nav", attrs={"aria-label": "Main"}) is not None


def test_trigger_events_add_up_per_moment():
    response = Response()
    trigger_client_event(response, "reachout:open", "mailto:a@b.co", after="settle")
    trigger_client_event(response, "reachout:count", 3, after="settle")
    trigger_client_event(response, "reachout:now")
    assert response.headers["HX-Trigger-After-Settle"] == (
        '{"reachout:open": "mailto:a@b.co", "reachout:count": 3}'
    )
    assert response.headers["HX-Trigger"] == '{"reachout:now": null}'
