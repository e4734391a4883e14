-- (e) Tables without a primary key: nokey (identity default, so no key
-- columns at all; it can only take inserts while published) and nokey_full
-- (identity full, every column flagged as key). Three transactions.
BEGIN;
INSERT INTO nokey VALUES (1, 'x');
INSERT INTO nokey_full VALUES (2, 'y');
COMMIT;
BEGIN;
UPDATE nokey_full SET b = 'z' WHERE a = 1;
COMMIT;
BEGIN;
DELETE FROM nokey_full WHERE a = 2;
COMMIT;
