"""The short ways a swap's requests take (issue 15: the web process's CPU per swap) answer
exactly what the long ways they skip answer: each is held to the long way's result over
strings and addresses chosen to trip it, not to literals."""

from __future__ import annotations

import ipaddress
import random
import sys
import unicodedata

import pytest
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.db import time_zones
from server.web import forms, htmx, limits, sessions
from server.web.client import client_ip

# Strings for plain(): ASCII that is and is not printable, what NFC changes and what it
# leaves, invisible characters, separators, emoji sequences, other scripts, lone surrogates.
TRICKY = [
    "",
    " ",
    "  Dana  Lee  ",
    "Visitor ab12cd 123",
    "visitor-ab12cd-123@example.com",
    "".join(chr(point) for point in range(0x20, 0x7F)),  # every printable ASCII character
    "".join(chr(point) for point in range(0x80)),  # every ASCII character
    "a\tb",
    "line one\nline two",
    "line one\r\nline two",
    "\n",
    "\t",
    "x\x00y",
    "Dana\x7f",
    "\x1b[31mred",
    "Dana\x9b Lee",  # a C1 control
    "Jos\u00e9",  # composed already
    "Jose\u0301",  # e and a combining accent: NFC composes it
    "Zoe\u0308",
    "\u212b",  # ANGSTROM SIGN: NFC makes it U+00C5
    "\u2126",  # OHM SIGN: NFC makes it U+03A9
    "\ufb01le",  # a ligature NFC leaves (NFKC would not)
    "\u1100\u1161\u11a8",  # Hangul jamo: NFC composes one syllable
    "\u0344",  # NFC decomposes it
    "e\u200b\u0301",  # composed only once the zero-width space is gone
    "Da\u200bna",
    "Da\u200dna",
    "\u202eeeL anaD",
    "\u2066Dana Lee",
    "Dana\u00adLee",  # soft hyphen (Cf)
    "\ufeffDana",
    "Dana\u00a0Lee",  # no-break space: a separator, not printable
    "Dana\u3000Lee",
    "Dana\u2028Lee",  # line separator
    "Dana\u2029Lee",
    "\ue000private",
    "\U000e0000unassigned\u0378",
    "\ud800lone surrogate",
    "Ana Silva \U0001f469\U0001f3fd\u200d\U0001f4bb",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "\U000e0067\U000e0062 tags alone",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "\u0915\u094d\u200d\u0937",
    "S\u00e3o Paulo",
    "\u6771\u4eac",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001d400\U0001d401",  # mathematical bold letters (NFKC would change them)
]


def characters() -> list[str]:
    """Every code point alone and after an "a" (which a combining mark composes with)."""
    every = [chr(point) for point in range(sys.maxunicode + 1)]
    return every + ["a" + ch for ch in every]


def test_plain_gives_what_it_gave_character_by_character():
    for value in [*TRICKY, *characters()]:
        assert forms.plain(value) == forms._without_hidden(value), ascii(value)


def test_a_printable_character_is_never_one_plain_drops():
    """Why the short way may skip the loop: str.isprintable() says no to every control and
    format character (Cc, Cf), in this Python's Unicode data."""
    printable_hidden = [
        hex(point)
        for point in range(sys.maxunicode + 1)
        if chr(point).isprintable() and unicodedata.category(chr(point)) in ("Cc", "Cf")
    ]
    assert printable_hidden == []


def test_text_gives_what_it_gave():
    form = FormData([(f"field{index}", value) for index, value in enumerate(TRICKY)])
    for index, value in enumerate(TRICKY):
        assert forms.text(form, f"field{index}") == forms._without_hidden(value).strip()


