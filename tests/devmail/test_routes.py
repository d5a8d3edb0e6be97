"""`/dev/mail` shows, in development only, the mail the local sink kept.

The messages are real: sent with aiosmtplib to a ``LocalMailSink`` keeping them in the
development app's data directory, as ``make run``'s mail process does.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.config import load_settings
from server.devmail.routes import links_in_new_tabs
from server.local_services.mail_sink import LocalMailSink
from tests.conftest import TEST_SECRET
from tests.phone import soup, text_of

PDF = b"%PDF-1.4\n" + bytes(range(256)) + b"\n%%EOF\n"
HTML = (
    "<!doctype html><html><head><style>p{margin:0}</style></head><body>"
    '<p style="color:#0b3d91">You met <b>Mia</b> at Lunch &amp; Learn.</p>'
    '<script>alert("never run")</script></body></html>'
)


@dataclass
class DevApp:
    client: httpx.AsyncClient
    mail_dir: Path
    app: Starlette


@pytest.fixture
async def dev(database_url: str, tmp_path: Path) -> AsyncIterator[DevApp]:
    """The app with REACHOUT_ENV=development, its data directory a fresh one."""
    settings = load_settings(
        {
            "REACHOUT_ENV": "development",
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET,
            "REACHOUT_DATA_DIR": str(tmp_path),
        }
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield DevApp(client, tmp_path / "mail", app)


def reminder() -> EmailMessage:
    """What the app will send: HTML and text, a reply-to, an unsubscribe link, a file."""
    message = EmailMessage()
    message["From"] = "Reachout <reachout@localhost>"
    message["To"] = "Dana Lee <dana@example.com>"
    message["Reply-To"] = "Mia Chen <mia@example.com>"
    message["Subject"] = "Reach out to Mia — you met at Lunch & Learn"
    message["Date"] = "Tue, 01 Dec 2026 09:30:00 +0000"
    message["List-Unsubscribe"] = "<http://localhost:8000/unsubscribe/abc>"
    message.set_content("You met Mia at Lunch & Learn.\nhttp://localhost:8000/contacts/1\n")
    message.add_alternative(HTML, subtype="html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="Zoë's notes.pdf")
    return message


def plain(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "reachout@localhost"
    message["To"] = "zoe@example.com"
    message["Subject"] = subject
    message.set_content("Just text.\n")
    return message


async def send_all(mail_dir: Path, *messages: EmailMessage) -> list[str]:
    """Send through a real sink keeping mail where the app reads it; the kept names."""
    async with LocalMailSink(directory=mail_dir) as sink:
        for message in messages:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=sink.port, timeout=10)
        kept = await sink.wait_for(len(messages))
    return [mail.path.stem for mail in kept if mail.path is not None]


async def test_the_list_is_newest_first_and_links_each_message(dev: DevApp):
    first, second = await send_all(dev.mail_dir, plain("The first one"), reminder())

    page = await dev.client.get("/dev/mail")
    assert page.status_code == 200
    items = soup(page).select("main ul.people li")
    assert [item.select_one(".name").get_text() for item in items] == [
        "Reach out to Mia — you met at Lunch & Learn",
        "The first one",
    ]
    assert [item.a["href"] for item in items] == [f"/dev/mail/{second}", f"/dev/mail/{first}"]
    newest = " ".join(items[0].get_text().split())
    assert "To Dana Lee <dana@example.com>, from Reachout <reachout@localhost>" in newest
    assert "just now" in newest
    assert items[0].time["datetime"].startswith("20")


async def test_with_no_mail_it_says_where_mail_will_appear(dev: DevApp):
    page = await dev.client.get("/dev/mail")
    assert page.status_code == 200
    assert "No mail yet. Mail the app sends while make run is running appears here." in text_of(
        page
    )


async def test_a_message_page_shows_its_headers_html_text_and_attachments(dev: DevApp):
    [name] = await send_all(dev.mail_dir, reminder())

    page = await dev.client.get(f"/dev/mail/{name}")
    assert page.status_code == 200
    html = soup(page)
    assert html.h1.get_text() == "Reach out to Mia — you met at Lunch & Learn"
    headers = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in html.select("dl dt")}
    assert headers == {
        "From": "Reachout <reachout@localhost>",
        "To": "Dana Lee <dana@example.com>",
        "Reply-To": "Mia Chen <mia@example.com>",
        "Subject": "Reach out to Mia — you met at Lunch & Learn",
        "Date": "Tue, 01 Dec 2026 09:30:00 +0000",
        "List-Unsubscribe": "<http://localhost:8000/unsubscribe/abc>",
    }
    frame = html.select_one("iframe")
    assert frame["src"] == f"/dev/mail/{name}/html"
    assert frame["title"]
    assert "allow-scripts" not in frame["sandbox"] and "allow-same-origin" not in frame["sandbox"]
    assert html.select_one("pre").get_text().splitlines() == [
        "You met Mia at Lunch & Learn.",
        "http://localhost:8000/contacts/1",
    ]
    [item] = html.select("main ul.links li")
    assert item.a["href"] == f"/dev/mail/{name}/attachments/1"
    assert item.a.get_text() == "Zoë's notes.pdf"
    assert " ".join(item.get_text().split()) == (
        f"Zoë's notes.pdf application/pdf, {len(PDF)} bytes"
    )
    raw_link = html.find("a", string="Download the .eml")
    assert raw_link is not None and raw_link["href"] == f"/dev/mail/{name}/raw"
    # The page itself keeps the app's own policy, which lets it frame our own URLs only.
    assert "default-src 'self'" in page.headers["content-security-policy"]


async def test_the_html_part_is_served_sandboxed_without_scripts_or_network(dev: DevApp):
    [name] = await send_all(dev.mail_dir, reminder())

    part = await dev.client.get(f"/dev/mail/{name}/html")
    assert part.status_code == 200
    assert part.headers["content-type"] == "text/html; charset=utf-8"
    assert "You met <b>Mia</b>" in part.text
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in part.headers["content-security-policy"].split("; ")
    }
    assert policy["default-src"] == ["'none'"]  # no script, no connection, no remote image
    assert policy["style-src"] == ["'unsafe-inline'"]  # the email's own styles
    assert policy["img-src"] == ["data:"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "sandbox" in policy and "allow-scripts" not in policy["sandbox"]
    assert "script-src" not in policy
    # Its links open in a new tab (a popup may leave the sandbox): followed inside the
    # frame, a link to one of our pages would be refused, as they may not be framed.
    assert part.text.startswith('<!doctype html><html><head><base target="_blank"><style>')
    assert "allow-popups-to-escape-sandbox" in policy["sandbox"]


def test_the_html_part_s_links_open_in_a_new_tab_whatever_its_shape():
    base = '<base target="_blank">'
    assert links_in_new_tabs("<HTML><Head lang=en><header>x</header>") == (
        f"<HTML><Head lang=en>{base}<header>x</header>"
    )
    assert links_in_new_tabs('<!DOCTYPE html>\n<p><a href="x">y</a>') == (
        f'<!DOCTYPE html>{base}\n<p><a href="x">y</a>'
    )
    assert links_in_new_tabs("<p>no head</p>") == f"{base}<p>no head</p>"
    # Before any base target of its own, as the first one decides.
    assert links_in_new_tabs('<html><head><base target="_self">') == (
        f'<html><head>{base}<base target="_self">'
    )


async def test_an_attachment_downloads_with_its_filename_and_type(dev: DevApp):
    [name] = await send_all(dev.mail_dir, reminder())

    download = await dev.client.get(f"/dev/mail/{name}/attachments/1")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%AB%27s%20notes.pdf" in disposition
    assert "sandbox" in download.headers["content-security-policy"]


async def test_the_raw_message_downloads_as_it_was_kept(dev: DevApp):
    [name] = await send_all(dev.mail_dir, reminder())

    raw = await dev.client.get(f"/dev/mail/{name}/raw")
    assert raw.status_code == 200
    assert raw.content == (dev.mail_dir / f"{name}.eml").read_bytes()
    assert raw.headers["content-type"] == "message/rfc822"
    assert f'filename="{name}.eml"' in raw.headers["content-disposition"]


async def test_a_text_only_message_has_no_html_url(dev: DevApp):
    [name] = await send_all(dev.mail_dir, plain("Just text"))
    page = await dev.client.get(f"/dev/mail/{name}")
    assert "This message has no HTML part." in text_of(page)
    assert "No attachments." in text_of(page)
    assert (await dev.client.get(f"/dev/mail/{name}/html")).status_code == 404


async def test_bad_names_are_not_found(dev: DevApp, tmp_path: Path):
    [name] = await send_all(dev.mail_dir, reminder())
    (dev.mail_dir / "notes.eml").write_bytes(b"Subject: not the sink's\r\n\r\n")
    (tmp_path / "secret_key").write_text("do not serve")
    elsewhere = "20261201T093012.123456Z-abcdef"
    os.symlink(tmp_path / "secret_key", dev.mail_dir / f"{elsewhere}.eml")

    for path in (
        "/dev/mail/notes",
        "/dev/mail/notes.eml",
        f"/dev/mail/{name}.eml",
        f"/dev/mail/{name.swapcase()}",  # always differs: T and Z are letters
        f"/dev/mail/{name}x",
        "/dev/mail/20261201T093012.123456Z-000000",  # the pattern, but no such file
        f"/dev/mail/{elsewhere}",  # a link out of the directory
        f"/dev/mail/{elsewhere}/raw",
        "/dev/mail/..%2Fsecret_key",
        "/dev/mail/%2E%2E/secret_key/raw",
        f"/dev/mail/{name}/attachments/0",
        f"/dev/mail/{name}/attachments/2",
        f"/dev/mail/{name}/attachments/x",
    ):
        response = await dev.client.get(path)
        assert response.status_code == 404, path
        assert "do not serve" not in response.text
        assert "Not found" in text_of(response), path
    listed = soup(await dev.client.get("/dev/mail")).select("main ul.people li a")
    assert [a["href"] for a in listed] == [f"/dev/mail/{name}"]


async def test_nothing_exists_outside_development(new_phone, settings, tmp_path: Path):
    """The test app (REACHOUT_ENV=test), and a production app, answer 404 everywhere,
    even with mail in their data directory."""
    [name] = await send_all(settings.data_dir / "mail", reminder())
    production = create_app(
        load_settings(
            {
                "REACHOUT_ENV": "production",
                "DATABASE_URL": "postgresql://nowhere.invalid/reachout",
                "SECRET_KEY": TEST_SECRET,
                "BASE_URL": "https://reachout.example",
                "VAPID_PRIVATE_KEY": "unused-here",
                "VAPID_SUBJECT": "mailto:ops@reachout.example",
                "SMTP_URL": "smtp://mail.example:587",
                "MAIL_FROM": "Reachout <reachout@reachout.example>",
                "REACHOUT_DATA_DIR": str(settings.data_dir),
            }
        )
    )
    phone = await new_phone()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production), base_url="https://reachout.example"
    ) as production_client:
        for client in (phone, production_client):
            for path in (
                "/dev/mail",
                f"/dev/mail/{name}",
                f"/dev/mail/{name}/html",
                f"/dev/mail/{name}/raw",
                f"/dev/mail/{name}/attachments/1",
            ):
                response = await client.get(path)
                assert response.status_code == 404, path
                assert "Not found" in text_of(response)


@pytest.mark.parametrize("client", ["192.168.1.23", "fe80::1", "::ffff:10.0.0.7"])
async def test_a_phone_on_the_wifi_cannot_read_the_mailbox(dev: DevApp, client: str):
    """With HOST=0.0.0.0 (the README's way to try it from a phone) the app answers the whole
    Wi-Fi; the mailbox, holding everyone's sign-in codes, answers only this computer."""
    [name] = await send_all(dev.mail_dir, reminder())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dev.app, client=(client, 50000)),
        base_url="http://testserver",
    ) as phone:
        for url in (
            "/dev/mail",
            f"/dev/mail/{name}",
            f"/dev/mail/{name}/html",
            f"/dev/mail/{name}/raw",
            f"/dev/mail/{name}/attachments/1",
        ):
            refused = await phone.get(url)
            assert refused.status_code == 403, url
            # By the address that works there: on that computer, the BASE_URL the phone uses
            # (its Wi-Fi address) is refused too.
            assert (
                "Open the mailbox on the computer running Reachout,"
                " at http://localhost:8000/dev/mail" in text_of(refused)
            )
            assert "Mia" not in refused.text


@pytest.mark.parametrize("client", ["127.0.0.1", "127.0.1.1", "::1", "::ffff:127.0.0.1"])
async def test_this_computer_reads_it_by_any_loopback_address(dev: DevApp, client: str):
    [name] = await send_all(dev.mail_dir, reminder())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dev.app, client=(client, 50000)),
        base_url="http://testserver",
    ) as here:
        page = await here.get(f"/dev/mail/{name}")
    assert page.status_code == 200
    assert soup(page).h1.get_text() == "Reach out to Mia — you met at Lunch & Learn"
