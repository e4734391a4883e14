#include "rt/replication/change_payload.hpp"

#include <algorithm>

#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/replication/value_json.hpp"

namespace rt::replication {

namespace {

namespace wire = protocol::wire;
using protocol::append_json_string;

// One row of a change: the tuple, whether only replica identity columns
// belong in it, and where unchanged TOAST values can be filled from.
struct row_source {
  const tuple_data* tuple = nullptr;
  bool key_only = false;
  const tuple_data* toast_fill = nullptr;
  bool primary_key_only = false;
};

bool is_primary_key(const change_context& ctx, std::size_t i) {
  if (ctx.primary_key.empty())
    return ctx.relation->columns[i].key;
  return i < ctx.primary_key.size() && ctx.primary_key[i];
}

bool is_visible(const change_context& ctx, std::size_t i) {
  return ctx.visible.empty() || (i < ctx.visible.size() && ctx.visible[i]);
}

bool has_primary_key(const change_context& ctx) {
  for (std::size_t i = 0; i < ctx.relation->columns.size(); ++i)
    if (is_primary_key(ctx, i))
      return true;
  return false;
}

// The value to send for column `i`: an unchanged TOAST value is taken from
// the old row when that carried it, and is otherwise left out (nullptr).
const column_value* value_of(const row_source& row, std::size_t i) {
  const auto& v = (*row.tuple)[i];
  if (v.kind != column_kind::unchanged_toast)
    return &v;
  if (row.toast_fill != nullptr && i < row.toast_fill->size()) {
    const auto& old = (*row.toast_fill)[i];
    if (old.kind == column_kind::text || old.kind == column_kind::null)
      return &old;
  }
  return nullptr;
}

const column_type* catalog_type(const change_context& ctx, std::size_t i) {
  if (ctx.column_types == nullptr || i >= ctx.column_types->size())
    return nullptr;
  const auto& t = (*ctx.column_types)[i];
  return t.value_oid == 0 ? nullptr : &t;
}

void append_column_value(std::string& out, const change_context& ctx, std::size_t i,
                         std::string_view text) {
  const auto* t = catalog_type(ctx, i);
  if (t == nullptr)
    append_value_json(out, ctx.relation->columns[i].type_oid, text);
  else if (t->element_oid != 0)
    append_array_json(out, t->element_oid, text);
  else
    append_value_json(out, t->value_oid, text);
}

// {"column":value,...}; with `value_limit`, longer values are left out.
void append_row(std::string& out, const change_context& ctx, const row_source& row,
                std::size_t value_limit) {
  const auto& columns = ctx.relation->columns;
  auto count = std::min(columns.size(), row.tuple->size());
  out.push_back('{');
  bool first = true;
  for (std::size_t i = 0; i < count; ++i) {
    if ((row.key_only && !columns[i].key) || (row.primary_key_only && !is_primary_key(ctx, i)) ||
        !is_visible(ctx, i))
      continue;
    const auto* v = value_of(row, i);
    if (v == nullptr || (value_limit > 0 && v->bytes.size() > value_limit))
      continue;
    if (!first)
      out.push_back(',');
    first = false;
    append_json_string(out, columns[i].name);
    out.push_back(':');
    if (v->kind == column_kind::null)
      out.append("null");
    else
      append_column_value(out, ctx, i, v->bytes);
  }
  out.push_back('}');
}

void append_columns(std::string& out, const change_context& ctx) {
  out.push_back('[');
  bool first = true;
  for (std::size_t i = 0; i < ctx.relation->columns.size(); ++i) {
    if (!is_visible(ctx, i))
      continue;
    const auto& c = ctx.relation->columns[i];
    if (!first)
      out.push_back(',');
    first = false;
    out.append(R"({"name":)");
    append_json_string(out, c.name);
    out.append(R"(,"type":)");
    const auto* t = catalog_type(ctx, i);
    append_json_string(out, t != nullptr ? t->type_name : ctx.types->name(c.type_oid));
    out.push_back('}');
  }
  out.push_back(']');
}

void append_head(std::string& out, const change_context& ctx, std::string_view commit_timestamp,
                 std::string_view type) {
  out.append(R"({"schema":)");
  append_json_string(out, ctx.relation->schema);
  out.append(R"(,"table":)");
  append_json_string(out, ctx.relation->table);
  out.append(R"(,"commit_timestamp":)");
  out.append(commit_timestamp);
  out.append(R"(,"type":)");
  append_json_string(out, type);
}

// Supabase's shape for a table without a primary key: no columns, empty
// records in the keys the change type has, a null commit_timestamp.
std::string no_primary_key_payload(const change_context& ctx, std::string_view type) {
  std::string out;
  append_head(out, ctx, "null", type);
  out.append(R"(,"columns":[])");
  if (type != wire::change_delete)
    out.append(R"(,"record":{})");
  if (type != wire::change_insert)
    out.append(R"(,"old_record":{})");
  out.append(R"(,"errors":[)");
  append_json_string(out, wire::change_error_no_primary_key);
  out.append("]}");
  return out;
}

std::string build(const change_context& ctx, std::string_view type, const row_source* record,
                  const row_source* old_record) {
  if (!has_primary_key(ctx))
    return no_primary_key_payload(ctx, type);
  std::string rec;
  std::string old;
  auto fill = [&](std::size_t limit) {
    rec.clear();
    old.clear();
    if (record != nullptr)
      append_row(rec, ctx, *record, limit);
    if (old_record != nullptr)
      append_row(old, ctx, *old_record, limit);
  };
  fill(0);
  bool too_large = std::max(rec.size(), old.size()) > ctx.max_record_bytes;
  if (too_large)
    fill(max_value_bytes_when_too_large);
  std::string out;
  std::string stamp;
  append_json_string(stamp, format_commit_timestamp(ctx.commit_time));
  append_head(out, ctx, stamp, type);
  out.append(R"(,"columns":)");
  append_columns(out, ctx);
  if (record != nullptr)
    out.append(R"(,"record":)").append(rec);
  if (old_record != nullptr)
    out.append(R"(,"old_record":)").append(old);
  out.append(R"(,"errors":)");
  if (too_large) {
    out.push_back('[');
    append_json_string(out, wire::change_error_too_large);
    out.push_back(']');
  } else {
    out.append("null");
  }
  out.push_back('}');
  return out;
}

} // namespace

std::string change_payload(const change_context& ctx, const insert_message& m) {
  row_source record{&m.new_tuple, false, nullptr};
  return build(ctx, wire::change_insert, &record, nullptr);
}

std::string change_payload(const change_context& ctx, const update_message& m) {
  bool full_old = m.old_kind == 'O';
  const tuple_data* fill = full_old ? &m.old_tuple : nullptr;
  row_source record{&m.new_tuple, false, fill};
  // Without an old tuple the identity did not change: the new row's key
  // columns are the old ones.
  row_source old = m.old_kind ? row_source{&m.old_tuple, !full_old, nullptr}
                              : row_source{&m.new_tuple, true, nullptr};
  return build(ctx, wire::change_update, &record, &old);
}

std::string change_payload(const change_context& ctx, const delete_message& m) {
  row_source old{&m.old_tuple, m.old_kind != 'O', nullptr, ctx.old_record_key_only};
  return build(ctx, wire::change_delete, nullptr, &old);
}

} // namespace rt::replication
