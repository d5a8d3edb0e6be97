-- Every scope a bump can pair in: each event its bumper is at when it bumps, or outside
-- events its network. One scope per bump (bumps.scope, the event joined last) kept two people
-- at one conference apart when one of them had also joined the evening meetup inside it; two
-- bumps now pair when they share any scope. Found by scope and moment, as bumps_scope_time found
-- the one scope; bumps.scope keeps the first of them (current_event()'s) and no longer pairs.
CREATE TABLE bump_scopes (
    scope text NOT NULL,
    bumped_at timestamptz NOT NULL,
    bump_id bigint NOT NULL REFERENCES bumps (id) ON DELETE CASCADE,
    PRIMARY KEY (scope, bumped_at, bump_id)
);
-- A bump's own scopes: the locks to take before changing it, and retention's cascade.
CREATE INDEX bump_scopes_bump ON bump_scopes (bump_id);

INSERT INTO bump_scopes (scope, bumped_at, bump_id) SELECT scope, bumped_at, id FROM bumps;
DROP INDEX bumps_scope_time;
