-- link_joins is written by every "Leave your details" with a key (nearly all of them, a
-- crowd's burst), so it keeps only what a resend needs: the key's hash, the account it made
-- and when. The card is found again through the newcomer's contact row for the sharer (by
-- its unique key), which is also there only while the two are connected; the indexes
-- beyond the account's (for a deleted account's cascade) cost each swap more than they gave.
DROP INDEX link_joins_made_at;
DROP INDEX link_joins_sharer_id;
DROP INDEX link_joins_contact_id;
ALTER TABLE link_joins DROP COLUMN sharer_id, DROP COLUMN contact_id;
