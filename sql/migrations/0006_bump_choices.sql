-- "Pick who you bumped": in a crowd, the bump each person picked; two who pick each
-- other are swapped.
ALTER TABLE bumps ADD COLUMN chosen_id bigint REFERENCES bumps (id) ON DELETE SET NULL;
