-- (d) A primary key (tenant, id) that changes under REPLICA IDENTITY DEFAULT:
-- the update carries the old key ('K'); an update that keeps the key carries
-- no old tuple. Four transactions.
BEGIN;
INSERT INTO pairs VALUES ('first', 1, 1);
COMMIT;
BEGIN;
UPDATE pairs SET id = 2 WHERE tenant = 1 AND id = 1;
COMMIT;
BEGIN;
UPDATE pairs SET label = 'relabelled' WHERE tenant = 1 AND id = 2;
COMMIT;
BEGIN;
DELETE FROM pairs WHERE tenant = 1 AND id = 2;
COMMIT;
