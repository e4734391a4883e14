#include "rt/db/row_visibility.hpp"

#include <algorithm>

#include "rt/db/text_array.hpp"

namespace rt::db {

namespace {

// The table's quoted name and each key column's array type, asked as the
// server's own user (the client may not read the catalog rows it needs).
struct key_shape {
  std::string table;
  std::vector<Oid> array_types;
};

tl::expected<key_shape, db_error> shape_of(PGconn* conn, const key_batch& batch) {
  std::vector<std::optional<std::string>> names(batch.columns.begin(), batch.columns.end());
  auto r = exec(conn,
                "SELECT n.nspname, c.relname, a.attname, t.typarray FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
                "AND NOT a.attisdropped AND a.attname = ANY($2::text[]) "
                "LEFT JOIN pg_type t ON t.oid = a.atttypid WHERE c.oid = $1::oid",
                {std::to_string(batch.relid), array_literal(names)});
  if (!r)
    return tl::unexpected(r.error());
  const PGresult* res = r->get();
  if (PQntuples(res) == 0)
    return tl::unexpected(
      db_error{"42P01", "relation with OID " + std::to_string(batch.relid) + " does not exist"});
  key_shape shape;
  shape.table = quote_identifier(field(res, 0, 0).value_or("")) + "." +
                quote_identifier(field(res, 0, 1).value_or(""));
  for (const auto& column : batch.columns) {
    Oid type = 0;
    for (int row = 0; row < PQntuples(res); ++row)
      if (field(res, row, 2) == std::optional<std::string_view>{column})
        type = static_cast<Oid>(field_int(res, row, 3));
    if (type == 0)
      return tl::unexpected(db_error{"42703", "column \"" + column + "\" of relation " +
                                                shape.table + " has no array type or is gone"});
    shape.array_types.push_back(type);
  }
  return shape;
}

// SELECT k.ord FROM unnest($1, ...) WITH ORDINALITY AS k(c1, ..., ord)
// WHERE EXISTS (SELECT FROM <table> AS t WHERE t.<a> = k.c1 AND ...)
std::string visibility_query(const key_batch& batch, const key_shape& shape) {
  std::string args;
  std::string names;
  std::string match;
  for (std::size_t i = 0; i < batch.columns.size(); ++i) {
    auto n = std::to_string(i + 1);
    args += (i > 0 ? ", $" : "$") + n;
    names += "c" + n + ", ";
    match += (i > 0 ? " AND t." : "t.") + quote_identifier(batch.columns[i]) + " = k.c" + n;
  }
  return "SELECT k.ord FROM unnest(" + args + ") WITH ORDINALITY AS k(" + names +
         "ord) WHERE EXISTS (SELECT FROM " + shape.table + " AS t WHERE " + match + ")";
}

tl::expected<std::vector<bool>, db_error> visible_in_transaction(PGconn* conn,
                                                                 const client_identity& who,
                                                                 const key_batch& batch,
                                                                 std::chrono::milliseconds timeout) {
  auto shape = shape_of(conn, batch);
  if (!shape)
    return tl::unexpected(shape.error());
  std::vector<setting> extra;
  if (timeout.count() > 0)
    extra.emplace_back("statement_timeout", std::to_string(timeout.count()));
  if (auto ok = take_identity(conn, who, extra); !ok)
    return tl::unexpected(ok.error());
  std::vector<param> params;
  for (std::size_t col = 0; col < batch.columns.size(); ++col) {
    std::vector<std::optional<std::string>> values;
    values.reserve(batch.rows.size());
    for (const auto& row : batch.rows)
      values.push_back(row[col]);
    params.emplace_back(array_literal(values));
  }
  auto r = exec(conn, visibility_query(batch, *shape), params, shape->array_types);
  if (!r)
    return tl::unexpected(r.error());
  std::vector<bool> out(batch.rows.size(), false);
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    auto ordinal = field_int(r->get(), row, 0);
    if (ordinal >= 1 && static_cast<std::size_t>(ordinal) <= out.size())
      out[static_cast<std::size_t>(ordinal - 1)] = true;
  }
  return out;
}

} // namespace

tl::expected<std::vector<bool>, db_error> visible_rows(PGconn* conn, const client_identity& who,
                                                       const key_batch& batch,
                                                       std::chrono::milliseconds timeout) {
  if (batch.rows.empty())
    return std::vector<bool>{};
  if (batch.columns.empty() ||
      std::any_of(batch.rows.begin(), batch.rows.end(),
                  [&](const auto& row) { return row.size() != batch.columns.size(); }))
    return tl::unexpected(db_error{"22023", "key values do not fit the table's primary key"});
  return rolled_back(conn, [&] { return visible_in_transaction(conn, who, batch, timeout); });
}

} // namespace rt::db
