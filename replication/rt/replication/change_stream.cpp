#include "rt/replication/change_stream.hpp"

#include <algorithm>

#include "rt/replication/change_payload.hpp"

namespace rt::replication {

namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

std::vector<bool> key_flags(const relation_message& r, const std::vector<std::string>& names) {
  std::vector<bool> flags(r.columns.size(), false);
  for (std::size_t i = 0; i < r.columns.size(); ++i)
    flags[i] = std::find(names.begin(), names.end(), r.columns[i].name) != names.end();
  return flags;
}

// The catalog's column types in the relation's column order.
std::vector<column_type> types_by_column(const relation_message& r, const relation_facts& f) {
  std::vector<column_type> out(r.columns.size());
  for (std::size_t i = 0; i < r.columns.size(); ++i)
    for (const auto& [name, type] : f.columns)
      if (name == r.columns[i].name)
        out[i] = type;
  return out;
}

std::optional<std::optional<std::string_view>> value_at(const tuple_data& t, std::size_t i) {
  if (i >= t.size())
    return std::nullopt;
  const auto& v = t[i];
  switch (v.kind) {
    case column_kind::null:
      return std::optional<std::string_view>{};
    case column_kind::text:
      return std::optional<std::string_view>{v.bytes};
    default:
      return std::nullopt;
  }
}

change_context context_of(const row_change& c, std::size_t max_record_bytes) {
  change_context ctx;
  ctx.relation = &c.relation->relation;
  ctx.types = &c.relation->types;
  ctx.primary_key = c.relation->primary_key;
  ctx.column_types = &c.relation->column_types;
  ctx.commit_time = c.commit_time;
  ctx.max_record_bytes = max_record_bytes;
  return ctx;
}

} // namespace

relation_snapshot::relation_snapshot(relation_message r, type_names t, std::vector<bool> pk,
                                     std::vector<column_type> column_types)
  : relation(std::move(r)), types(std::move(t)), primary_key(std::move(pk)),
    column_types(std::move(column_types)) {
  for (std::size_t i = 0; i < relation.columns.size(); ++i)
    index_.emplace(relation.columns[i].name, i);
}

std::optional<std::size_t> relation_snapshot::index_of(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end())
    return std::nullopt;
  return it->second;
}

std::size_t row_change::bytes() const noexcept {
  return sizeof(row_change) + message.size() + (data ? data->size() : 0);
}

expected<row_tuples> decode_row(const row_change& c) {
  auto decoded = decode_pgoutput(c.message, false);
  if (!decoded)
    return tl::unexpected(decoded.error());
  return std::visit(
    overloaded{
      [](insert_message& m) -> expected<row_tuples> { return row_tuples{std::move(m)}; },
      [](update_message& m) -> expected<row_tuples> { return row_tuples{std::move(m)}; },
      [](delete_message& m) -> expected<row_tuples> { return row_tuples{std::move(m)}; },
      [](auto&) -> expected<row_tuples> { return tl::unexpected(errc::unknown_message); },
    },
    decoded->body);
}

std::optional<std::optional<std::string_view>> filter_value(const row_change& c,
                                                           const row_tuples& t, std::size_t i) {
  const auto& columns = c.relation->relation.columns;
  bool in_identity = i < columns.size() && columns[i].key;
  return std::visit(
    overloaded{
      [i](const insert_message& m) { return value_at(m.new_tuple, i); },
      [i](const update_message& m) {
        auto v = value_at(m.new_tuple, i);
        if (!v && m.old_kind == 'O')
          v = value_at(m.old_tuple, i);
        return v;
      },
      [i, in_identity](const delete_message& m) -> std::optional<std::optional<std::string_view>> {
        if (m.old_kind == 'K' && !in_identity)
          return std::nullopt;
        return value_at(m.old_tuple, i);
      },
    },
    t.body);
}

std::string change_data(const row_change& c, const row_tuples& t, std::vector<bool> visible,
                        std::size_t max_record_bytes, bool old_key_only) {
  auto ctx = context_of(c, max_record_bytes);
  ctx.visible = std::move(visible);
  ctx.old_record_key_only = old_key_only;
  return std::visit([&ctx](const auto& m) { return change_payload(ctx, m); }, t.body);
}

row_key key_of(const row_change& c, const row_tuples& t) {
  row_key key;
  const auto& relation = *c.relation;
  for (std::size_t i = 0; i < relation.primary_key.size(); ++i) {
    if (!relation.primary_key[i] || i >= relation.relation.columns.size())
      continue;
    key.columns.push_back(relation.relation.columns[i].name);
    auto value = filter_value(c, t, i);
    key.values.push_back(value && *value ? std::optional<std::string>{**value} : std::nullopt);
  }
  return key;
}

