"""The vCard "You met" attaches is the one "Save contact" gives on the card's page
(``/c/<token>/vcard``): the photo and the note included, so the contact saved from the email
has the face the card shows."""

from __future__ import annotations

import base64

import vobject

from tests.cards.test_photos import jpeg
from tests.mailing import leaves_details, sent_once


def lines(vcard_text: str) -> list[str]:
    """A vCard's lines, whatever line endings a reader gave them."""
    return vcard_text.splitlines()


async def test_the_attached_vcard_has_her_photo_and_is_save_contacts(new_phone, pool, mail, app):
    dana = await new_phone()
    await dana.make_card()
    uploaded = await dana.post(
        dana.url("card_photo"), files={"photo": ("me.jpg", jpeg(400, 400), "image/jpeg")}
    )
    assert uploaded.status_code == 303
    _, mia = await leaves_details(new_phone, dana)
    link = (await dana.share_link()).split("?")[0]
    saved = await mia.get(link + "/vcard")
    assert saved.status_code == 200

    message = (await sent_once(app, mail)).message
    [attachment] = list(message.iter_attachments())
    emailed = attachment.get_content()
    assert lines(emailed) == lines(saved.text)
    card = vobject.readOne(emailed)
    assert card.note.value == "Added from Reachout."
    stored = await pool.fetchval("SELECT jpeg FROM photos")
    photo = card.photo.value
    assert (photo if isinstance(photo, bytes) else base64.b64decode(photo)) == stored


async def test_without_a_photo_the_vcard_has_the_note_and_no_photo(new_phone, mail, app):
    dana, mia = await leaves_details(new_phone)
    saved = await mia.get((await dana.share_link()).split("?")[0] + "/vcard")
    message = (await sent_once(app, mail)).message
    [attachment] = list(message.iter_attachments())
    emailed = attachment.get_content()
    assert lines(emailed) == lines(saved.text)
    assert "NOTE:Added from Reachout." in lines(emailed)
    assert not any(line.startswith("PHOTO") for line in lines(emailed))
