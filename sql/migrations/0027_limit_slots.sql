-- The rate limits count hits per slot of time (a sixtieth of the rule's span) instead of a
-- row per hit. A swap by share link counted two limits, each by reading every hit its key
-- had: a card swapped with 100 times in the hour read 100 rows (and, the span not being
-- usable in the index, every hit of the day kept for retention), 0.1-0.35 ms of a swap's
-- 1 ms in PostgreSQL. A key now reads at most 61 rows, usually one or two, and a hit
-- updates its slot's row in place.
CREATE TABLE limit_slots (
    bucket text NOT NULL,
    key text NOT NULL,
    slot timestamptz NOT NULL,
    hits integer NOT NULL CHECK (hits >= 0),
    PRIMARY KEY (bucket, key, slot)
);
-- For retention, which deletes slots by age whatever their key.
CREATE INDEX limit_slots_slot ON limit_slots (slot);

-- What was counted carries over, in 1-second slots (those of the bump limits, a minute long;
-- only the long-polls' waits, 30 s, count in finer ones). Locked first, so that a hit counted
-- by a process still running the old code meanwhile waits, then fails, rather than being
-- lost. Such a process must not outlive the deploy: its limits need the table dropped here.
LOCK TABLE limit_hits IN EXCLUSIVE MODE;
INSERT INTO limit_slots (bucket, key, slot, hits)
SELECT bucket, key, date_bin(interval '1 second', at, timestamptz '2000-01-01 00:00+00'),
       count(*)
FROM limit_hits
GROUP BY 1, 2, 3;

DROP TABLE limit_hits;
