-- Whether a reminder's push carries the person's own notes ("You promised: … They asked: …").
-- A push is read on the lock screen, by anyone who sees the phone, with the OS's default
-- previews: off unless she ticks "Show my notes in reminders on the lock screen" in Settings
-- (accounts.set_preferences), and the push says only that her notes are in Reachout
-- (wording.reminder). Email reminders and calendar entries keep the notes: an inbox is not a
-- lock screen. Off for every account there is, as for new ones.
ALTER TABLE accounts ADD COLUMN notes_on_lock_screen boolean NOT NULL DEFAULT false;
