-- name: contacts
-- Every contact of :owner_id, the earliest met first, with their card as the contact page
-- shows it (shared_card(): what they share with me), where we met, my note, what we
-- promised each other, my follow-up and what they see of mine. The other person's photo
-- only when :with_photos (the vCard file carries it; the others do not). Read through a
-- cursor, a batch at a time: an export never holds them all.
SELECT ct.id, ct.met_at, ct.note, ct.note_updated_at, ct.promised, ct.they_asked,
       ct.event_id, e.name AS event_name, ct.sharing,
       c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website, c.other_link,
       c.looking_for, c.can_help_with, p.jpeg AS photo_jpeg,
       f.status AS followup_status, f.due_at AS followup_due_at, f.round AS followup_round,
       f.snoozed AS followup_snoozed, f.done_at AS followup_done_at
FROM contacts ct
CROSS JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) c
LEFT JOIN events e ON e.id = ct.event_id
LEFT JOIN photos p ON :with_photos AND p.key = c.photo_key
LEFT JOIN followups f ON f.contact_id = ct.id
WHERE ct.owner_id = :owner_id
ORDER BY ct.met_at, ct.id

-- name: me^
-- My account, my card (with my photo) and my email address with what its owner said:
-- the head of "everything about me".
SELECT a.created_at, a.time_zone, a.followup_timing, coalesce(a.reminders_by, '') AS reminders_by,
       -- To a device in use (reminder_devices()), as Follow-ups' reminders_reach says.
       reminders_by_push(a.id) AND EXISTS (SELECT 1 FROM reminder_devices(a.id))
           AS reminders_by_push,
       reminder_address(a.id) AS reminders_emailed_to, a.notes_on_lock_screen,
       c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website, c.other_link,
       c.looking_for, c.can_help_with, c.ask_details_first, c.updated_at AS card_updated_at,
       p.jpeg AS photo_jpeg,
       ea.address,
       (SELECT x.confirmed_at FROM address_confirmations x
        WHERE x.address = ea.address AND x.account_id = a.id) AS confirmed_at,
       CASE WHEN EXISTS (SELECT 1 FROM address_confirmations x
                         WHERE x.address = ea.address AND x.account_id = a.id)
            THEN ea.unsubscribed_at END AS unsubscribed_at,
       -- As Settings shows it (mail.email_settings): another person's confirmed address put
       -- on my card tells me nothing of whether or why it bounces.
       bounce.bounced_at, bounce.bounce_reason
FROM accounts a
LEFT JOIN cards c ON c.account_id = a.id
LEFT JOIN photos p ON p.key = c.photo_key
LEFT JOIN email_addresses ea ON ea.address = lower(c.email)
LEFT JOIN LATERAL (
    SELECT ea.bounced_at, ea.bounce_reason
    WHERE ea.confirmed_at IS NULL
       OR EXISTS (SELECT 1 FROM address_confirmations x
                  WHERE x.address = ea.address AND x.account_id = a.id)
) bounce ON true
WHERE a.id = :account_id

-- name: confirmed_addresses
-- Every address confirmed for my account, the card's and any my card no longer shows: each
-- still confirms it's me (a code goes there before deleting my account or adding a way of
-- proof, proving.sql) and is kept until I delete my account (privacy.html). With what its
-- owner said and whether it bounces: mine to know, as I proved it is mine. Only this
-- account's confirmations: the same address confirmed for another account is theirs.
SELECT x.address, x.confirmed_at,
       coalesce(x.address = (SELECT lower(c.email) FROM cards c
                             WHERE c.account_id = x.account_id), false) AS on_card,
       ea.unsubscribed_at, ea.bounced_at, ea.bounce_reason
FROM address_confirmations x
JOIN email_addresses ea ON ea.address = x.address
WHERE x.account_id = :account_id
ORDER BY x.confirmed_at, x.address

-- name: events_organised
-- The events I organise, with their join codes (they are mine to hand out).
SELECT id, name, venue, description, starts_at, ends_at, time_zone, join_code, closed_at,
       created_at
FROM events WHERE organizer_id = :account_id
ORDER BY starts_at, id

