-- name: for_me
-- "People who can help you" at an event, and the people you can help: listed, present
-- attendees whose stemmed "can help with" shares words with my "looking for" (direction
-- 'helps_me'), or whose "looking for" shares words with my "can help with" ('i_help').
-- Ranked by ts_rank (the more of my words they share, the higher); the 30 shown each way
-- get their matching words marked by \x01...\x02 for the page to turn into <mark> after
-- escaping. Blocks either way hide people. People of equal rank are in the roster's reading
-- order (cards.name_key, migration 0052: "dana lee" and "Åsa Berg" among the D and A, not
-- after "Zoe Zed"), then by account.
-- At a big event a common word ("intros", "advice") is shared by tens of thousands, and
-- reading and ranking every one of them took 40-160 ms: each direction ranks at most 500
-- candidates, read from its GIN index until 500 listed, present, unblocked attendees are
-- found (attendance looked up per candidate, so the reading stops there). People who share
-- one of my rarer words are read first: a word on 2% of all cards or more (PostgreSQL's
-- statistics of offers and needs) says little about who can help, and without this everyone
-- at a big event would be offered the same first few hundred cards of the index. With fewer
-- candidates than 500 (an event of a few thousand) the ranking is exact. The tsqueries are
-- scalar subqueries so the GIN indexes on offers/needs are used, and ts_rank and ts_headline
-- run on the rows kept only.
WITH me AS (
    SELECT needs, offers FROM cards WHERE account_id = :viewer_id
), common AS (
    SELECT s.attname::text AS field, e.word
    FROM pg_stats s
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
        AS e (word, freq)
    WHERE s.schemaname = current_schema() AND s.tablename = 'cards'
      AND s.attname IN ('offers', 'needs') AND e.freq >= 0.02
      -- The frequencies array ends with a few figures that are not a word's.
      AND e.word IS NOT NULL
), wanted AS (
    SELECT
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.needs)) AS word) AS my_needs,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.needs)) AS word
         WHERE word NOT IN (SELECT c.word FROM common c WHERE c.field = 'offers')) AS rare_needs,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.offers)) AS word) AS my_offers,
        (SELECT to_tsquery('simple', string_agg(quote_literal(word), ' | '))
         FROM unnest(tsvector_to_array(me.offers)) AS word
         WHERE word NOT IN (SELECT c.word FROM common c WHERE c.field = 'needs')) AS rare_offers
    FROM me
), hidden AS (
    SELECT account_id FROM blocked_with(:viewer_id)
), helps_me AS (
    (SELECT c.account_id, c.name_key, c.offers AS words
     FROM cards c
     WHERE c.offers @@ (SELECT rare_needs FROM wanted)
       AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
       AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
            WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
     LIMIT 500)
    UNION ALL
    (SELECT c.account_id, c.name_key, c.offers
     FROM cards c
     WHERE c.offers @@ (SELECT my_needs FROM wanted)
       AND NOT coalesce(c.offers @@ (SELECT rare_needs FROM wanted), false)
       AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
       AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
            WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
     LIMIT 500)
    LIMIT 500
), i_help AS (
    (SELECT c.account_id, c.name_key, c.needs AS words
     FROM cards c
     WHERE c.needs @@ (SELECT rare_offers FROM wanted)
       AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
       AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
            WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
     LIMIT 500)
    UNION ALL
    (SELECT c.account_id, c.name_key, c.needs
     FROM cards c
     WHERE c.needs @@ (SELECT my_offers FROM wanted)
       AND NOT coalesce(c.needs @@ (SELECT rare_offers FROM wanted), false)
       AND c.account_id <> :viewer_id AND c.account_id NOT IN (SELECT account_id FROM hidden)
       AND (SELECT ea.listed AND ea.left_at IS NULL FROM event_attendees ea
            WHERE ea.event_id = :event_id AND ea.account_id = c.account_id)
     LIMIT 500)
    LIMIT 500
), ranked AS (
    (SELECT 'helps_me' AS direction, h.account_id, ts_rank(h.words, w.my_needs) AS rank
     FROM helps_me h CROSS JOIN wanted w
     ORDER BY 3 DESC, h.name_key, h.account_id
     LIMIT 30)
    UNION ALL
    (SELECT 'i_help', i.account_id, ts_rank(i.words, w.my_offers)
     FROM i_help i CROSS JOIN wanted w
     ORDER BY 3 DESC, i.name_key, i.account_id
     LIMIT 30)
)
SELECT r.direction, r.account_id, c.name, c.headline, c.company, c.photo_key, r.rank,
       ts_headline('english',
                   CASE r.direction WHEN 'helps_me' THEN c.can_help_with ELSE c.looking_for END,
                   CASE r.direction WHEN 'helps_me' THEN w.my_needs ELSE w.my_offers END,
                   'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')
           AS highlighted,
       ct.id AS contact_id,
       request_sent(:viewer_id, r.account_id) AS requested,
       request_waiting(r.account_id, :viewer_id) AS asked_me
FROM ranked r
JOIN cards c ON c.account_id = r.account_id
LEFT JOIN contacts ct ON ct.owner_id = :viewer_id AND ct.contact_id = r.account_id
CROSS JOIN wanted w
ORDER BY r.direction, r.rank DESC, c.name_key, r.account_id
