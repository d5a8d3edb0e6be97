-- An address is confirmed for each account its owner proved it for: a button in an email we
-- sent for that account (a confirmation asked for in Settings, "Remind me tomorrow"), or a
-- code sent to it and typed into that account. One person often has several (the app on the
-- home screen, a card made in Safari, a card someone typed for them), and confirming for one
-- takes nothing from another; a card that carries someone else's address gets nothing from
-- their confirmation. Replaces 0031's one account per address, which a second confirmation
-- took from the first. email_addresses.confirmed_at stays: confirmed for someone (the first
-- time), which the limit of one first email a day looks at.
CREATE TABLE address_confirmations (
    address text NOT NULL REFERENCES email_addresses ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    confirmed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (address, account_id)
);
CREATE INDEX address_confirmations_account ON address_confirmations (account_id);

INSERT INTO address_confirmations (address, account_id, confirmed_at)
SELECT address, confirmed_for, confirmed_at FROM email_addresses
WHERE confirmed_for IS NOT NULL AND confirmed_at IS NOT NULL;

ALTER TABLE email_addresses DROP COLUMN confirmed_for;
