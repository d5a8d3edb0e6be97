-- The card page a share link opens, as someone with no account sees it, kept rendered and
-- gzip-compressed for every web process (server/swaps/card_pages.py): a crowd scanning a
-- code at a big event reaches many processes, and each would otherwise render it again.
--
-- A page is used only for the card row it was rendered from (`version`: the row's xmin, with
-- its `updated_at`) and by processes that render alike (`release`: a digest of the code,
-- templates and static files). Changing the card deletes its pages at once (the trigger
-- below): none of the old details stays behind. Deleting the account deletes them too.
CREATE TABLE card_pages (
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    token text NOT NULL,
    release text NOT NULL,
    version xid NOT NULL,
    updated_at timestamptz NOT NULL,
    headers text[] NOT NULL,  -- name, value, name, value...
    page bytea NOT NULL,  -- gzip
    -- When the link it was opened from stops working (retention deletes it then); none: a
    -- tag's link, which works until the code is reset.
    expires_at timestamptz,
    PRIMARY KEY (account_id, token)
) WITH (toast_tuple_target = 8160);
-- Already compressed: pglz would try and fail on every row, and a page kept inline (a few
-- KB, under toast_tuple_target) is read with its row, not from the TOAST table.
ALTER TABLE card_pages ALTER COLUMN page SET STORAGE EXTERNAL;

CREATE INDEX card_pages_expires_at ON card_pages (expires_at);

CREATE FUNCTION forget_card_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM card_pages WHERE account_id = OLD.account_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER cards_forget_pages AFTER UPDATE ON cards
    FOR EACH ROW EXECUTE FUNCTION forget_card_pages();
