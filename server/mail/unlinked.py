"""Text someone else typed (a card's name, headline or company, an event's name), put into an
email so that no mail client makes a link of it.

Mail apps turn a bare domain, an address or a URL in a message's text into a link
("verify at paypal-secure-login.com/verify"), and our mail comes from Reachout's signed domain:
a card's name must not become a clickable link in it. The card form does not refuse such names
(a name is what its owner says it is); the email writes them so that none is recognised.

``unlinked`` puts a zero-width non-joiner (U+200C, HTML's ``&zwnj;``, as email developers do
against autolinking) after each dot or at sign that something other than white space follows,
and after the colon of ``://``: "paypal-secure-login.\u200ccom" has no known
top-level domain after its dot, so no host is found, and a person reads it as typed (the mark
has no width and does not break a line). The same in the plain-text part and in the HTML, so
both read alike. After the dot, not before it: a client that took the mark as part of a name
(a letter it does not know) would find "login\u200c.com" a host, where "\u200ccom" is no
top-level domain; and a browser refuses a host holding one (IDNA's joiner rule) rather than
dropping it, as it drops a word joiner (U+2060). The full-width dots and at sign a browser
reads as "." and "@" in a host are broken the same way.

Our own links (buttons, the card's website and LinkedIn as links we chose) are written as
links, their targets never through here. Numbers are left as typed (a count, a year, a card's
own phone): the HTML's ``format-detection`` meta (layout.html) asks iOS Mail to make no number
a "call" link, and the card's phone is a ``tel:`` link we wrote.
"""

from __future__ import annotations

import re

# ZERO WIDTH NON-JOINER: invisible, no line break, not part of a host name.
MARK = "\u200c"
# A dot or at sign (ASCII, ideographic, full-width, half-width) with something after it, or
# the colon of "://". Not one with a mark after it already: a subject is made unlinked whole,
# its name made so before.
_BREAKS = re.compile(r"[.@\u3002\uff0e\uff61\uff20](?=[^\s\u200c])|:(?=//)")


def unlinked(text: str) -> str:
    """``text`` as it reads, with nothing a mail client would make a link of."""
    return _BREAKS.sub(lambda found: found.group() + MARK, text)


# The most of a name a subject carries: a phone's notification shows a subject's first 30 to
# 40 characters, and the email itself gives the whole name.
SUBJECT_NAME = 40


def short_name(name: str) -> str:
    """``name`` for a subject: whole when it is at most ``SUBJECT_NAME`` characters, else cut
    there (at the last space in its second half, if any) with "…"."""
    name = " ".join(name.split())
    if len(name) <= SUBJECT_NAME:
        return name
    cut = name[: SUBJECT_NAME - 1]
    space = cut.rfind(" ")
    if space >= SUBJECT_NAME // 2:
        cut = cut[:space]
    return cut.rstrip(" -·,.;:") + "…"
