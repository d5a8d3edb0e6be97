"""Web links on cards, read the way a browser reads them (the WHATWG URL Standard), so the
host we check and show is the host the link opens.

Python's ``urlsplit`` and a browser part ways on plenty of input: for
``https://evil.example\\@www.linkedin.com/`` Python sees linkedin.com, a browser opens
evil.example. Rather than emulate every rule of the standard, this reads a strict subset on
which both agree and refuses the rest with a message: http(s) only; no user name or
password (``@`` before the host); no backslash, control character, space or invisible
format character anywhere; a host of letters, digits, ``-``, ``_`` and dots, or an
internationalised name (stored as punycode, as browsers send it); no IP addresses (browsers
read ``0x7f.1`` as 127.0.0.1); no percent signs in the host. What it accepts it stores as a
browser serialises it (``href``): lower-case host, default port dropped, dot segments
resolved, characters outside ASCII percent-encoded. ``tests/browser/test_web_links.py``
checks this against Chromium's own ``new URL()``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import idna

MAX_LENGTH = 500  # the cards table's CHECK on every link column
ONLY_WEB = "Only web links (http or https) are allowed."
NOT_WEB = "That does not look like a web address."
USERINFO = "Links with a user name or password (the part before @) are not allowed."
ODD_CHARACTERS = (
    "That link has a character browsers read differently (a backslash, a space or an "
    "invisible character). Copy it again from the address bar."
)
ODD_HOST = "The site's name in that link has characters that are not allowed."
TOO_LONG = f"That link is too long once written out in full (at most {MAX_LENGTH} characters)."

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_ASCII_LABEL = re.compile(r"[a-z0-9_\-]+")
_HEX_NUMBER = re.compile(r"0x[0-9a-f]*")
# The WHATWG percent-encode sets (beyond C0 controls and non-ASCII, which are always encoded,
# and space, which we refuse) for a special scheme's path, query and fragment.
_PATH_SET = frozenset('"#<>?`{}^|')  # "|" as Chromium does
_QUERY_SET = frozenset("\"#<>'")
_FRAGMENT_SET = frozenset('"<>`')
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(ValueError):
    """A link we do not store or show; the message is for the person who typed it."""


@dataclass(frozen=True)
class WebLink:
    scheme: str
    host: str  # lower-case ASCII, internationalised labels in punycode
    port: int | None  # None for the scheme's default
    path: str
    query: str | None
    fragment: str | None

    @property
    def href(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        query = "" if self.query is None else f"?{self.query}"
        fragment = "" if self.fragment is None else f"#{self.fragment}"
        return f"{self.scheme}://{self.host}{port}{self.path}{query}{fragment}"

    @property
    def site(self) -> str:
        """The host to show as the link's text (``www.`` left off)."""
        return self.host.removeprefix("www.")


def _odd(ch: str) -> bool:
    """Characters a browser strips, rewrites or stops at, and invisible ones."""
    return ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _has_odd(value: str) -> bool:
    if value.isascii():  # nearly every link: no need to look a category up per character
        return not value.isprintable() or " " in value or "\\" in value
    return any(_odd(ch) for ch in value)


def parse(value: str) -> WebLink:
    """The link a browser would open for ``value`` (``https://`` assumed when there is no
    scheme), or ``Refused`` when it is not a plain web link."""
    if _has_odd(value):
        raise Refused(ODD_CHARACTERS)
    scheme, sep, rest = value.partition("://")
    if not sep:
        first = value.split("/")[0]
        if ":" in first and not first.rsplit(":", 1)[1].isdigit():
            # "javascript:alert(1)", "https:evil.example" and friends.
            raise Refused(ONLY_WEB)
        scheme, rest = "https", value
    if not _SCHEME.fullmatch(scheme) or scheme.lower() not in _DEFAULT_PORTS:
        raise Refused(ONLY_WEB)
    scheme = scheme.lower()
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    if "@" in authority:
        raise Refused(USERINFO)
    host, port = _host_and_port(authority, scheme)
    rest, _, fragment = rest.partition("#") if "#" in rest else (rest, "", None)
    path, _, query = rest.partition("?") if "?" in rest else (rest, "", None)
    link = WebLink(
        scheme,
        host,
        port,
        _path(path),
        None if query is None else _encode(query, _QUERY_SET),
        None if fragment is None else _encode(fragment, _FRAGMENT_SET),
    )
    if len(link.href) > MAX_LENGTH:
        raise Refused(TOO_LONG)
    return link


