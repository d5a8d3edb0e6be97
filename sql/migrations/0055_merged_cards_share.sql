-- A merged account's card goes with it (merge_accounts() in logic.sql), but its QR codes,
-- share links and NFC tags (whose tokens never expire) are still out there, on badges and in
-- chats: they open the card of the account kept, the same person, rather than saying she
-- deleted her account and is in nobody's contacts (visits.card_for_token, join_by_link()).
-- What that takes, kept while the account kept lives (the row goes with it, and its links
-- then say deleted): the merged card's opaque share id and its share generation at the merge
-- (a code it had reset stays dead), and the kept card's generation then (`target_generation`:
-- "Make a new code" on the kept card ends these links too; NULL, ended). NULL share_id: a
-- merge from before this migration, or of an account with no card.
ALTER TABLE merged_accounts
    ADD COLUMN share_id bigint,
    ADD COLUMN share_generation integer,
    ADD COLUMN target_generation integer;
CREATE UNIQUE INDEX merged_accounts_share_id ON merged_accounts (share_id);
