-- Confirm it's you before adding a way of proof: whoever holds an unlocked phone for a minute
-- must not add their own passkey to its owner's account, nor confirm their own address for it
-- (either would sign them in as its owner from anywhere, for good). An account with a way of
-- proof (a confirmed address, a passkey) adds another only after a fresh proof in the session
-- adding it: a code to its confirmed address (purpose 'prove', in an email of its own,
-- 'prove_code') or one of its passkeys; a sign-in by either counts too.
ALTER TABLE sign_in_codes
    DROP CONSTRAINT sign_in_codes_purpose_check,
    ADD CONSTRAINT sign_in_codes_purpose_check
        CHECK (purpose IN ('sign_in', 'delete', 'merge', 'prove'));

ALTER TABLE emails
    DROP CONSTRAINT emails_kind_check,
    ADD CONSTRAINT emails_kind_check
        CHECK (kind IN ('met', 'reminder', 'digest', 'confirm', 'code', 'delete_code',
                        'merge_code', 'prove_code', 'summary'));
