-- (g) TRUNCATE of one table, then of two with RESTART IDENTITY CASCADE after
-- an insert in the same transaction. Two transactions.
BEGIN;
TRUNCATE trunc_a;
COMMIT;
BEGIN;
INSERT INTO trunc_a (v) VALUES ('z');
TRUNCATE trunc_a, trunc_b RESTART IDENTITY CASCADE;
COMMIT;
