-- name: for_me
-- "People who can help you" at an event, and the people you can help: listed, present
-- attendees whose stemmed "can help with" shares words with my "looking for" (direction
-- 'helps_me'), or whose "looking for" shares words with my "can help with" ('i_help').
-- Ranked by ts_rank (the more of my words they share, the higher); the 30 shown each way
-- get their matching words marked by \x01...\x02 for the page to turn into <mark> after
-- escaping. Blocks either way hide people.
-- At a big event a common word ("intros", "advice") is shared by tens of thousands, and
-- reading and ranking every one of them took 40-160 ms: each direction ranks at most the
-- first 500 attendees its GIN index finds (those sharing a word with me, in the order the
-- index hands them over), so the work stops there however big the event; with fewer
-- candidates than that (an event of a few thousand) the ranking is exact. Attendance is
-- looked up per candidate so the reading stops at 500. The tsquery is a scalar subquery so
-- the GIN indexes on offers/needs are used, and ts_rank and ts_headline run on the rows
-- kept only.
WITH me AS (
    SELECT needs, offers FROM cards WHERE account_id = :viewer_id
), wanted AS (
    SELECT
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.needs)) AS word) AS my_needs,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.offers)) AS word) AS my_offers
    FROM me
), hidden AS (
    SELECT account_id FROM blocked_with(:viewer_id)
), helps_me AS (
    SELECT c.account_id, c.name, c.offers AS words
    FROM cards c
    WHERE c.offers @@ (SELECT my_needs FROM wanted)
      AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
      AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
           WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
    LIMIT 500
), i_help AS (
    SELECT c.account_id, c.name, c.needs AS words
    FROM cards c
    WHERE c.needs @@ (SELECT my_offers FROM wanted)
      AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
      AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
           WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
    LIMIT 500
), ranked AS (
    (SELECT 'helps_me' AS direction, h.account_id, ts_rank(h.words, w.my_needs) AS rank
     FROM helps_me h CROSS JOIN wanted w
     ORDER BY 3 DESC, h.name, h.account_id
     LIMIT 30)
    UNION ALL
    (SELECT 'i_help', i.account_id, ts_rank(i.words, w.my_offers)
     FROM i_help i CROSS JOIN wanted w
     ORDER BY 3 DESC, i.name, i.account_id
     LIMIT 30)
)
SELECT r.direction, r.account_id, c.name, c.headline, c.company, c.photo_key, r.rank,
       ts_headline('english',
                   CASE r.direction WHEN 'helps_me' THEN c.can_help_with ELSE c.looking_for END,
                   CASE r.direction WHEN 'helps_me' THEN w.my_needs ELSE w.my_offers END,
                   'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')
           AS highlighted
FROM ranked r
JOIN cards c ON c.account_id = r.account_id
CROSS JOIN wanted w
ORDER BY r.direction, r.rank DESC, c.name, r.account_id