def _host_and_port(authority: str, scheme: str) -> tuple[str, int | None]:
    if "[" in authority or "]" in authority:
        raise Refused(ODD_HOST)  # an IPv6 address: not a site anyone puts on a card
    host, colon, port_text = authority.rpartition(":") if ":" in authority else (authority, "", "")
    port: int | None = None
    if colon:
        if port_text and not (port_text.isascii() and port_text.isdigit()):
            raise Refused(NOT_WEB)
        port = int(port_text) if port_text else None
        if port is not None and not 0 < port < 65536:
            raise Refused(NOT_WEB)
        if port == _DEFAULT_PORTS[scheme]:
            port = None
    return _host(host), port


def _host(raw: str) -> str:
    if not raw:
        raise Refused(NOT_WEB)
    if "%" in raw:
        raise Refused(ODD_HOST)  # browsers percent-decode a host before reading it
    try:
        # UTS 46 as browsers apply it: full-width letters and "。" become "linkedin.com".
        mapped = idna.uts46_remap(raw, std3_rules=False, transitional=False)
    except idna.IDNAError:
        raise Refused(ODD_HOST) from None
    labels = mapped.lower().split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()  # one trailing dot names the same host: "linkedin.com." is linkedin.com
    ascii_labels = []
    for label in labels:
        try:
            if label.isascii():
                if label.startswith("xn--"):
                    idna.decode(label)  # punycode a browser would refuse
            else:
                label = idna.alabel(label).decode()
        except (idna.IDNAError, UnicodeError):
            raise Refused(ODD_HOST) from None
        if not _ASCII_LABEL.fullmatch(label) or len(label) > 63:
            raise Refused(ODD_HOST if label else NOT_WEB)
        ascii_labels.append(label)
    last = ascii_labels[-1]
    if len(ascii_labels) < 2 or last.isdigit() or _HEX_NUMBER.fullmatch(last):
        # "localhost", and what a browser reads as an IPv4 address ("127.1", "0x7f.1").
        raise Refused(NOT_WEB)
    host = ".".join(ascii_labels)
    if len(host) > 253:
        raise Refused(NOT_WEB)
    return host


def _encode(text: str, extra: frozenset[str]) -> str:
    """Percent-encode as a browser does; an existing ``%xx`` is kept as it is."""
    return "".join(
        ch
        if ch.isascii() and ch not in extra
        else "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        for ch in text
    )


def _single_dot(segment: str) -> bool:
    return segment in (".", "%2e", "%2E")


def _double_dot(segment: str) -> bool:
    return segment.lower() in ("..", ".%2e", "%2e.", "%2e%2e")


def _path(raw: str) -> str:
    """The path as a browser serialises it: dot segments resolved, then encoded."""
    if not raw:
        return "/"
    segments = raw[1:].split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if _double_dot(segment):
            if out:
                out.pop()
            if last:
                out.append("")
        elif _single_dot(segment):
            if last:
                out.append("")
        else:
            out.append(_encode(segment, _PATH_SET))
    return "/" + "/".join(out)


def normalise(value: str) -> str:
    """The link to store: the browser's serialisation of what was typed."""
    return parse(value).href


def is_linkedin(link: WebLink) -> bool:
    return link.host == "linkedin.com" or link.host.endswith(".linkedin.com")


@functools.lru_cache(maxsize=4096)
def shown(stored: str, *, linkedin: bool = False) -> WebLink | None:
    """A stored link, read again before it becomes an ``href`` or a redirect: rows saved
    before these rules (or by any other path) may hold a link that opens another site than
    it names. None when it no longer passes. Cached: a card is shown (and mailed) far more
    often than it changes, and the answer depends on the text alone."""
    if not stored:
        return None
    try:
        link = parse(stored)
    except Refused:
        return None
    if linkedin and not is_linkedin(link):
        return None
    return link
