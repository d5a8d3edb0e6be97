"""What a guest and a card's owner read after a swap says the usual case plainly, and points
to where the rest is said (review r39):

- the welcome page: "We'll email Dana Lee's card to …", then Privacy for when we don't, and
  a link to Settings where it says the card can be changed;
- Privacy says when a card is not emailed;
- Requests says "No requests waiting." only when nothing waits: not above someone who left
  their details on an asking card.
"""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.swaps.test_ask_first import asking_dana


async def test_the_welcome_page_says_it_plainly_and_links_the_rest(new_phone):
    dana, link = await asking_dana(new_phone)
    visitor = await new_phone()
    left = await visitor.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    welcome = await visitor.get(left.headers["location"])
    page = soup(welcome)
    [said] = [p.get_text(" ", strip=True) for p in page.select("main p") if "mia@" in p.text]
    assert said == (
        "We'll email Dana Lee's card to mia@example.com once they accept, if we can: we limit"
        " how many emails an address gets each day."
    )
    assert "unless" not in text_of(welcome)
    privacy = page.find("a", string="Privacy", href=visitor.url("privacy") + "#met-mail")
    assert privacy is not None
    assert "No email?" in privacy.parent.get_text()
    settings = page.find("a", string="Settings")
    assert settings is not None and settings["href"] == visitor.url("settings")
    assert (await visitor.get(settings["href"])).status_code == 200

    # Privacy says when none goes, where the link lands.
    rules = soup(await visitor.get(visitor.url("privacy"))).select_one("#met-mail")
    assert rules is not None
    text = rules.get_text(" ", strip=True)
    assert "unsubscribed" in text and "one a day" in text and "never confirmed" in text
    # The same rule as the welcome page's words, "if we can", and each limit it names.
    assert "if we can" in text and "about the same card" in text

    # Dana: nobody asked, but Mia waits. "No requests waiting." would say otherwise.
    requests = await dana.get(dana.url("requests"))
    assert "Mia Chen" in text_of(requests) and "Waiting for you to accept" in text_of(requests)
    assert "No requests waiting." not in text_of(requests)
