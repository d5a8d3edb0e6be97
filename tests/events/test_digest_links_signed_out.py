"""The digest email's "Who did you miss" links (the event's people and the event's page),
opened in a browser not signed in (a mail app's own): "Sign in to open this", leading back
to the page, as the digest's Follow-ups link does; typed or shared without ``from=email``,
still the plain "not one of yours"."""

from __future__ import annotations

import pytest

from tests.events.test_routes import organizer_with_event
from tests.phone import soup, text_of


@pytest.mark.parametrize("page", ["event_people", "event"])
async def test_a_digest_link_opened_signed_out_offers_sign_in_back_to_it(new_phone, page):
    _, event_id = await organizer_with_event(new_phone)
    mail_app = await new_phone()
    path = mail_app.url(page, event_id=event_id)

    opened = await mail_app.get(path + "?from=email")
    assert opened.status_code == 404
    shown = soup(opened)
    assert shown.h1.get_text() == "Sign in to open this"
    assert [a.get_text() for a in shown.select("main a")] == ["Sign in", "Make my card"]
    # Sign in leads back to that page, less from=email.
    sign_in = soup(await mail_app.get(shown.find("a", string="Sign in")["href"]))
    form = sign_in.find("button", string="Send me a code").find_parent("form")
    assert form.select_one("[name=next]")["value"] == path

    # An id that is no event says the same: a link from our email reveals nothing of ids.
    missing = soup(await mail_app.get(mail_app.url(page, event_id=event_id + 1000) + "?from=email"))
    assert missing.h1.get_text() == "Sign in to open this"

    # Not from our email: the plain answer, as for anyone the event is not theirs.
    plain = await mail_app.get(path)
    assert plain.status_code == 404
    assert "That event is not one of yours." in text_of(plain)
    assert soup(plain).h1.get_text() != "Sign in to open this"
