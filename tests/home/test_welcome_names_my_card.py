"""The page after leaving details on someone's card ("You now have a Reachout card too") says
where the new card is changed by the control a person taps: the tab "My card", which has "Edit
my card", not Settings (which has no way to edit it, only "Delete my account")."""

from __future__ import annotations

from tests.phone import soup, words


async def test_welcome_says_the_card_is_changed_in_my_card(new_phone):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone()
    left = await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    assert left.status_code == 303
    welcome = soup(await mia.get(left.headers["location"]))
    [said] = [p for p in welcome.select("main p") if words(p).startswith("Your card is yours")]
    # Read as one sentence (its links' words run on, as a screen reader reads them).
    sentence = " ".join(said.get_text().split())
    assert sentence.startswith(
        "Your card is yours: change it any time in My card, or delete it in Settings."
    ), sentence
    links = {words(a): a["href"] for a in said.find_all("a")}
    assert links["My card"] == mia.url("card")
    assert links["Settings"] == mia.url("settings")
    # The link's words are those of the tab the person sees at the bottom of the page.
    tabs = welcome.find("nav", attrs={"aria-label": "Main"})
    assert tabs.find("a", string="My card")["href"] == mia.url("card")
    # What "My card" opens has the control that changes the card.
    card = soup(await mia.get(mia.url("card")))
    assert card.find("a", string="Edit my card") is not None
