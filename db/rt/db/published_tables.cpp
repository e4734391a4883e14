#include "rt/db/published_tables.hpp"

#include <utility>

#include "rt/db/text_array.hpp"

namespace rt::db {

namespace {

// One row per column (or one row with NULL column fields for a table
// without columns). A column's base type follows domains down to a type
// that is not one.
// $1 publication, $2 role, $3 schema, $4 table ("*" = any).
constexpr const char* tables_sql = R"sql(
WITH role AS (
  SELECT r.oid, r.rolsuper OR r.rolbypassrls AS bypass
  FROM pg_catalog.pg_roles r WHERE r.rolname = $2
), dbcoll AS (
  SELECT CASE coalesce(j ->> 'datlocprovider', 'c') WHEN 'c' THEN j ->> 'datcollate'
              ELSE coalesce(j ->> 'daticulocale', j ->> 'datlocale') END AS locale
  FROM (SELECT pg_catalog.to_jsonb(d) AS j FROM pg_catalog.pg_database d
        WHERE d.datname = pg_catalog.current_database()) db
), tabs AS (
  SELECT c.oid AS relid, p.schemaname::text AS schemaname, p.tablename::text AS tablename,
         c.relrowsecurity
  FROM pg_catalog.pg_publication_tables p
  JOIN pg_catalog.pg_namespace n ON n.nspname = p.schemaname
  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename
  WHERE p.pubname = $1
    AND p.schemaname LIKE (CASE $3 WHEN '*' THEN '%' ELSE $3 END) ESCAPE ''
    AND p.tablename LIKE (CASE $4 WHEN '*' THEN '%' ELSE $4 END) ESCAPE ''
)
SELECT t.relid, t.schemaname, t.tablename, t.relrowsecurity,
       ro.oid IS NOT NULL, coalesce(ro.bypass, false),
       ro.oid IS NOT NULL AND pg_catalog.has_table_privilege(ro.oid, t.relid, 'SELECT'),
       a.attname, a.attnum, a.atttypid, ty.typname, base.oid, a.atttypid::pg_catalog.regtype::text,
       CASE WHEN ty.typarray <> 0 THEN ty.typarray
            WHEN ty.typelem <> 0 AND ty.typlen = -1 THEN ty.oid ELSE 0 END,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = t.relid AND i.indisprimary AND a.attnum = ANY (i.indkey)),
       ro.oid IS NOT NULL
         AND pg_catalog.has_column_privilege(ro.oid, t.relid, a.attnum, 'SELECT'),
       CASE WHEN a.attcollation = 0 THEN NULL
            WHEN a.attcollation = 100 THEN (SELECT locale FROM dbcoll)
            ELSE (SELECT CASE co.collprovider
                           WHEN 'c' THEN co.collcollate::text
                           WHEN 'd' THEN (SELECT locale FROM dbcoll)
                           ELSE coalesce(pg_catalog.to_jsonb(co) ->> 'colliculocale',
                                         pg_catalog.to_jsonb(co) ->> 'colllocale') END
                  FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END,
       CASE WHEN base.typtype = 'e' THEN
         (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid = base.oid) END,
       EXISTS (SELECT 1 FROM pg_catalog.pg_operator o
               WHERE o.oprname = '~~' AND o.oprleft = a.atttypid),
       EXISTS (SELECT 1 FROM pg_catalog.pg_operator o
               WHERE o.oprname = '~' AND o.oprleft = a.atttypid AND o.oprright = a.atttypid
                 AND o.oprresult = 'pg_catalog.bool'::pg_catalog.regtype),
       EXISTS (SELECT 1 FROM pg_catalog.pg_operator o
               WHERE o.oprname = '~*' AND o.oprleft = a.atttypid AND o.oprright = a.atttypid
                 AND o.oprresult = 'pg_catalog.bool'::pg_catalog.regtype)
FROM tabs t
LEFT JOIN role ro ON true
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.relid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
LEFT JOIN LATERAL (
  WITH RECURSIVE chain AS (
    SELECT ty.oid, ty.typtype, ty.typbasetype
    UNION ALL
    SELECT b.oid, b.typtype, b.typbasetype
    FROM chain c JOIN pg_catalog.pg_type b ON b.oid = c.typbasetype
    WHERE c.typtype = 'd'
  )
  SELECT chain.oid, chain.typtype FROM chain WHERE chain.typtype <> 'd'
) base ON true
ORDER BY t.schemaname, t.tablename, a.attnum
)sql";

// Result columns of tables_sql.
enum col : int {
  c_relid,
  c_schema,
  c_table,
  c_row_security,
  c_role_exists,
  c_bypass,
  c_table_selectable,
  c_attname,
  c_attnum,
  c_typid,
  c_typname,
  c_base_type,
  c_regtype,
  c_array_type,
  c_primary_key,
  c_selectable,
  c_collation,
  c_enum_labels,
  c_has_like,
  c_has_match,
  c_has_imatch,
};

std::string text_at(const PGresult* r, int row, int col) {
  auto v = field(r, row, col);
  return v ? std::string{*v} : std::string{};
}

bool bool_at(const PGresult* r, int row, int col) { return text_at(r, row, col) == "t"; }

std::uint32_t oid_at(const PGresult* r, int row, int col) {
  return static_cast<std::uint32_t>(field_int(r, row, col));
}

column_info column_at(const PGresult* r, int row) {
  column_info c;
  c.name = text_at(r, row, c_attname);
  c.attnum = static_cast<std::int16_t>(field_int(r, row, c_attnum));
  c.type_oid = oid_at(r, row, c_typid);
  c.type_name = text_at(r, row, c_typname);
  c.base_type_oid = oid_at(r, row, c_base_type);
  c.primary_key = bool_at(r, row, c_primary_key);
  c.selectable = bool_at(r, row, c_selectable);
  c.collation = text_at(r, row, c_collation);
  if (auto labels = field(r, row, c_enum_labels))
    c.enum_labels = parse_text_array(*labels);
  return c;
}

column_extra extra_at(const PGresult* r, int row) {
  column_extra x;
  x.regtype = text_at(r, row, c_regtype);
  x.array_type = oid_at(r, row, c_array_type);
  x.has_like = bool_at(r, row, c_has_like);
  x.has_match = bool_at(r, row, c_has_match);
  x.has_imatch = bool_at(r, row, c_has_imatch);
  return x;
}

published_table table_at(const PGresult* r, int row) {
  published_table t;
  t.info.relid = oid_at(r, row, c_relid);
  t.info.schema = text_at(r, row, c_schema);
  t.info.table = text_at(r, row, c_table);
  t.info.row_security = bool_at(r, row, c_row_security);
  t.info.role_bypasses_rls = bool_at(r, row, c_bypass);
  t.info.table_selectable = bool_at(r, row, c_table_selectable);
  return t;
}

published_tables read_rows(const PGresult* r) {
  published_tables out;
  for (int row = 0; row < PQntuples(r); ++row) {
    out.role_exists = bool_at(r, row, c_role_exists);
    if (out.tables.empty() || out.tables.back().info.relid != oid_at(r, row, c_relid))
      out.tables.push_back(table_at(r, row));
    if (!field(r, row, c_attname))
      continue;
    out.tables.back().info.columns.push_back(column_at(r, row));
    out.tables.back().extra.push_back(extra_at(r, row));
  }
  return out;
}

} // namespace

tl::expected<published_tables, db_error>
read_published_tables(PGconn* conn, const std::string& publication, const std::string& role,
                      const std::string& schema, const std::string& table) {
  constexpr Oid text_oid = 25;
  auto r = exec(conn, tables_sql, {publication, role, schema, table},
                {text_oid, text_oid, text_oid, text_oid});
  if (!r)
    return tl::unexpected(r.error());
  return read_rows(r->get());
}

} // namespace rt::db
