"""The version of what a contact's page shows of their card, as they share it with me: sent
with the page and kept with its offline copy, and asked again by the service worker
(kept_routes.py), so that a copy showing more than they share now is fetched again."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# What a contact's page shows of their card, as they share it with me (shared_card() in
# logic.sql): its version (SHOWN_HEADER on the page) changes when any of it does.
SHOWN = (
    "name",
    "headline",
    "company",
    "email",
    "phone",
    "linkedin",
    "website",
    "other_link",
    "looking_for",
    "can_help_with",
    "photo_key",
    "whole",
)
SHOWN_HEADER = "x-reachout-shown"
# On my contacts list: where the service worker checks the contacts' pages it keeps (read
# from the list's kept copy when another page showing contacts, Follow-ups, comes).
KEPT_CHECK_HEADER = "x-reachout-kept-check"


def shown_version(contact: Any) -> str:
    """The version of what a contact's page shows of their card: the same for the page
    (contacts.get) and for contacts_kept (contacts.kept), from the same columns."""
    shown = json.dumps([contact[name] for name in SHOWN], ensure_ascii=False)
    return hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()
