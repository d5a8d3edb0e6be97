-- Which worker holds a delivery while it is 'sending' (afterwards: which one handled it).
-- Leases are now short and renewed while the worker lives, so a killed worker's deliveries
-- come back within seconds. A worker renews, and hands back, only what it still holds: once
-- its lease ran out and another worker took a delivery over, its renewal no longer touches it.
ALTER TABLE deliveries ADD COLUMN leased_by text;
