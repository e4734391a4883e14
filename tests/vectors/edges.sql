-- (j) Edge values: numeric NaN and infinities, tiny and long numerics, float
-- NaN, infinities, extremes and -0, timestamps at infinity, around the
-- epochs, before year 1 and after 9999. One transaction.
BEGIN;
INSERT INTO edges VALUES
  (1, 'NaN', 'NaN', 'NaN', 'infinity', 'infinity', 'infinity'),
  (2, 'Infinity', 'Infinity', 'Infinity', '-infinity', '-infinity', '-infinity'),
  (3, '-Infinity', '-Infinity', '-Infinity', NULL, NULL, NULL),
  (4, 1e-20, 0.1, 0.1, '2000-01-01 00:00:00+00', '1999-12-31 23:59:59.999999', '2000-01-01'),
  (5, '123456789012345678901234567890.123456789012345678901234567890', 5e-324, 3.4e38,
   '1970-01-01 00:00:00.000001+00', '1970-01-01 00:00:00', '1970-01-01'),
  (6, '-0.000', '-0', 1e-45, '0044-03-15 12:00:00+00 BC', '0044-03-15 12:00:00 BC',
   '0044-03-15 BC'),
  (7, 1.500, 1e308, -1.5, NULL, NULL, NULL),
  (8, NULL, NULL, NULL, '10000-01-01 00:00:00+00', '10000-01-01 00:00:00', '10000-01-01');
COMMIT;
