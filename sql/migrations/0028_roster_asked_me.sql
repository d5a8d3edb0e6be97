-- roster_page() (logic.sql) also returns the request someone on the roster made to me and I
-- have not answered, so the roster offers Accept instead of a "Request to connect" that the
-- pending request refused. A function's columns cannot change in place: drop it here, and
-- logic.sql, applied after the migrations, makes it anew.
DROP FUNCTION IF EXISTS roster_page(bigint, bigint, text, bigint, integer);
