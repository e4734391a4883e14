-- Tables, types and seed rows the workloads change. capture.sh runs this in a
-- fresh database before any slot exists, so none of it is captured.

CREATE PUBLICATION vectors FOR ALL TABLES;

CREATE TABLE all_types (
  id int8 PRIMARY KEY,
  name text,
  price numeric(10, 3),
  created_at timestamptz,
  day date,
  active bool,
  doc jsonb,
  raw bytea,
  scores int4[],
  tags text[]
);
-- For identity_full; identity_default leaves it alone.
INSERT INTO all_types VALUES
  (10, 'seeded', 2.5, '2023-06-01 08:00:00+00', '2023-06-01', true, '{"seeded": true}',
   '\x00', '{10}', '{seed}');

CREATE TABLE toast_default (id int8 PRIMARY KEY, note text, body text);
CREATE TABLE toast_full (id int8 PRIMARY KEY, note text, body text);
ALTER TABLE toast_full REPLICA IDENTITY FULL;
-- 625 md5 digests, 20,000 characters: too random for pglz, so stored out of line.
INSERT INTO toast_full
  SELECT 1, 'seeded', string_agg(md5(g::text), '' ORDER BY g) FROM generate_series(1, 625) g;

-- Key columns neither first nor alone.
CREATE TABLE pairs (label text, tenant int4, id int8, PRIMARY KEY (tenant, id));

CREATE TABLE nokey (a int4, b text);
CREATE TABLE nokey_full (a int4, b text);
ALTER TABLE nokey_full REPLICA IDENTITY FULL;
INSERT INTO nokey_full VALUES (1, 'seeded');

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE SCHEMA app;
CREATE TYPE app.status AS ENUM ('open', 'closed');
CREATE TABLE moods (
  id int8 PRIMARY KEY,
  feeling mood,
  contact email,
  history mood[],
  state app.status
);

CREATE TABLE trunc_a (id serial PRIMARY KEY, v text);
CREATE TABLE trunc_b (id int8 PRIMARY KEY);
INSERT INTO trunc_a (v) VALUES ('x'), ('y');
INSERT INTO trunc_b VALUES (1);

CREATE TABLE notes (id int8 PRIMARY KEY, body text);

CREATE TABLE bulk (id int8 PRIMARY KEY, payload text);

CREATE TABLE edges (
  id int8 PRIMARY KEY,
  n numeric,
  f8 float8,
  f4 float4,
  ts timestamptz,
  t timestamp,
  d date
);
