-- (a) INSERT, UPDATE, DELETE under REPLICA IDENTITY DEFAULT: every value type
-- of all_types, then a row of NULLs. Four transactions.
BEGIN;
INSERT INTO all_types VALUES
  (1, E'Zoë "quoted" \\ back\nslash', 12345.678, '2024-02-29 13:45:06.789012+02', '2024-02-29',
   true, '{"b": [1, 2.50, null], "a": "x"}', '\xdeadbeef', '{1,-2,3}',
   '{plain,"with space","quote\"d",NULL}');
INSERT INTO all_types (id) VALUES (2);
COMMIT;
BEGIN;
UPDATE all_types SET name = 'renamed', price = -0.5, active = false, scores = '{{1,2},{3,4}}',
  tags = '{}' WHERE id = 1;
COMMIT;
BEGIN;
DELETE FROM all_types WHERE id = 2;
COMMIT;
BEGIN;
UPDATE all_types SET doc = '[]', raw = '\x' WHERE id = 1;
COMMIT;
