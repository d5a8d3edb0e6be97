"""The limits on asking people to connect: per sender, per person asked, per network."""

from __future__ import annotations

from datetime import timedelta

from server.web import limits

# Requests one person may send in an hour.
PER_HOUR = 30
REQUESTS = limits.Rule(
    "requests",
    PER_HOUR,
    timedelta(hours=1),
    f"You have sent {PER_HOUR} requests in the last hour. Please try again {{wait}}.",
)
# Requests one person may be sent in an hour, from everyone: a flood of new accounts (each
# with its own 30) reaches nobody's phone past it. A speaker whose talk filled a room of a
# few hundred hears from a tenth of it, and a hundred is about what anyone reads through and
# answers in an hour; past it, the rest wait a while rather than bury the real ones.
TO_PERSON_PER_HOUR = 100
REQUESTS_TO_PERSON = limits.Rule(
    "requests-to-person",
    TO_PERSON_PER_HOUR,
    timedelta(hours=1),
    "Lots of people asked this person to connect in the last hour, so we are holding new"
    " requests to them for a while. Nothing was sent: please try again {wait}, or swap with"
    " them in person.",
)
# Requests from one network: a venue's Wi-Fi is one IPv4 address for hundreds of people,
# each sending a few, so as loose as swaps by link from one address (server/swaps/rates.py).
REQUESTS_PER_ADDRESS = limits.Rule(
    "address-requests",
    300,
    timedelta(minutes=10),
    "Many requests to connect were sent from your network just now. Nothing was sent: please"
    " try again {wait}.",
)
