-- Confirm it's you: how a session's owner can prove the account is theirs, and the proof
-- given (server/signin/proving.py), asked before deleting it and before adding a way of proof.

-- name: ways^
-- How :account_id can confirm it is them in this session (:session_id): an address confirmed
-- for this account that a code can go to (NULL when there is none), whether it is on the card
-- now and whether mail to it bounced, how many passkeys it has (every one is a way of proof:
-- one added before passkeys had to ask for a face, fingerprint or PIN proves with a tap until
-- its phone says it asked, passkeys.authenticate), and whether this session proved it in the
-- last :fresh (a code or a passkey just now, or a sign-in by either).
-- Every confirmed address counts, not only the card's: whoever holds the unlocked phone can
-- change the card's email with no proof, and that must not leave the session alone as all it
-- takes. Of several, one that does not bounce, then the card's (where its owner is now), then
-- the one confirmed last (proof_address() in logic.sql, the one pick); so ``bounced`` says
-- mail to every one of them bounced. Such an address is no way of proof
-- (proving.Ways.proof_needed): its owner, who reads mail elsewhere now, could otherwise never
-- confirm a new one. A code still goes to it when a passkey is asked for too (a bounce may
-- pass); the page says it may not arrive.
SELECT x.address, x.on_card, x.bounced,
       (SELECT count(*) FROM passkeys p WHERE p.account_id = s.account_id) AS passkeys,
       coalesce(s.fresh_sign_in_at > now() - :fresh::interval, false) AS fresh
FROM sessions s
LEFT JOIN LATERAL proof_address(s.account_id) x ON true
WHERE s.id = :session_id AND s.account_id = :account_id

-- name: lock_ways!
-- :account_id's ways to confirm it is them are about to change (a passkey removed): a second
-- change waits for the first, and then sees what it left.
SELECT 1 FROM accounts WHERE id = :account_id FOR UPDATE

-- name: signed_in_afresh!
-- This session's owner just proved it is them (an email code, a passkey).
UPDATE sessions SET fresh_sign_in_at = now() WHERE id = :session_id AND account_id = :account_id
