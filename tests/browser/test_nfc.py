"""NFC tags (Web NFC): write my card to a tag, read someone's tag on the Scan screen.

Only Android Chrome has Web NFC, and this machine has no NFC hardware, so a stand-in
``NDEFReader`` is installed before the page's scripts (``FAKE_NDEF_READER``): it keeps
what ``write()`` was given, and ``window.__touchTag(url)`` is a tag holding a URL
record touching the phone while ``scan()`` is on. Everything else is the app's own.
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    all_connections,
    connections,
    contacts_once,
    make_card_from_home,
    share_link,
)

FAKE_NDEF_READER = """
(() => {
  const written = [];
  const scanning = [];
  class NDEFReader extends EventTarget {
    constructor() {
      super();
      this.onreading = null;
      this.onreadingerror = null;
    }
    async scan(options = {}) {
      const signal = options.signal;
      if (signal && signal.aborted) throw new DOMException("aborted", "AbortError");
      scanning.push(this);
      const stop = () => scanning.splice(scanning.indexOf(this), 1);
      if (signal) signal.addEventListener("abort", stop);
    }
    async write(message, options = {}) {
      written.push(JSON.parse(JSON.stringify(message)));
    }
    async makeReadOnly() {}
  }
  window.NDEFReader = NDEFReader;
  window.__writtenTags = written;
  window.__scanningReaders = () => scanning.length;
  // A tag with one URL record touches the phone: every reader that scans hears it.
  window.__touchTag = (url) => {
    const record = {
      recordType: "url", mediaType: null, id: "", encoding: null, lang: null,
      data: new DataView(new TextEncoder().encode(url).buffer),
      toRecords: () => null,
    };
    for (const reader of scanning.slice()) {
      const event = new Event("reading");
      event.serialNumber = "04:a2:3b:5c:6d:7e:80";
      event.message = { records: [record] };
      reader.dispatchEvent(event);
      if (typeof reader.onreading === "function") reader.onreading(event);
    }
  };
})();
"""

WRITE_BUTTON = "Write my card to an NFC tag"
READ_BUTTON = "Read an NFC tag"


async def nfc_phone(new_phone_page: NewPage) -> Page:
    """An Android phone with NFC."""
    page = await new_phone_page()
    await page.context.add_init_script(FAKE_NDEF_READER)
    return page


async def test_write_my_card_to_a_tag_that_opens_it_on_any_phone(
    new_phone_page: NewPage,
) -> None:
    dana = await nfc_phone(new_phone_page)
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)

    await dana.get_by_role("button", name=WRITE_BUTTON).tap()
    written_status = dana.get_by_role("status").filter(has_text="Card written to the tag.")
    await expect(written_status).to_be_visible()
    written: list[dict[str, Any]] = await dana.evaluate("() => window.__writtenTags")
    [tag] = [record["data"] for message in written for record in message["records"]]
    assert written == [{"records": [{"recordType": "url", "data": tag}]}], written
    # Not the day's share link, which expires: one that lasts until "Make a new code".
    assert tag != link and tag.startswith(link.rsplit("/", 1)[0] + "/"), (tag, link)

    # Any phone touching the tag opens its link: Dana's card, no app needed.
    visitor = await new_phone_page()
    await visitor.goto(tag)
    await expect(visitor.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()


async def test_no_nfc_buttons_without_web_nfc(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    assert not await dana.evaluate("() => 'NDEFReader' in window")
    await make_card_from_home(dana, DANA)
    await expect(dana.get_by_role("link", name="Scan their code")).to_be_visible()
    await expect(dana.get_by_role("button", name=WRITE_BUTTON)).to_be_hidden()
    await dana.goto("/scan")
    await expect(dana.get_by_role("heading", level=1, name="Scan their code")).to_be_visible()
    await expect(dana.get_by_role("button", name=READ_BUTTON)).to_be_hidden()


async def test_read_their_tag_on_the_scan_screen_swaps(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)

    mia = await nfc_phone(new_phone_page)
    await make_card_from_home(mia, MIA)
    await mia.get_by_role("link", name="Scan their code").tap()
    await expect(mia.get_by_role("heading", level=1, name="Scan their code")).to_be_visible()
    await mia.get_by_role("button", name=READ_BUTTON).tap()
    await mia.wait_for_function("() => window.__scanningReaders() > 0")
    await mia.evaluate("(url) => window.__touchTag(url)", link)
    await expect(mia.get_by_role("heading", name=f"Swap with {DANA.name}?")).to_be_visible()
    assert await all_connections(pool) == 0, "a tag in reach swaps nothing on its own"
    await mia.get_by_role("button", name="Swap", exact=True).tap()

    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await contacts_once(dana, MIA.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, DANA.name, MIA.name) == 1
    assert await all_connections(pool) == 2
