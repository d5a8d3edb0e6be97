-- Whether a passkey is a way of proof: its phone asked for a face, fingerprint or PIN when it
-- was added, or has since (the flag in an answer it signed, signing in or confirming it's
-- you). Every proof a passkey gives requires that, so one that never asks would be a way of
-- proof that never proves, and lock out of deleting her account and of adding another way an
-- owner whose only way it is. A passkey is now added only when its phone asked, but one added
-- before may not have been, and nothing says which: false for those, until their phone asks.
-- One added from now on was asked for it (server/signin/passkeys.py), hence the default.
ALTER TABLE passkeys ADD COLUMN verifies_user boolean NOT NULL DEFAULT false;
ALTER TABLE passkeys ALTER COLUMN verifies_user SET DEFAULT true;
