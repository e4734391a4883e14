-- (c) The same under REPLICA IDENTITY FULL (the row was inserted by
-- setup.sql): the update's old row carries the whole value, its new row 'u';
-- the delete's old row carries it too. Two transactions.
BEGIN;
UPDATE toast_full SET note = 'updated' WHERE id = 1;
COMMIT;
BEGIN;
DELETE FROM toast_full WHERE id = 1;
COMMIT;
