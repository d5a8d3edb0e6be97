"""Why an email to me is late or was not delivered, as Settings' "Recent emails to you" says it:
in plain words, not the raw ``last_error`` the mail worker keeps for operators (an exception's
name and the mail server's address, or a reply from the mail server)."""

from __future__ import annotations

import builtins
import re
import socket
import ssl

import aiosmtplib

# "ConnectionRefusedError: [Errno 111] …": how the worker records an exception (its class
# name first); a mail server's reply starts with its words or an enhanced code ("5.1.1 …").
RAISED = re.compile(r"^([A-Za-z_]\w*):(?: |$)")
# Any other exception's name (KeyError, UnicodeEncodeError, a class of ours): not a reply's
# first word, as Postfix's "Error: too many errors" is.
OURS = re.compile(r"\w+(?:Error|Exception)")
# Where the classes of what sending can raise are found by name.
RAISED_IN = (builtins, socket, ssl, aiosmtplib)
# messages.Unsendable: the address on the card is not one an email can be sent to.
UNUSABLE_ADDRESS = "the address cannot be"

UNREACHABLE = "our mail server could not be reached"
OUR_FAULT = "something went wrong on our side"
BAD_ADDRESS = "this address cannot get email"
NOT_TAKEN_YET = "the mail server has not taken it yet"


def _raised(name: str) -> type[BaseException] | None:
    for module in RAISED_IN:
        found = getattr(module, name, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
    return None


def reason(last_error: str, *, final: bool) -> str:
    """``last_error`` in plain words; ``final`` when it failed for good (not tried again).
    A refusal that failed it is the mail server's own reply, kept: its words say what is
    wrong with the address ("5.1.1 User unknown"). "" for no error."""
    said = " ".join(last_error.split())
    if not said:
        return ""
    if said.startswith(UNUSABLE_ADDRESS):
        return BAD_ADDRESS
    raised = RAISED.match(said)
    if raised:
        kind = _raised(raised.group(1))
        if kind is not None and issubclass(kind, OSError | aiosmtplib.SMTPException):
            # A refused or dropped connection, DNS, TLS, a timeout (TimeoutError is an OSError).
            return UNREACHABLE
        # Any other exception is the worker failing to write the email: a bug of ours.
        if kind is not None or OURS.fullmatch(raised.group(1)):
            return OUR_FAULT
    # A reply: while it is tried again, it may be our own server refusing us (a login,
    # relaying), which is no business of the reader's; when it failed it, it is about the
    # address or the message.
    return f"the mail server refused it: {said}" if final else NOT_TAKEN_YET
