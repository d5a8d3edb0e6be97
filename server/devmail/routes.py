"""`/dev/mail`: the mail the app sent while `make run` ran, newest first, and each message.

Only with ``REACHOUT_ENV=development``: in any other environment every one of these URLs
is the app's ordinary 404, as if it did not exist. And only to the computer running it: the
mailbox holds everyone's sign-in codes, and the README's way to try it from a phone
(``HOST=0.0.0.0``) opens the app to the whole Wi-Fi.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from pathlib import Path
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from server.devmail import mailbox
from server.web.client import client_ip
from server.web.templating import render

# The HTML part runs with nothing: its own inline styles and images inside it, but no
# script, no request anywhere (remote images, fonts, forms), and a sandbox even when the
# URL is opened on its own. Only our own page may frame it.
HTML_PART_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
# A download is never run as a page of ours, whatever its type says.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
# Where the message's links open: a new tab, as a mail client opens them. Followed inside
# the frame, a link to one of our pages would be refused (our pages may not be framed) and
# the frame would show an error; a popup may leave the sandbox (allow-popups-to-escape-
# sandbox), so the page opens as it would from a mail client. The first <base> with a
# target decides, so this one goes first: just inside <head>, else after the doctype.
NEW_TABS = '<base target="_blank">'
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
DOCTYPE = re.compile(r"\s*<!doctype\b[^>]*>", re.IGNORECASE)


# By localhost: on that computer, the BASE_URL a phone uses (http://<its Wi-Fi address>:8000)
# arrives from that address, not a loopback one, and would be refused too.
ELSEWHERE = "Open the mailbox on the computer running Reachout, at http://localhost:{port}/dev/mail"


def _mail_dir(request: Request) -> Path:
    if request.app.state.settings.env != "development":
        raise HTTPException(404)
    if not on_this_computer(client_ip(request)):
        raise HTTPException(403, ELSEWHERE.format(port=request.app.state.settings.port))
    return mailbox.directory(request.app.state.settings)


def on_this_computer(ip: str | None) -> bool:
    """Whether the client is this computer: a loopback address (127.0.0.0/8, ``::1``, or
    IPv4 loopback written as IPv6). The address is the one uvicorn believes: a proxy on
    this computer passes the phone's own (``FORWARDED_ALLOW_IPS``)."""
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


async def _mail(request: Request) -> mailbox.Mail:
    path = mailbox.path_of(_mail_dir(request), request.path_params["name"])
    if path is None:
        raise HTTPException(404)
    return await asyncio.to_thread(mailbox.read, path)


async def mail_list(request: Request) -> Response:
    mail_dir = _mail_dir(request)
    summaries, total = await asyncio.to_thread(mailbox.newest, mail_dir)
    return render(request, "dev_mail.html", {"messages": summaries, "total": total})


async def mail_message(request: Request) -> Response:
    return render(request, "dev_mail_message.html", {"mail": await _mail(request)})


async def mail_html(request: Request) -> Response:
    mail = await _mail(request)
    if mail.html is None:
        raise HTTPException(404)
    return Response(
        links_in_new_tabs(mail.html),
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": HTML_PART_CSP},
    )


def links_in_new_tabs(html: str) -> str:
    """The HTML part with its links opening in a new tab (``NEW_TABS``)."""
    found = HEAD.search(html) or DOCTYPE.match(html)
    at = found.end() if found is not None else 0
    return html[:at] + NEW_TABS + html[at:]


async def mail_attachment(request: Request) -> Response:
    mail = await _mail(request)
    index = request.path_params["index"]
    if not 1 <= index <= len(mail.attachments):
        raise HTTPException(404)
    attachment = mail.attachments[index - 1]
    ascii_name = attachment.filename.encode("ascii", "ignore").decode().replace('"', "")
    return Response(
        mailbox.content_bytes(attachment.part),
        media_type=attachment.media_type,
        headers={
            "content-disposition": (
                f'attachment; filename="{ascii_name or "attachment"}";'
                f" filename*=UTF-8''{quote(attachment.filename)}"
            ),
            "content-security-policy": DOWNLOAD_CSP,
        },
    )


async def mail_raw(request: Request) -> Response:
    name = request.path_params["name"]
    path = mailbox.path_of(_mail_dir(request), name)
    if path is None:
        raise HTTPException(404)
    return FileResponse(
        path,
        media_type="message/rfc822",
        filename=path.name,
        headers={"content-security-policy": DOWNLOAD_CSP},
    )


routes = [
    Route("/dev/mail", mail_list, name="dev_mail"),
    Route("/dev/mail/{name}", mail_message, name="dev_mail_message"),
    Route("/dev/mail/{name}/html", mail_html, name="dev_mail_html"),
    Route("/dev/mail/{name}/raw", mail_raw, name="dev_mail_raw"),
    Route("/dev/mail/{name}/attachments/{index:int}", mail_attachment, name="dev_mail_attachment"),
]
