-- A reminder summary ("You have N people to follow up") was once per account and local day,
-- so a follow-up that came due after the day's summary (a snooze to "this evening") was
-- marked queued and never reminded. Now a summary waits while one is still to go (it counts
-- what is due when it is sent) and otherwise comes at most every few hours
-- (deliveries.enqueue_taken): several a day, so the once-a-day keys go. The owner's advisory
-- lock (deliveries.lock_owners) keeps two workers from queueing two at once.
DROP INDEX deliveries_summary_once;
DROP INDEX emails_summary_once;
CREATE INDEX deliveries_summaries ON deliveries (summary_account_id, subscription_id)
    WHERE summary_account_id IS NOT NULL;
CREATE INDEX emails_summaries ON emails (account_id) WHERE kind = 'summary';
