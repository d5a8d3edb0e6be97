-- A Remove, a Block and a "Decline and block" hold the pair's follow-ups by one query
-- (contacts.hold_pair_followups; blocks.hold_followups, the same statement, is gone): only
-- logic.sql's comments that name it change, no function's body or signature.
--
-- Nothing to change here: this file is so that a process of an older release, restarting
-- mid-deploy, leaves this release's logic.sql in place (server/db/migrations.py) rather than
-- applying its own over it.
--
-- One statement that changes nothing: asyncpg fails on a file of comments alone.
SELECT 1;
