-- name: user_handle$
-- :account_id's WebAuthn user handle, made (from :new_handle) on first use.
WITH made AS (
    UPDATE accounts SET user_handle = :new_handle
    WHERE id = :account_id AND user_handle IS NULL
    RETURNING user_handle
)
SELECT coalesce((SELECT user_handle FROM made),
                (SELECT user_handle FROM accounts WHERE id = :account_id))

-- name: for_account
-- My passkeys, newest first; ``verifies_user``: whether its phone said it asked for a face,
-- fingerprint or PIN (when it was added or since), so that its proof must ask.
SELECT id, credential_id, name, created_at, last_used_at, verifies_user
FROM passkeys WHERE account_id = :account_id ORDER BY created_at DESC, id DESC

-- name: new_challenge!
-- A challenge for :purpose (and :account_id when registering), good for five minutes; old
-- ones are forgotten.
WITH forgotten AS (DELETE FROM webauthn_challenges WHERE expires_at < now())
INSERT INTO webauthn_challenges (challenge, purpose, account_id, expires_at)
VALUES (:challenge, :purpose, :account_id, now() + interval '5 minutes')

-- name: take_challenge$
-- Use up :challenge for :purpose (and :account_id); whether it was live. Once only: a replayed
-- answer finds it gone.
WITH taken AS (
    DELETE FROM webauthn_challenges
    WHERE challenge = :challenge AND purpose = :purpose AND expires_at > now()
      AND account_id IS NOT DISTINCT FROM :account_id
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM taken)

-- name: add$
-- A passkey registered by :account_id; its id, or NULL when an account (this one or another)
-- has that credential already: the browser made a passkey whose id is taken. Its phone asked
-- for a face, fingerprint or PIN (else it is not added): its proofs must ask from the start.
INSERT INTO passkeys (account_id, credential_id, public_key, sign_count, name, verifies_user)
VALUES (:account_id, :credential_id, :public_key, :sign_count, :name, true)
ON CONFLICT (credential_id) DO NOTHING
RETURNING id

-- name: by_credential^
-- The passkey a browser answered with, for checking its signature; ``verifies_user``: whether
-- its proof must say its phone asked for a face, fingerprint or PIN.
SELECT id, account_id, public_key, sign_count, verifies_user
FROM passkeys WHERE credential_id = :credential_id

-- name: used$
-- Signed in or proved with it: its new signature counter and when; when its phone asked for a
-- face, fingerprint or PIN (:user_verified), its proofs must ask from now on: one added
-- before passkeys had to ask proves with a tap only until its phone has asked once. Its
-- account, read under the row's lock (NULL once it is gone): a merge moving it meanwhile has
-- committed, and the account by_credential read may be gone.
UPDATE passkeys
SET sign_count = :sign_count, last_used_at = now(),
    verifies_user = verifies_user OR :user_verified
WHERE id = :id
RETURNING account_id

-- name: remove$
-- Remove one of my passkeys; returns its id when it was mine.
DELETE FROM passkeys WHERE id = :id AND account_id = :account_id RETURNING id
