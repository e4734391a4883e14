-- (f) Columns of types that are not built in: an enum, a domain over text, an
-- array of the enum, an enum in another schema. pgoutput sends a Type message
-- ('Y') for each before the Relation. Two transactions.
BEGIN;
INSERT INTO moods VALUES (1, 'happy', 'a@example.com', '{sad,ok}', 'open');
COMMIT;
BEGIN;
UPDATE moods SET feeling = 'ok', state = 'closed' WHERE id = 1;
COMMIT;
