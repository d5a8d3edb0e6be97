"""Card links against Chromium's own URL parser: what we accept, a browser reads the same way.

For every input ``web_links`` accepts, the browser's ``new URL(input)`` opens the host we
checked, and ``new URL(stored)`` gives back the stored link unchanged. Hand-picked attacks
and a few thousand strings built from the characters parsers disagree on.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser

from server.cards import web_links
from tests.cards.test_web_links import ATTACKS

PARSE_ALL = """(inputs) => inputs.map((input) => {
  try { const url = new URL(input); return [url.href, url.hostname]; }
  catch (error) { return null; }
})"""

GOOD = [
    "https://example.com/a?b=c#d",
    "HTTP://Example.COM:80/A",
    "https://bücher.example/straße?q=ä#ü",
    "https://\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\u3002com/ok",
    "https://www.linkedin.com/in/dana-müller",
    "https://example.com/a/./b/../c/%2e%2E/d",
    "https://example.com/?q='x'&r=\"y\"<z>`{|}^",
    "https://example.com/#'\"<>`{|}^",
    'https://example.com/a|b^c{d}`e"f<g>',
    "https://example.com./x",
    "https://xn--mnchen-3ya.example/",
    "https://linked\ufe0fin.com/in/dana",
]

# The characters URL parsers disagree on, and some that make a host look like another.
PIECES = [
    "a",
    "Z",
    "0",
    "9",
    ".",
    "..",
    "/",
    "//",
    "\\",
    "@",
    ":",
    "?",
    "#",
    "%",
    "%2e",
    "%2f",
    "%41",
    "%zz",
    "[",
    "]",
    "!",
    "'",
    '"',
    "<",
    ">",
    "`",
    "{",
    "}",
    "|",
    "^",
    "~",
    "_",
    "-",
    "+",
    "&",
    "=",
    ";",
    ",",
    "é",
    "ß",
    "\u0131",
    "\uff4c",
    "\u3002",
    "\uff0e",
    "\u200b",
    "\u202e",
    "\ufe0f",
    "\u00ad",
    "\t",
    "\n",
    " ",
    "\x00",
    "0x7f",
    "127",
    "xn--",
    "www.",
    "linkedin.com",
    "evil.example",
    "😀",
]
PREFIXES = ["https://", "http://", "HTTPS://", "https:", "https:/", "https:///", "", "//"]


HOSTS = [
    "www.linkedin.com",
    "example.com",
    "bücher.example",
    "a-b.c_d.example",
    "\uff4c\uff49\uff4e\uff4b\uff45\uff44\uff49\uff4e\u3002com",
]


def corpus(count: int, seed: int = 14) -> list[str]:
    """Links with a plausible host, often with a hostile piece put into it, and a tail of
    pieces after it."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        host = rng.choice(HOSTS)
        if rng.random() < 0.5:
            cut = rng.randint(0, len(host))
            host = host[:cut] + rng.choice(PIECES) + host[cut:]
        tail = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
        out.append(rng.choice(PREFIXES) + host + rng.choice(["", "/", "?", "#", ":8080/"]) + tail)
    return out


async def chromium_reads(browser: Browser, inputs: list[str]) -> list[Any]:
    page = await browser.new_page()
    try:
        return list(await page.evaluate(PARSE_ALL, inputs))
    finally:
        await page.close()


async def test_what_we_store_is_what_chromium_opens(browser: Browser) -> None:
    inputs = GOOD + [raw for raw, _ in ATTACKS] + corpus(4000)
    accepted: list[tuple[str, web_links.WebLink]] = []
    for raw in inputs:
        try:
            link = web_links.parse(raw)
        except web_links.Refused:
            continue
        # Inputs without a scheme are read as https, as the card form does.
        accepted.append((raw if "://" in raw else "https://" + raw, link))
    assert len(accepted) > 200, "the corpus should exercise accepted links too"
    typed = await chromium_reads(browser, [raw for raw, _ in accepted])
    stored = await chromium_reads(browser, [link.href for _, link in accepted])
    for (raw, link), as_typed, as_stored in zip(accepted, typed, stored, strict=True):
        assert as_typed is not None, f"we accept {raw!r}, Chromium refuses it"
        # The host we checked is the host the browser opens (one trailing dot aside).
        assert as_typed[1].removesuffix(".") == link.host, (raw, as_typed, link)
        # The stored link reads back as itself.
        assert as_stored == [link.href, link.host], (raw, as_stored, link)


async def test_the_attack_is_real_python_and_chromium_name_different_hosts(
    browser: Browser,
) -> None:
    """Why urlsplit could not be the check: it names linkedin.com, Chromium opens evil.example."""
    raw = "https://evil.example\\@www.linkedin.com/in/dana"
    assert urlsplit(raw).hostname == "www.linkedin.com"
    [read] = await chromium_reads(browser, [raw])
    assert read[1] == "evil.example"