TOKENS = [
    *(sessions.new_token()[0] for _ in range(20)),
    "A" * 43,
    "-",
    "_",
    "0",
    "a-b_c",
    # Legal in a cookie but not ours: written by Starlette, as before.
    "abc.def",
    "!#$%&'*+.^`|~:",
    # Quoted by http.cookies.
    "",
    "a b",
    'a"b',
    "a;b",
    "a,b",
    "a\\b",
    "abc\n",
    "\u00fcber",
]


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_the_one_starlette_wrote(secure):
    for token in TOKENS:
        ours = Response(status_code=303, headers={"location": "/welcome/1"})
        sessions.set_cookie(ours, token, secure=secure)
        starlettes = Response(status_code=303, headers={"location": "/welcome/1"})
        starlettes.set_cookie(
            sessions.cookie_name(secure),
            token,
            max_age=sessions.MAX_AGE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
        assert ours.raw_headers == starlettes.raw_headers, token


def redirect_before(request: Request, url: str) -> Response:
    """``htmx.redirect`` as it read the headers before: through ``htmx()``."""
    if htmx.htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": htmx.location(url)})
    return Response(status_code=303, headers={"location": htmx.location(url)})


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"hx-request", b"true")],
        [(b"hx-request", b"false")],
        [(b"hx-request", b"True")],
        [(b"hx-request", b"TRUE")],
        [(b"hx-request", b"")],
        [(b"hx-request", b" true")],
        [(b"hx-request", b"true"), (b"hx-boosted", b"true")],
        [(b"hx-request", b"true"), (b"hx-history-restore-request", b"true")],
        [(b"hx-boosted", b"true")],
        [(b"hx-request", b"false"), (b"hx-request", b"true")],
        [(b"hx-request", b"true"), (b"hx-request", b"false")],
    ],
)
def test_a_redirect_after_post_is_the_one_it_was(headers):
    request = Request({"type": "http", "headers": headers})
    for url in ("/welcome/1", "/contacts?q=Jos\u00e9 Lee", "/c/abc#top"):
        ours, before = htmx.redirect(request, url), redirect_before(request, url)
        assert (ours.status_code, ours.raw_headers) == (before.status_code, before.raw_headers)


def address_key_before(request: Request) -> str:
    """``limits.address_key`` as it was: the text of ``client_ip``, parsed again."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


HOSTS = [
    "",
    "testclient",
    "localhost",
    "10.0.0.1",
    "0.0.0.0",  # noqa: S104 - an address a client may come from, not one we bind to
    "255.255.255.255",
    "192.0.2.07",  # leading zeros: refused
    " 10.0.0.1",
    "10.0.0.1\n",
    "10.0.0",
    "::",
    "::1",
    "::ffff:192.0.2.7",
    "::ffff:0.0.0.0",
    "::ffff:192.0.2.7%eth0",
    "::192.0.2.7",  # IPv4-compatible, not mapped
    "64:ff9b::192.0.2.7",
    "2002:c000:0204::1",
    "2001:db8::",
    "2001:db8:1:2:3:4:5:6",
    "2001:DB8:1:2:AAAA::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "fe80::1%eth0",
    "fe80::1%1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "1::",
    "1:2:3:4::",
    "::1:2:3:4",
    "2001:db8::/64",
    "[2001:db8::1]",
]


def random_hosts() -> list[str]:
    rng = random.Random(15)
    return [
        *(str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(500)),
        *(str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(500)),
        # Zeros in every place, as compressed addresses have them.
        *(
            str(ipaddress.IPv6Address(rng.getrandbits(128) & rng.getrandbits(128)))
            for _ in range(500)
        ),
        *(f"{host}%{rng.randrange(10)}" for host in ("fe80::1", "2001:db8:1:2::9")),
    ]


def test_a_limit_counts_an_address_under_the_key_it_did():
    requests = [Request({"type": "http", "headers": []})]  # no client at all
    requests += [
        Request({"type": "http", "client": (host, 1234), "headers": []})
        for host in [*HOSTS, *random_hosts()]
    ]
    for request in requests:
        assert limits.address_key(request) == address_key_before(request), request.client


def choose_before(value: str, known: frozenset[str]) -> str:
    """``time_zones.choose`` as it was: nothing sent went through ``find`` too."""
    value = value.strip()
    return value if value in known else time_zones.find(value, known) or time_zones.FALLBACK


def test_no_time_zone_sent_is_the_zone_it_was(app: Starlette):
    known = app.state.time_zones  # PostgreSQL's names, as the app loaded them
    for value in ["", " ", "\t\n", "\u3000", "\u00a0 ", "Europe/Berlin", " london ", "Mars"]:
        assert time_zones.choose(value, known) == choose_before(value, known), value
