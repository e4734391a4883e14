-- (b) UPDATE and DELETE of all_types under REPLICA IDENTITY FULL: the old row
-- comes whole ('O'). The ALTER TABLE alone sends nothing. Two transactions.
BEGIN;
ALTER TABLE all_types REPLICA IDENTITY FULL;
COMMIT;
BEGIN;
UPDATE all_types SET active = false, name = 'updated' WHERE id = 10;
COMMIT;
BEGIN;
DELETE FROM all_types WHERE id = 10;
COMMIT;
