-- (c) A 20,000-character value stored out of line, under REPLICA IDENTITY
-- DEFAULT: the insert sends it, an update of another column sends 'u' for it,
-- the delete sends the key only. Three transactions.
BEGIN;
INSERT INTO toast_default
  SELECT 1, 'first', string_agg(md5(g::text), '' ORDER BY g) FROM generate_series(1, 625) g;
COMMIT;
BEGIN;
UPDATE toast_default SET note = 'second' WHERE id = 1;
COMMIT;
BEGIN;
DELETE FROM toast_default WHERE id = 1;
COMMIT;