std::shared_ptr<const std::string> full_data(const row_change& c, const row_tuples& t,
                                             std::size_t max_record_bytes) {
  if (c.data)
    return c.data;
  return std::make_shared<const std::string>(change_data(c, t, {}, max_record_bytes));
}

change_stream::change_stream(relation_lookup lookup, std::size_t max_record_bytes)
  : lookup_(std::move(lookup)), max_record_bytes_(max_record_bytes) {}

void change_stream::on_relation(relation_message r) {
  auto facts = lookup_(r);
  auto pk = key_flags(r, facts.primary_key);
  auto column_types = types_by_column(r, facts);
  auto relid = r.relid;
  relations_[relid] = std::make_shared<const relation_snapshot>(std::move(r), types_, std::move(pk),
                                                                std::move(column_types));
}

void change_stream::on_begin(const begin_message& b) {
  in_transaction_ = true;
  commit_time_ = b.commit_time;
  commit_lsn_ = b.final_lsn;
  skipping_ = b.final_lsn <= skip_through_;
  row_position_ = 0;
  if (b.final_lsn > latest_.final_lsn)
    latest_ = {b.final_lsn, 0};
  resumable_ = b.final_lsn == latest_.final_lsn;
}

// Counts the row; true when an earlier sending of this transaction already
// went past it. Rows are counted whether or not they were handed on, since
// each position holds the same row every time the transaction is sent.
bool change_stream::seen_before() {
  ++row_position_;
  if (!resumable_)
    return false;
  if (row_position_ <= latest_.rows)
    return true;
  latest_.rows = row_position_;
  return false;
}

template <class Message>
void change_stream::add_row(std::string_view payload, const Message& m, change_kind kind,
                            stream_output& out) {
  bool repeated = seen_before();
  if (skipping_ || repeated)
    return;
  auto it = relations_.find(m.relid);
  // PostgreSQL announces a relation before its first change in a session;
  // a change without one cannot be described and is not sent.
  if (it == relations_.end())
    return;
  row_change c;
  c.relation = it->second;
  c.kind = kind;
  c.commit_time = commit_time_;
  c.commit_lsn = commit_lsn_;
  // seen_before counted this row, skipped or not, so the count is the same
  // on every sending. A transaction of more than 2^32 rows wraps.
  c.position = static_cast<std::uint32_t>(row_position_ - 1);
  c.message.assign(payload);
  if (!wanted_ || wanted_(m.relid)) {
    auto ctx = context_of(c, max_record_bytes_);
    c.data = std::make_shared<const std::string>(change_payload(ctx, m));
  }
  out.changes.push_back(std::move(c));
}

expected<void> change_stream::feed(std::string_view payload, stream_output& out) {
  auto decoded = decode_pgoutput(payload, false);
  if (!decoded)
    return tl::unexpected(decoded.error());
  return std::visit(
    overloaded{
      [&](begin_message& b) -> expected<void> {
        on_begin(b);
        return {};
      },
      [&](commit_message& c) -> expected<void> {
        in_transaction_ = false;
        skipping_ = false;
        resumable_ = false;
        last_commit_ = std::max(last_commit_, c.commit_lsn);
        out.committed = c.end_lsn;
        return {};
      },
      [&](relation_message& r) -> expected<void> {
        on_relation(std::move(r));
        return {};
      },
      [&](type_message& t) -> expected<void> {
        types_.put(t);
        return {};
      },
      [&](insert_message& m) -> expected<void> {
        add_row(payload, m, change_kind::insert, out);
        return {};
      },
      [&](update_message& m) -> expected<void> {
        add_row(payload, m, change_kind::update, out);
        return {};
      },
      [&](delete_message& m) -> expected<void> {
        add_row(payload, m, change_kind::remove, out);
        return {};
      },
      // Streamed in-progress transactions need protocol 2, which is not asked for.
      [](stream_start_message&) -> expected<void> { return tl::unexpected(errc::unknown_message); },
      [](stream_commit_message&) -> expected<void> { return tl::unexpected(errc::unknown_message); },
      // Truncates are not delivered (as in Supabase); origins and logical
      // messages carry nothing for subscribers.
      [](auto&) -> expected<void> { return {}; },
    },
    decoded->body);
}

} // namespace rt::replication
