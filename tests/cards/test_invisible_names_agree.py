"""Tap's offline check of a guest's name (web/static/tap.js) refuses a name with nothing to
see by the server's rule, copied there (``fields.seen``, its ``BLANK_LETTERS`` and ``UNSEEN``),
in the server's words: a copy that drifted would keep offline a name the server refuses once
back online (the guest long gone), or refuse a name the server keeps."""

from __future__ import annotations

import json
import re

from server.cards import fields
from server.web.templating import STATIC_DIR

TAP_JS = (STATIC_DIR / "tap.js").read_text(encoding="utf-8")


def js_value(name: str) -> object:
    """The value of tap.js's ``var name = ...;``: a string or a list of strings, written in
    the syntax JSON shares with JavaScript."""
    found = re.search(rf"^\s*var {name} = (.+);$", TAP_JS, re.MULTILINE)
    assert found, f"tap.js has no var {name}"
    return json.loads(found.group(1))


def test_tap_js_blank_letters_are_the_server_s() -> None:
    assert frozenset(str(js_value("BLANK_LETTERS"))) == fields.BLANK_LETTERS


def test_tap_js_unseen_categories_are_the_server_s() -> None:
    unseen = js_value("UNSEEN")
    assert isinstance(unseen, list)
    assert tuple(unseen) == fields.UNSEEN


def test_tap_js_says_it_in_the_server_s_words() -> None:
    assert js_value("NO_VISIBLE_NAME") == fields.NO_VISIBLE_NAME
