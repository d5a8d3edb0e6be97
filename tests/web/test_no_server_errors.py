"""Input that once answered 500, each written as the attack: now a readable 4xx, or it works.

The fuzz test (tests/test_fuzz.py) finds these across the whole route table; here each is
pinned down where it was fixed: ids in paths, forms and query strings; JSON nested deep;
NUL in text; a Location header carrying a name that is not Latin-1; a Content-Length of
5,000 digits.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from starlette.routing import Route

from server.db.queries import Queries, UnstorableText
from server.web.convertors import IdConvertor
from server.web.forms import MAX_ID, an_id
from server.web.htmx import location
from tests.phone import soup, text_of


def test_every_int_in_a_path_is_a_bounded_id(app):
    ints = [
        (route.path, name)
        for route in app.routes
        if isinstance(route, Route)
        for name, convertor in route.param_convertors.items()
        if convertor.regex.startswith("[0-9]")
    ]
    assert len(ints) > 20
    for route in app.routes:
        if isinstance(route, Route):
            for convertor in route.param_convertors.values():
                if convertor.regex.startswith("[0-9]"):
                    assert isinstance(convertor, IdConvertor), route.path


@pytest.mark.parametrize(
    "path",
    [
        "/events/99999999999999999999",
        "/events/9223372036854775808",
        "/events/" + "9" * 5000,
        "/contacts/999999999999999999/vcard",
        "/tap/bumps/99999999999999999999",
    ],
)
async def test_ids_too_large_for_any_row_are_not_found(new_phone, path):
    dana = await new_phone()
    await dana.make_card()
    stranger = await new_phone()
    for phone in (dana, stranger):
        response = await phone.get(path)
        assert response.status_code == 404
        # A page of the signed-in app says, to a phone with no card, that it has none.
        title = soup(response).h1.get_text()
        assert title == "Not found" or (phone is stranger and title == "No card on this phone yet")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0", 0),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 5000, None),
        ("²", None),  # isdigit() says yes, int() refuses
        ("١٢", None),  # isdigit() says yes, int() reads 12
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_from_a_form_or_query_string(value, expected):
    assert an_id(value) == expected


async def test_odd_digits_in_a_query_string_are_ignored(new_phone):
    dana = await new_phone()
    await dana.make_card()
    for page in ("contacts", "followups"):
        for event in ("²", "\u0661", "99999999999999999999", "9" * 5000):
            response = await dana.get(dana.url(page), params={"event": event})
            assert response.status_code == 200, (page, event)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 2000 + b"1" + b"}" * 2000,
        b"[" * 60000,
        b'{"endpoint": NaN}',
        b'{"endpoint": 1e999}',
        b'{"endpoint": "\\u0000"}',
        b"\xff\xfe not UTF-8",
    ],
    ids=["deep-array", "deep-object", "unclosed", "nan", "infinite", "nul", "not-utf8"],
)
async def test_json_nested_deep_or_odd_is_a_clear_400(new_phone, pool, body):
    dana = await new_phone()
    await dana.make_card()
    for name in ("push_subscribe", "push_unsubscribe", "sync_action", "passkey_sign_in"):
        response = await dana.client.post(
            dana.url(name),
            content=body,
            headers={"sec-fetch-site": "same-origin", "content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0


async def test_shallow_json_still_reads(new_phone):
    dana = await new_phone()
    await dana.make_card()
    response = await dana.client.post(
        dana.url("push_unsubscribe"),
        content=json.dumps({"endpoint": "https://push.example/x", "keys": {"a": [1, [2]]}}),
        headers={"sec-fetch-site": "same-origin", "content-type": "application/json"},
    )
    assert response.status_code == 204


async def test_nul_in_text_that_reaches_a_query_is_a_400(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    # A contacts search drops a NUL as form fields do (tests/contacts/test_small_truths.py).
    for path, params in (("/photos/%00", {}),):
        response = await dana.get(path, params=params)
        assert response.status_code == 400
        assert "could not be read" in text_of(response)


def test_the_query_runner_refuses_nul_before_the_database_sees_it():
    with pytest.raises(UnstorableText, match=r"photos\.get"):
        Queries().args("photos.get", {"key": "a\x00"})
    with pytest.raises(UnstorableText):
        Queries().args("photos.get", {"key": ["fine", "not\x00fine"]})
    with pytest.raises(UnstorableText):
        Queries().args("photos.get", {"key": "half a pair \ud800"})
    assert Queries().args("photos.get", {"key": "Zo\u00eb \U0001f600"}) == ["Zo\u00eb \U0001f600"]


async def test_half_a_surrogate_pair_in_json_is_a_400_and_nothing_is_stored(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    subscription = {"endpoint": "https://push.example/x", "keys": {"p256dh": "a", "auth": "b"}}
    for name, body in (
        ("push_subscribe", {"device": "\ud800", "subscription": subscription}),
        ("push_unsubscribe", {"endpoint": "\udfff"}),
    ):
        response = await dana.client.post(
            dana.url(name),
            # As a script would send it: JSON's escape of a lone surrogate, valid JSON.
            content=json.dumps(body),
            headers={"sec-fetch-site": "same-origin", "content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0


async def test_a_content_length_of_5000_digits_is_too_large(new_phone):
    dana = await new_phone()
    response = await dana.client.post(
        dana.url("card_save"), content=b"name=x", headers={"content-length": "9" * 5000}
    )
    assert response.status_code in (400, 413)


async def test_a_file_where_no_form_takes_one_is_refused(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    response = await dana.post(
        dana.url("card_save"),
        {"name": "Mallory"},
        files={"note": ("note.bin", b"\x00" * 1000, "application/octet-stream")},
    )
    assert response.status_code == 400
    assert await pool.fetchval("SELECT name FROM cards") == "Dana Lee"


def test_a_location_header_is_always_ascii():
    assert location("/contacts/3?notice=swapped") == "/contacts/3?notice=swapped"
    assert location("mailto:mïa.чен@пример.рф?subject=Hi%20there") == (
        "mailto:m%C3%AFa.%D1%87%D0%B5%D0%BD@%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D1%80%D1%84"
        "?subject=Hi%20there"
    )
    assert location("/x\r\nSet-Cookie: a=b") == "/x%0D%0ASet-Cookie:%20a=b"


async def test_reaching_out_to_an_address_that_is_not_latin_1(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    mia = await new_phone()
    await mia.make_card(
        name="Мия Чен",
        email="mia@xn--e1afmkfd.xn--p1ai",
        linkedin="https://www.linkedin.com/in/мия",
    )
    # Letters outside ASCII before the @ are refused now; a card from before keeps them.
    await pool.execute("UPDATE cards SET email = 'mia.чен@пример.рф' WHERE name = 'Мия Чен'")
    assert (await mia.post(await dana.share_link() + "/swap")).status_code == 303
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    for via, address in (("email", "mia.чен@пример.рф"), ("linkedin", "/in/мия")):
        status, headers = await dana.post_raw(
            dana.url("reach_out", contact_id=contact_id), {"via": via}
        )
        assert status < 500
        if "location" in headers:
            assert headers["location"].isascii()
            assert address in unquote(headers["location"])


async def test_give_and_get_too_long_on_a_plain_form_shows_the_page(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await mia.post(await dana.share_link() + "/swap")
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    response = await dana.post(
        dana.url("contact_give_get", contact_id=contact_id),
        {"promised": "x" * 600, "they_asked": ""},
    )
    assert response.status_code == 422
    assert "Please keep this under 500 characters." in text_of(response)
    assert await pool.fetchval("SELECT promised FROM contacts WHERE id = $1", contact_id) == ""


@pytest.mark.parametrize(
    ("zone", "starts", "ends"),
    [
        ("America/Adak", "9999-12-31T22:00", "9999-12-31T23:00"),
        ("Pacific/Kiritimati", "0001-01-01T00:00", "0001-01-01T01:00"),
    ],
)
async def test_an_event_at_the_ends_of_the_calendar_is_refused(new_phone, pool, zone, starts, ends):
    dana = await new_phone()
    await dana.make_card()
    form = {"name": "Far away", "starts_at": starts, "ends_at": ends, "time_zone": zone}
    response = await dana.post(dana.url("event_create"), form)
    assert response.status_code == 422
    assert "Enter a date between 2000 and 2099." in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
