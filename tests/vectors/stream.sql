-- (i) Captured with proto_version '2', streaming 'on' and
-- logical_decoding_work_mem = 64kB: 5,000 rows in one transaction arrive in
-- Stream Start/Stop blocks and end with Stream Commit; 500 rows of a
-- subtransaction rolled back to its savepoint in between must be dropped; a
-- rolled-back transaction of 1,000 rows ends with Stream Abort; a small one
-- comes as Begin/Commit. Three transactions.
BEGIN;
INSERT INTO bulk SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
SAVEPOINT undone;
INSERT INTO bulk SELECT g, 'undone ' || g FROM generate_series(100001, 100500) g;
ROLLBACK TO SAVEPOINT undone;
COMMIT;
BEGIN;
INSERT INTO bulk SELECT g, 'aborted ' || g FROM generate_series(200001, 201000) g;
ROLLBACK;
BEGIN;
INSERT INTO bulk VALUES (6000, 'small');
COMMIT;
