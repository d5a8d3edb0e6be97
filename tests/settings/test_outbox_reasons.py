"""Settings' "Recent emails to you" says why an email is late or was not delivered in plain
words: not an exception's name and our mail server's address, which stay in the database for
operators; a refusal that failed it keeps the mail server's own words about the address."""

from __future__ import annotations

import pytest

from server.settings.mail_reason import reason
from tests.phone import soup

REFUSED_CONNECTION = "ConnectionRefusedError: [Errno 111] Connect call failed ('10.0.3.17', 587)"
USER_UNKNOWN = "5.1.1 <dana@example.com>: Recipient address rejected: User unknown"


@pytest.mark.parametrize(
    ("last_error", "final", "shown"),
    [
        (REFUSED_CONNECTION, False, "our mail server could not be reached"),
        ("TimeoutError: ", False, "our mail server could not be reached"),
        (
            "gaierror: [Errno -2] Name or service not known",
            False,
            "our mail server could not be reached",
        ),
        ("SMTPServerDisconnected: Connection lost", True, "our mail server could not be reached"),
        (
            "SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED]')",
            False,
            "our mail server could not be reached",
        ),
        ("KeyError: 'met_name'", True, "something went wrong on our side"),
        ("the address cannot be used: 'dana@@example'", True, "this address cannot get email"),
        (USER_UNKNOWN, True, f"the mail server refused it: {USER_UNKNOWN}"),
        ("Error: too many errors", True, "the mail server refused it: Error: too many errors"),
        # Tried again: maybe our own server refusing us (a login, relaying), not the reader's.
        (
            "5.7.1 <host[10.0.3.17]>: Relay access denied",
            False,
            "the mail server has not taken it yet",
        ),
        ("", True, ""),
    ],
)
def test_reasons_in_plain_words(last_error: str, final: bool, shown: str) -> None:
    assert reason(last_error, final=final) == shown


def outbox(page) -> str:
    listed = soup(page).find(id="outbox")
    assert listed is not None
    return " ".join(listed.get_text().split())


async def test_recent_emails_say_why_in_plain_words(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    assert (await dana.post(dana.url("settings_email_confirm"))).status_code == 303
    await pool.execute(
        "UPDATE emails SET attempts = 1, last_error = $1,"
        " next_attempt_at = now() + interval '5 minutes'",
        REFUSED_CONNECTION,
    )
    said = outbox(await dana.get(dana.url("settings")))
    assert said == "Confirmation · trying again soon (our mail server could not be reached)"
    # Kept as it was for operators.
    assert await pool.fetchval("SELECT last_error FROM emails") == REFUSED_CONNECTION

    await pool.execute(
        "UPDATE emails SET status = 'failed', attempts = 2, last_error = $1", USER_UNKNOWN
    )
    said = outbox(await dana.get(dana.url("settings")))
    assert (
        said
        == f"Confirmation · not delivered after 2 tries: the mail server refused it: {USER_UNKNOWN}"
    )

    await pool.execute("UPDATE emails SET attempts = 1, last_error = 'KeyError: ''met_name'''")
    said = outbox(await dana.get(dana.url("settings")))
    assert said == "Confirmation · not delivered after 1 try: something went wrong on our side"
    assert "KeyError" not in said
