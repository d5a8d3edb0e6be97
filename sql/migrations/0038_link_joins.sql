-- Someone with no app sends their details on a card (join_by_link() in logic.sql) and the
-- answer never reaches their phone (the venue's network dropped it): they tap Send again. The
-- second try carries the same key (made by the page for that visit, kept in the tab), so it
-- signs them in to the account the first made rather than making a second one, for the
-- sharer to see twice. Only the key's hash, for ten minutes; retention deletes the rest.
CREATE TABLE link_joins (
    attempt_hash bytea PRIMARY KEY,
    sharer_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id bigint NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    made_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX link_joins_made_at ON link_joins (made_at);
CREATE INDEX link_joins_account_id ON link_joins (account_id);
CREATE INDEX link_joins_sharer_id ON link_joins (sharer_id);
CREATE INDEX link_joins_contact_id ON link_joins (contact_id);

-- join_by_link() takes the key's hash now (logic.sql makes it again).
DROP FUNCTION IF EXISTS join_by_link(bigint, bigint, integer, text[], text[], integer[], interval[], bytea,
                           text, text, text, text, text, text, text, text, text, text, text,
                           text);
