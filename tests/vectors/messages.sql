-- (h) pg_logical_emit_message (streamed with messages 'true'): transactional
-- messages around an insert, one with bytes that are not text; a
-- non-transactional one, sent at once ahead of its transaction; a transaction
-- holding only a message. Three transactions.
BEGIN;
SELECT pg_logical_emit_message(true, 'vectors', 'first');
INSERT INTO notes VALUES (1, 'between');
SELECT pg_logical_emit_message(true, 'vectors/bin', '\x00ff0a'::bytea);
COMMIT;
BEGIN;
INSERT INTO notes VALUES (2, 'with an untransactional message');
SELECT pg_logical_emit_message(false, 'vectors', 'sent at once');
COMMIT;
BEGIN;
SELECT pg_logical_emit_message(true, 'only', '');
COMMIT;