-- name: events_attended
-- The events I joined, whether I was listed on their roster, when I left, and when the
-- organizer removed me (the app says "You were removed from this event"; left_at is then the
-- same moment, and alone it read as if I had left).
SELECT e.id, e.name, e.venue, e.starts_at, e.ends_at, e.time_zone,
       ea.joined_at, ea.listed, ea.left_at, ea.removed_at
FROM event_attendees ea JOIN events e ON e.id = ea.event_id
WHERE ea.account_id = :account_id
ORDER BY e.starts_at, e.id

-- name: requests_sent
-- Requests to connect I sent, with whom. A declined one reads "sent", as it does in the app:
-- declining is silent. One I withdrew reads "withdrawn". None to someone I blocked: the app
-- shows them nowhere. One to someone who blocked me stays, as in the app's "Sent by you":
-- their block declined it, and a decline is silent. Their headline and company only once
-- they accepted and while we are still connected with no block either way
-- (card_readable_by()), as my contacts show them (shared_card()); else their name, as "Sent
-- by you" shows it: their card as it is now is not mine to read (nor, after a block or a
-- removal, their new job).
-- One to someone the organizer then removed from the event it was made at reads
-- "no_longer_at_event", as "Sent by you" marks it (requests.sent, by the same rule): the
-- removal withdrew it (events.remove_attendee), and "withdrawn" said I had. Told apart from
-- my own Withdraw by its moment, withdrawn_at = their removed_at; one I withdrew myself
-- before stays "withdrawn". A declined one to them reads alike, with no withdrawn_at for
-- either: were the removal's moment on one and not the other, that would tell the decline.
-- One my own removal from that event withdrew reads "removed_from_event", as the app says
-- ("You were removed from this event"; "Sent by you" shows it no more), not "withdrawn": I
-- did not withdraw it. Told apart alike, withdrawn_at = my removed_at, a declined one the
-- same, neither with a withdrawn_at. Theirs first: their removal withdrew one before mine
-- could, and "Sent by you" marks it so.
SELECT r.created_at, ev.name AS event_name, c.name,
       CASE WHEN r.status = 'accepted' AND shown.card THEN sc.headline ELSE '' END AS headline,
       CASE WHEN r.status = 'accepted' AND shown.card THEN sc.company ELSE '' END AS company,
       CASE WHEN r.status = 'accepted' THEN 'accepted'
            WHEN gone.removed THEN 'no_longer_at_event'
            WHEN gone.me_removed THEN 'removed_from_event'
            WHEN r.withdrawn_at IS NOT NULL THEN 'withdrawn'
            ELSE 'sent' END AS status,
       CASE WHEN r.status = 'accepted' THEN r.decided_at END AS accepted_at,
       CASE WHEN NOT (gone.removed OR gone.me_removed) THEN r.withdrawn_at END AS withdrawn_at
FROM connect_requests r
JOIN events ev ON ev.id = r.event_id
JOIN cards c ON c.account_id = r.to_id
CROSS JOIN LATERAL shared_card(r.to_id, :account_id) sc
CROSS JOIN LATERAL (SELECT card_readable_by(r.to_id, :account_id) AS card) shown
-- Not answered as far as I know, and either never withdrawn or withdrawn by their removal
-- (removed); or withdrawn by my own removal (me_removed).
CROSS JOIN LATERAL (
    SELECT r.status IN ('pending', 'declined') AND EXISTS (
               SELECT 1 FROM event_attendees ea
               WHERE ea.event_id = r.event_id AND ea.account_id = r.to_id
                 AND ea.removed_at IS NOT NULL
                 AND (r.withdrawn_at IS NULL OR r.withdrawn_at = ea.removed_at)) AS removed,
           r.status IN ('pending', 'declined') AND EXISTS (
               SELECT 1 FROM event_attendees ea
               WHERE ea.event_id = r.event_id AND ea.account_id = r.from_id
                 AND r.withdrawn_at = ea.removed_at) AS me_removed
) gone
WHERE r.from_id = :account_id
  AND r.to_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = :account_id)
ORDER BY r.created_at, r.id

