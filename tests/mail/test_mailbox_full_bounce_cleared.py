"""Migration 0066: an address marked bouncing for a full mailbox ("552 5.2.2") before review
r75, when a 5.2.2 still counted as a bounce, gets mail again, as one refused so today does
(server/mail/smtp.py: tried again, not bouncing). Bounces for any other reason stay."""

from __future__ import annotations

from pathlib import Path

from server.mail.smtp import DATA, RECIPIENT, refusal
from tests.db.one_migration import apply_migration, migrated_before

MIGRATION = "0066_mailbox_full_is_no_bounce"
# Each address's last refusal, as the mail server said it: (stage, code, its text).
REFUSED = {
    "full@example.com": (RECIPIENT, 552, "5.2.2 <full@example.com>: Mailbox full"),
    "quota@example.com": (DATA, 552, "5.2.2 Mailbox full, over quota"),
    "gone@example.com": (
        RECIPIENT,
        550,
        "5.1.1 <gone@example.com>: Recipient address rejected: User unknown",
    ),
    "disabled@example.com": (RECIPIENT, 550, "5.2.1 Mailbox disabled, not accepting messages"),
    "other@example.com": (RECIPIENT, 552, "5.2.22 Some other status"),
}


async def test_addresses_bouncing_for_a_full_mailbox_get_mail_again(
    admin_url: str, tmp_path: Path
) -> None:
    async with migrated_before(admin_url, tmp_path, MIGRATION) as conn:
        # As mail.mark_bounced left them: the reply's text as the bounce's reason.
        for address, (stage, code, said) in REFUSED.items():
            await conn.execute(
                "INSERT INTO email_addresses (address, bounced_at, bounce_reason)"
                " VALUES ($1, now() - interval '3 days', $2)",
                address,
                refusal(stage, code, said).error,
            )
        await conn.execute("INSERT INTO email_addresses (address) VALUES ('fine@example.com')")

        assert await apply_migration(conn, tmp_path, MIGRATION) == [MIGRATION]
        rows = await conn.fetch("SELECT address, bounced_at, bounce_reason FROM email_addresses")
        bouncing = {row["address"] for row in rows if row["bounced_at"] is not None}
        assert bouncing == {"gone@example.com", "disabled@example.com", "other@example.com"}
        # The same addresses smtp.refusal now counts as a full mailbox, not a bounce.
        full = {a for a, refused in REFUSED.items() if refusal(*refused).mailbox_full}
        assert full == {"full@example.com", "quota@example.com"}
        assert {row["address"] for row in rows} - bouncing == full | {"fine@example.com"}
        assert all(row["bounce_reason"] == "" for row in rows if row["address"] in full)
