-- name: lock_typed!
-- Until the transaction ends, the guest :owner_id types with :address (lower-cased already),
-- or with no address the :phone, is theirs alone to look up and make: the same guest saved
-- twice at once (a re-tap on bad Wi-Fi, or the form and its queued copy under two keys)
-- waits here, then finds what the first made (typed_before). Taken before the guest rates
-- and join_with_details, as lock_link_join() is for a share link's try.
SELECT pg_advisory_xact_lock(hashtextextended(
    'typed guest:' || :owner_id::bigint || ':'
    || CASE WHEN :address::text <> '' THEN 'email:' || :address ELSE 'phone:' || :phone::text END,
    0))

-- name: typed_before^
-- The guest card :owner_id typed before and still has in contacts with :address (lower-cased
-- already, compared without case), or, typed with no address, with :phone: my contact row,
-- the guest's account and what its card says now. Only a guest (typed on a phone, never
-- claimed) connected to me both ways, which only my typing makes: never someone's own card,
-- nor another person's guest. The first made when there are several (from before this).
SELECT c.id AS contact_id, k.account_id AS guest_id, k.name, k.email, k.phone, k.linkedin,
       k.headline
FROM contacts c
JOIN accounts a ON a.id = c.contact_id AND a.guest
JOIN cards k ON k.account_id = a.id
WHERE c.owner_id = :owner_id
  AND EXISTS (SELECT 1 FROM contacts g WHERE g.owner_id = a.id AND g.contact_id = :owner_id)
  AND CASE WHEN :address::text <> '' THEN k.email <> '' AND lower(k.email) = :address
           ELSE :phone::text <> '' AND k.phone = :phone END
ORDER BY a.created_at, a.id
LIMIT 1

-- name: fill_typed$
-- The guest card :guest_id typed again by its typer with details the first lacked: each of
-- :phone, :linkedin and :headline fills that field only where it is still blank, never
-- replacing what is there (the email never changes: it is what found the card, or none was
-- typed). Only while it is a guest. Returns whether anything was filled.
WITH filled AS (
    UPDATE cards k
    SET phone = CASE WHEN k.phone = '' THEN :phone ELSE k.phone END,
        linkedin = CASE WHEN k.linkedin = '' THEN :linkedin ELSE k.linkedin END,
        headline = CASE WHEN k.headline = '' THEN :headline ELSE k.headline END,
        updated_at = now(), fields_changed_at = now()
    WHERE k.account_id = :guest_id
      AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = k.account_id AND a.guest)
      AND ((k.phone = '' AND :phone <> '') OR (k.linkedin = '' AND :linkedin <> '')
           OR (k.headline = '' AND :headline <> ''))
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM filled)