-- name: requests_received
-- Requests to connect sent to me, with who asked, and my answer. Not one withdrawn before I
-- answered: the app no longer shows it to me. None from someone I blocked; one from someone
-- who blocked me stays as I answered it (their block took back only what was still
-- waiting): its going would tell me of their block. Their headline and company while it
-- waits for my answer (as Requests shows them) or while we are connected, with no block
-- either way (card_readable_by()); else their name: their card as it is now is not mine to
-- read once I declined, they blocked me or either of us removed the other.
SELECT r.created_at, ev.name AS event_name, c.name,
       CASE WHEN shown.card THEN sc.headline ELSE '' END AS headline,
       CASE WHEN shown.card THEN sc.company ELSE '' END AS company,
       r.status, r.decided_at
FROM connect_requests r
JOIN events ev ON ev.id = r.event_id
JOIN cards c ON c.account_id = r.from_id
CROSS JOIN LATERAL shared_card(r.from_id, :account_id) sc
-- Waiting for my answer, as Requests shows it (the roster's card), unless a block stands.
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.status = 'pending' THEN NOT blocked_between(r.from_id, :account_id)
                ELSE card_readable_by(r.from_id, :account_id) END AS card
) shown
WHERE r.to_id = :account_id
  AND NOT (r.status = 'pending' AND r.withdrawn_at IS NOT NULL)
  AND r.from_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = :account_id)
ORDER BY r.created_at, r.id

-- name: blocked
-- The people I blocked (never who blocked me: the app does not say).
SELECT c.name, b.created_at
FROM blocks b JOIN cards c ON c.account_id = b.blocked_id
WHERE b.blocker_id = :account_id
ORDER BY b.created_at

-- name: devices
-- My devices with reminders by push: never the endpoint or its keys (they let anyone push
-- to that device), only the push service's host. One whose browser went unused for a
-- session's life is signed out there and gets no reminders (reminder_devices() in logic.sql),
-- marked so, as Settings marks it (push.devices' in_use), not taken for one that reminds her.
SELECT s.device, substring(s.endpoint FROM '^https://([^/:]+)') AS push_service,
       s.created_at, s.last_sent_at,
       NOT EXISTS (SELECT 1 FROM reminder_devices(:account_id) r WHERE r.id = s.id)
           AS signed_out_after_long_unused
FROM push_subscriptions s WHERE s.account_id = :account_id
ORDER BY s.created_at, s.id

-- name: sessions
-- Every browser I signed in on, signed out ones too: never the session token's hash. One
-- unused for a session's life ended then (session_in_use() in logic.sql), though retention
-- deletes it only later: signed out at last_seen_at + session_max_age(), and marked so, as
-- devices marks its push device, rather than left with no signed_out_at, which read as
-- still signed in. "Sign out everywhere else" marks it signed out too (revoke_others): it
-- had ended before that, unused, and says so.
SELECT id, user_agent, ip, signed_in_by, created_at, last_seen_at,
       CASE WHEN session_in_use(last_seen_at) THEN revoked_at
            ELSE least(revoked_at, last_seen_at + session_max_age()) END AS signed_out_at,
       NOT session_in_use(last_seen_at)
           AND coalesce(revoked_at >= last_seen_at + session_max_age(), true)
           AS signed_out_after_long_unused
FROM sessions WHERE account_id = :account_id
ORDER BY created_at, id

-- name: passkeys
-- My passkeys: their names and when they were added and last used, never their keys.
SELECT name, created_at, last_used_at
FROM passkeys WHERE account_id = :account_id
ORDER BY created_at, id

-- name: emails
-- The emails sent to me and how each went; never a sign-in code one of them carried. Only
-- those Settings shows me (email_shown_to_owner() in logic.sql): not a sign-in code to an
-- address another card its owner made carries too, which would tell me when they sign in.
SELECT kind, to_address, status, attempts, last_error, created_at, sent_at
FROM emails WHERE account_id = :account_id
  AND email_shown_to_owner(account_id, kind, to_address)
ORDER BY created_at, id

-- name: lock_making$
-- One export made at a time per account, across every web process: true when this
-- transaction now holds the account's export lock (until it ends), false at once, without
-- waiting, while another transaction is making one of the account's exports. Taken first in
-- the export's read-only transaction, which holds it only while the file is made, not while
-- it is sent. A transaction-level lock, so a transaction pooler (PgBouncer) keeps it too.
SELECT pg_try_advisory_xact_lock(hashtextextended('export:' || :account_id::bigint, 0))
