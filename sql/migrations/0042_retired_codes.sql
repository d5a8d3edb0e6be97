-- "New code" retires the code on screen because someone may have seen it. Until now it only
-- moved expires_at to now, so a swap "queued offline" with a moment before that (a scan or a
-- code may claim one up to 10 minutes back) still redeemed it. A retired code is dead at any
-- moment, as one killed by near misses is; one that merely expired still counts for a swap
-- typed while it lived (the offline queue exists for that).
ALTER TABLE swap_codes ADD COLUMN retired_at timestamptz;
