-- name: create
-- A new account; returns its id.
INSERT INTO accounts DEFAULT VALUES RETURNING id
