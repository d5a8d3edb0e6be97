-- Merging an account into the one a browser just signed in to takes its contacts: whoever
-- holds an unlocked phone for a minute could sign in to their own account on it and take its
-- owner's. An account with a way to confirm it is them (a confirmed address, a passkey) is
-- merged only after that proof, in the session that merges: a code emailed to its address
-- (purpose 'merge', in an email of its own) or one of its passkeys. merge_proven_for is the
-- account so proven; an offer of another account (the next guest card) proves nothing.
ALTER TABLE sessions ADD COLUMN merge_proven_for bigint REFERENCES accounts ON DELETE SET NULL;

ALTER TABLE sign_in_codes
    DROP CONSTRAINT sign_in_codes_purpose_check,
    ADD CONSTRAINT sign_in_codes_purpose_check CHECK (purpose IN ('sign_in', 'delete', 'merge'));

ALTER TABLE emails
    DROP CONSTRAINT emails_kind_check,
    ADD CONSTRAINT emails_kind_check
        CHECK (kind IN ('met', 'reminder', 'digest', 'confirm', 'code', 'delete_code',
                        'merge_code', 'summary'));
