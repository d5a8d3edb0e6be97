"""The vCard "You met" attaches, and the one Save contact downloads, are named after the
person in UTF-8 (``filename*``, RFC 2231) and, for a mail app that reads only the plain
``filename``, in ASCII: accents folded to their letters ("Ñúñez" is "Nunez"), not dropped,
with single spaces, and "contact.vcf" when nothing of the name is left in ASCII."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.export.test_routes import swap
from tests.mailing import leaves_details, sent_once

NAME = 'José Ñúñez & "evil"'


def filenames(raw: bytes) -> tuple[str, str]:
    """The plain ``filename`` and the UTF-8 ``filename*`` of the one attachment, as a mail
    app reads them from the wire."""
    [disposition] = re.findall(rb"\r\nContent-Disposition: ([^\r]*)\r\n", raw)
    [plain] = re.findall(rb'; filename="([^"]*)"', disposition)
    [utf8] = re.findall(rb"; filename\*=UTF-8''([^;\s]*)", disposition)
    return plain.decode("ascii"), unquote(utf8.decode("ascii"), errors="strict")


async def test_you_met_names_the_vcard_with_accents_folded_for_old_mail_apps(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card(name=NAME)
    await leaves_details(new_phone, dana)
    sent = await sent_once(app, mail)
    # A mail app reading filename* gets the name as typed, less what a file name cannot hold.
    assert filenames(sent.raw) == ("Jose Nunez evil.vcf", "José Ñúñez evil.vcf")


async def test_save_contact_names_the_vcard_with_accents_folded_too(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(name="Zoë Łukasiewicz-Straße")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, dana)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards k ON k.account_id = c.contact_id"
        " WHERE k.name = 'Zoë Łukasiewicz-Straße'"
    )
    saved = await mia.get(mia.url("contact_vcard", contact_id=contact_id))
    assert saved.status_code == 200
    assert saved.headers["content-disposition"] == (
        'attachment; filename="Zoe Lukasiewicz-Strasse.vcf"; '
        "filename*=UTF-8''Zo%C3%AB%20%C5%81ukasiewicz-Stra%C3%9Fe.vcf"
    )
