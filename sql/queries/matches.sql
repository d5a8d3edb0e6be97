-- name: for_me
-- "People who can help you" at an event, and the people you can help: listed, present
-- attendees whose stemmed "can help with" shares words with my "looking for" (direction
-- 'helps_me'), or whose "looking for" shares words with my "can help with" ('i_help').
-- Ranked by ts_rank; the 60 shown get their matching words marked by \x01...\x02 for
-- the page to turn into <mark> after escaping. Blocks either way hide people.
-- The tsquery is a scalar subquery so the GIN indexes on offers/needs are used, and
-- ts_headline runs on the rows shown only.
WITH me AS (
    SELECT needs, offers FROM cards WHERE account_id = :viewer_id
), wanted AS (
    SELECT
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.needs)) AS word) AS my_needs,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.offers)) AS word) AS my_offers
    FROM me
), ranked AS (
    (SELECT 'helps_me' AS direction, c.account_id, c.name, c.headline, c.company, c.photo_key,
            c.can_help_with AS reason, ts_rank(c.offers, (SELECT my_needs FROM wanted)) AS rank
     FROM cards c
     JOIN event_attendees ea ON ea.account_id = c.account_id
     WHERE c.offers @@ (SELECT my_needs FROM wanted)
       AND ea.event_id = :event_id AND ea.listed AND ea.left_at IS NULL AND ea.account_id <> :viewer_id
       AND ea.account_id NOT IN (SELECT account_id FROM blocked_with(:viewer_id))
     ORDER BY rank DESC, c.name, c.account_id
     LIMIT 30)
    UNION ALL
    (SELECT 'i_help', c.account_id, c.name, c.headline, c.company, c.photo_key,
            c.looking_for, ts_rank(c.needs, (SELECT my_offers FROM wanted))
     FROM cards c
     JOIN event_attendees ea ON ea.account_id = c.account_id
     WHERE c.needs @@ (SELECT my_offers FROM wanted)
       AND ea.event_id = :event_id AND ea.listed AND ea.left_at IS NULL AND ea.account_id <> :viewer_id
       AND ea.account_id NOT IN (SELECT account_id FROM blocked_with(:viewer_id))
     ORDER BY 8 DESC, c.name, c.account_id
     LIMIT 30)
)
SELECT r.direction, r.account_id, r.name, r.headline, r.company, r.photo_key, r.rank,
       ts_headline('english', r.reason,
                   CASE r.direction WHEN 'helps_me' THEN w.my_needs ELSE w.my_offers END,
                   'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')
           AS highlighted
FROM ranked r, wanted w
ORDER BY r.direction, r.rank DESC, r.name, r.account_id
