"""The mail the local sink kept: its .eml files listed, read and taken apart for `/dev/mail`.

A message is named by its file's stem (``20261201T093012.123456Z-3fa9c1``); a name is
only ever turned into a path after it matched the sink's naming pattern exactly and the
file exists directly in the directory, so no name reaches anything else.
"""

from __future__ import annotations

import email
import email.policy
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message, MIMEPart
from email.parser import BytesHeaderParser
from pathlib import Path

from server.config import Settings
from server.local_services.mail_sink import EML_NAME, kept_at

# The headers a developer checks in a message the app sent, in this order.
SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date", "List-Unsubscribe")
LISTED = 200  # a list of every message ever kept would grow without bound
# What a download's Content-Type may say; anything else in a message is sent as bytes.
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
CHARSET = re.compile(r"[a-z0-9][a-z0-9_.:+-]*")


def directory(settings: Settings) -> Path:
    """Where ``python -m server mail-sink`` keeps messages and `/dev/mail` reads them."""
    return settings.data_dir / "mail"


@dataclass(frozen=True)
class Summary:
    """One line of the list."""

    name: str
    subject: str
    to: str
    sender: str
    kept_at: datetime


@dataclass(frozen=True)
class Attachment:
    index: int  # 1-based, as in its URL
    filename: str
    content_type: str  # as the message says, checked to be a plain media type
    size: int
    part: MIMEPart

    @property
    def media_type(self) -> str:
        """The Content-Type to download it with: its type, and its charset when it has one."""
        charset = (self.part.get_content_charset() or "").strip()
        return self.content_type + (f"; charset={charset}" if CHARSET.fullmatch(charset) else "")


@dataclass(frozen=True)
class Mail:
    """One message, taken apart for its page."""

    name: str
    kept_at: datetime
    headers: list[tuple[str, str]]
    subject: str
    html: str | None
    text: str | None
    attachments: list[Attachment]


def path_of(mail_dir: Path, name: str) -> Path | None:
    """The file of the message called ``name``, or None for any other name."""
    filename = f"{name}.eml"
    match = EML_NAME.fullmatch(filename)
    if match is None or match["stem"] != name:
        return None
    path = mail_dir / filename
    return path if _kept(path) else None


def _kept(path: Path) -> bool:
    """A message file the sink wrote: its name, and a file of its own (not a link)."""
    return bool(EML_NAME.fullmatch(path.name)) and path.is_file() and not path.is_symlink()


def newest(mail_dir: Path, limit: int = LISTED) -> tuple[list[Summary], int]:
    """The newest ``limit`` messages, newest first, and how many there are in all."""
    if not mail_dir.is_dir():
        return [], 0
    names = sorted((p.name for p in mail_dir.iterdir() if _kept(p)), reverse=True)
    parser = BytesHeaderParser(policy=email.policy.default)
    summaries = []
    for filename in names[:limit]:
        try:
            with (mail_dir / filename).open("rb") as file:
                headers = parser.parse(file)
        except FileNotFoundError:  # removed since it was listed
            continue
        summaries.append(
            Summary(
                name=filename.removesuffix(".eml"),
                subject=_header(headers, "Subject"),
                to=_header(headers, "To"),
                sender=_header(headers, "From"),
                kept_at=kept_at(filename),
            )
        )
    return summaries, len(names)


def read(path: Path) -> Mail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",))
    bodies = [part for part in (html, text) if part is not None]
    attachments: list[Attachment] = []
    for part in _leaves(message):
        if any(part is body for body in bodies):
            continue
        content_type = part.get_content_type()
        if not MEDIA_TYPE.fullmatch(content_type):
            content_type = "application/octet-stream"
        index = len(attachments) + 1
        attachments.append(
            Attachment(
                index=index,
                filename=_filename(part, index),
                content_type=content_type,
                size=len(content_bytes(part)),
                part=part,
            )
        )
    return Mail(
        name=path.stem,
        kept_at=kept_at(path.name),
        headers=[(name, _header(message, name)) for name in SHOWN_HEADERS if name in message],
        subject=_header(message, "Subject"),
        html=_text(html) if html is not None else None,
        text=_text(text) if text is not None else None,
        attachments=attachments,
    )


def content_bytes(part: MIMEPart) -> bytes:
    """A part's content, decoded from its transfer encoding (an attached message whole)."""
    if part.get_content_maintype() == "message" and part.is_multipart():
        inner = part.get_payload(0)
        return inner.as_bytes() if isinstance(inner, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _leaves(part: MIMEPart) -> Iterator[MIMEPart]:
    """Every non-multipart part, depth first; an attached message counts as one part."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for sub in part.iter_parts():
            yield from _leaves(sub)
    else:
        yield part


def _text(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        return content_bytes(part).decode("utf-8", errors="replace")
    return content if isinstance(content, str) else content_bytes(part).decode(errors="replace")


def _header(message: Message, name: str) -> str:
    # Several headers of one name (two To:) are shown together.
    values = message.get_all(name) or []
    return ", ".join(" ".join(str(value).split()) for value in values)


def _filename(part: MIMEPart, index: int) -> str:
    """The attachment's own file name, without any directory in it, or one made up."""
    given = part.get_filename() or ""
    cleaned = "".join(c for c in given.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
    cleaned = cleaned.strip().strip(".")
    if cleaned:
        return cleaned
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"part-{index}{extension}"
