-- The card page a share link opens, as someone with no account sees it, kept rendered for
-- every web process (server/swaps/card_pages.py; the table: migration 0036).

-- name: version_and_page^
-- Which version of the card a share link names by its opaque :share_id: its generation (to
-- check the link), and `version`, the transaction that wrote the row as it is now
-- (PostgreSQL's xmin), which any change to the row changes however it is made, with its
-- `updated_at` (xmin alone comes round again after four billion transactions). Narrower than
-- the card. With it, the page kept for that version by processes of this :release, unless the
-- asking process keeps that version itself (:kept_version, :kept_updated_at): then it is not
-- sent.
-- A link from before share ids names its card by account: version_and_page_of_account, a
-- query of its own rather than a UNION of both with one id NULL. Such a query's plan, made
-- anew for the parameters of each run, leaves out the branch a NULL rules out, so it looks
-- cheaper than the plan PostgreSQL keeps; depending on the tables' statistics, it then planned
-- the query at every run (120 µs of CPU a page, three times the read itself).
SELECT c.account_id, c.share_generation, c.xmin AS version, c.updated_at, p.headers, p.page
FROM cards c
LEFT JOIN card_pages p
    ON p.account_id = c.account_id AND p.token = :token AND p.release = :release
   AND p.version = c.xmin AND p.updated_at = c.updated_at
   AND (c.xmin, c.updated_at) IS DISTINCT FROM (:kept_version::xid, :kept_updated_at::timestamptz)
WHERE c.share_id = :share_id

-- name: version_and_page_of_account^
-- As version_and_page, for a link from before share ids, which names the card's :account_id.
SELECT c.account_id, c.share_generation, c.xmin AS version, c.updated_at, p.headers, p.page
FROM cards c
LEFT JOIN card_pages p
    ON p.account_id = c.account_id AND p.token = :token AND p.release = :release
   AND p.version = c.xmin AND p.updated_at = c.updated_at
   AND (c.xmin, c.updated_at) IS DISTINCT FROM (:kept_version::xid, :kept_updated_at::timestamptz)
WHERE c.account_id = :account_id

-- name: keep!
-- Keep a page rendered from the card as it was at :version, :updated_at; only while the card
-- is still that version (a page of an older one would never be used, only kept). The card's
-- row is locked (FOR SHARE) so that an edit either waits for this page, and its trigger then
-- deletes it, or goes first, and this finds the card no longer that version: no page of old
-- details outlives the edit.
INSERT INTO card_pages (account_id, token, release, version, updated_at, headers, page, expires_at)
SELECT account_id, :token::text, :release::text, xmin, updated_at, :headers::text[], :page::bytea,
       :expires_at::timestamptz
FROM cards
WHERE account_id = :account_id AND xmin = :version::xid AND updated_at = :updated_at
FOR SHARE
ON CONFLICT (account_id, token) DO UPDATE
SET release = excluded.release, version = excluded.version, updated_at = excluded.updated_at,
    headers = excluded.headers, page = excluded.page, expires_at = excluded.expires_at
