-- An address is confirmed for one account: the one whose email its owner answered (a
-- confirmation, "Remind me tomorrow", a sign-in code). Another card that carries the same
-- address (typed by mistake, or on purpose) gets no reminders there and no say over it, and
-- signing in with the address opens the account it is confirmed for.
ALTER TABLE email_addresses
    ADD COLUMN confirmed_for bigint REFERENCES accounts ON DELETE SET NULL;
CREATE INDEX email_addresses_confirmed_for ON email_addresses (confirmed_for)
    WHERE confirmed_for IS NOT NULL;

-- Confirmed before: for the account signing in with the address opened (a card its owner
-- made rather than a guest card, then the one used most recently).
UPDATE email_addresses ea SET confirmed_for = (
    SELECT c.account_id
    FROM cards c JOIN accounts a ON a.id = c.account_id
    LEFT JOIN LATERAL (SELECT max(last_seen_at) AS seen FROM sessions s
                       WHERE s.account_id = c.account_id) s ON true
    WHERE lower(c.email) = ea.address AND c.email <> ''
    ORDER BY a.guest, s.seen DESC NULLS LAST, c.account_id
    LIMIT 1)
WHERE ea.confirmed_at IS NOT NULL;
UPDATE email_addresses SET confirmed_at = NULL
WHERE confirmed_at IS NOT NULL AND confirmed_for IS NULL;
