#include "rt/replication/change_batch_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "rt/replication/byte_reader.hpp"

namespace rt::replication {

namespace {

constexpr std::uint8_t format_version = 1;

// The fewest bytes each item can take (empty strings, zero counts): a count
// is checked against them before anything is allocated for it.
constexpr std::size_t min_snapshot_bytes = 4 + 1 + 1 + 1 + 4;
constexpr std::size_t min_column_bytes = 1 + 1 + 4 + 4;
constexpr std::size_t min_flag_bytes = 1;
constexpr std::size_t min_column_type_bytes = 1 + 4 + 4;
constexpr std::size_t min_type_name_bytes = 4 + 1;
constexpr std::size_t min_change_bytes = 1 + 1 + 8 + 8 + 1 + 1 + 1;

using snapshot_ptr = std::shared_ptr<const relation_snapshot>;

// -- writing ------------------------------------------------------------------

class batch_writer {
public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { little_endian(v, 4); }
  void i32(std::int32_t v) { little_endian(static_cast<std::uint32_t>(v), 4); }
  void u64(std::uint64_t v) { little_endian(v, 8); }
  void i64(std::int64_t v) { little_endian(static_cast<std::uint64_t>(v), 8); }

  /// An unsigned LEB128 varint.
  void count(std::uint64_t v) {
    for (; v >= 0x80; v >>= 7)
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out_.push_back(static_cast<char>(v));
  }

  void str(std::string_view s) {
    count(s.size());
    out_.append(s);
  }

  [[nodiscard]] std::string take() { return std::move(out_); }

private:
  void little_endian(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }

  std::string out_;
};

// The announced names of the types the relation's columns use, each once.
// Built-in names need no entry, and no reader asks for other types' names.
std::vector<std::pair<std::uint32_t, const std::string*>>
names_in_use(const relation_snapshot& s) {
  std::vector<std::pair<std::uint32_t, const std::string*>> out;
  for (const auto& column : s.relation.columns) {
    auto oid = column.type_oid;
    const auto* name = s.types.announced(oid);
    if (name == nullptr || !builtin_type_name(oid).empty())
      continue;
    bool listed = std::any_of(out.begin(), out.end(),
                              [oid](const auto& entry) { return entry.first == oid; });
    if (!listed)
      out.emplace_back(oid, name);
  }
  return out;
}

void write_snapshot(batch_writer& out, const relation_snapshot& s) {
  const auto& r = s.relation;
  out.u32(r.relid);
  out.str(r.schema);
  out.str(r.table);
  out.u8(static_cast<std::uint8_t>(r.replica_identity));
  out.count(r.columns.size());
  for (const auto& c : r.columns) {
    out.u8(c.key ? 1 : 0);
    out.str(c.name);
    out.u32(c.type_oid);
    out.i32(c.type_modifier);
  }
  out.count(s.primary_key.size());
  for (bool flag : s.primary_key)
    out.u8(flag ? 1 : 0);
  out.count(s.column_types.size());
  for (const auto& t : s.column_types) {
    out.str(t.type_name);
    out.u32(t.value_oid);
    out.u32(t.element_oid);
  }
  auto names = names_in_use(s);
  out.count(names.size());
  for (const auto& [oid, name] : names) {
    out.u32(oid);
    out.str(*name);
  }
}

void write_change(batch_writer& out, const row_change& c, std::size_t snapshot) {
  out.count(snapshot);
  out.u8(static_cast<std::uint8_t>(c.kind));
  out.i64(c.commit_time);
  out.u64(c.commit_lsn);
  out.count(c.position);
  out.str(c.message);
  out.u8(c.data ? 1 : 0);
  if (c.data)
    out.str(*c.data);
}

// -- reading ------------------------------------------------------------------

// Little-endian and varint reads that check the remaining length. The first
// failure sticks, so a whole item can be read before checking once.
class batch_reader {
public:
  explicit batch_reader(std::string_view bytes) noexcept : bytes_(bytes) {}

  [[nodiscard]] bool ok() const noexcept { return !error_; }
  [[nodiscard]] errc error() const noexcept { return error_.value_or(errc::malformed_batch); }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == bytes_.size(); }

  void fail(errc e) noexcept {
    if (!error_)
      error_ = e;
  }

  std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(little_endian(1)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(little_endian(4)); }
  std::int32_t i32() noexcept { return static_cast<std::int32_t>(little_endian(4)); }
  std::uint64_t u64() noexcept { return little_endian(8); }
  std::int64_t i64() noexcept { return static_cast<std::int64_t>(little_endian(8)); }

  /// A byte that must be 0 or 1.
  bool flag() noexcept {
    auto v = u8();
    if (v > 1)
      fail(errc::malformed_batch);
    return v == 1;
  }

  /// An unsigned LEB128 varint of at most 64 bits.
  std::uint64_t varint() noexcept {
    std::uint64_t v = 0;
    for (int shift = 0; ok(); shift += 7) {
      if (at_end()) {
        fail(errc::truncated);
        break;
      }
      auto byte = static_cast<std::uint8_t>(bytes_[pos_++]);
      // The tenth byte holds the 64th bit only.
      if (shift == 63 && byte > 1) {
        fail(errc::malformed_batch);
        break;
      }
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return v;
    }
    return 0;
  }

  /// A count of items that take at least `min_bytes` each; 0 and failed when
  /// the rest of the input cannot hold them.
  std::size_t count(std::size_t min_bytes) noexcept {
    auto n = varint();
    if (ok() && n > remaining() / min_bytes)
      fail(errc::truncated);
    return ok() ? static_cast<std::size_t>(n) : 0;
  }

  /// A length-prefixed string, as a view into the input.
  std::string_view str() noexcept {
    auto n = varint();
    if (ok() && n > remaining())
      fail(errc::truncated);
    if (!ok())
      return {};
    auto out = bytes_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += out.size();
    return out;
  }

private:
  [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - pos_; }

  std::uint64_t little_endian(std::size_t n) noexcept {
    if (ok() && remaining() < n)
      fail(errc::truncated);
    if (!ok())
      return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::optional<errc> error_;
};

std::vector<relation_column> read_columns(batch_reader& in) {
  std::vector<relation_column> out;
  auto n = in.count(min_column_bytes);
  out.reserve(n);
  for (; n > 0 && in.ok(); --n) {
    relation_column c;
    c.key = in.flag();
    c.name = in.str();
    c.type_oid = in.u32();
    c.type_modifier = in.i32();
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<bool> read_flags(batch_reader& in) {
  std::vector<bool> out;
  auto n = in.count(min_flag_bytes);
  out.reserve(n);
  for (; n > 0 && in.ok(); --n)
    out.push_back(in.flag());
  return out;
}

std::vector<column_type> read_column_types(batch_reader& in) {
  std::vector<column_type> out;
  auto n = in.count(min_column_type_bytes);
  out.reserve(n);
  for (; n > 0 && in.ok(); --n) {
    column_type t;
    t.type_name = in.str();
    t.value_oid = in.u32();
    t.element_oid = in.u32();
    out.push_back(std::move(t));
  }
  return out;
}

type_names read_type_names(batch_reader& in) {
  type_names out;
  for (auto n = in.count(min_type_name_bytes); n > 0 && in.ok(); --n) {
    type_message t;
    t.oid = in.u32();
    t.name = in.str();
    out.put(t);
  }
  return out;
}

// Null when the input failed.
snapshot_ptr read_snapshot(batch_reader& in) {
  relation_message r;
  r.relid = in.u32();
  r.schema = in.str();
  r.table = in.str();
  r.replica_identity = static_cast<char>(in.u8());
  r.columns = read_columns(in);
  auto primary_key = read_flags(in);
  auto column_types = read_column_types(in);
  auto types = read_type_names(in);
  if (!in.ok())
    return nullptr;
  // Through the constructor, which builds the name index.
  return std::make_shared<const relation_snapshot>(std::move(r), std::move(types),
                                                   std::move(primary_key), std::move(column_types));
}

std::vector<snapshot_ptr> read_snapshots(batch_reader& in) {
  std::vector<snapshot_ptr> out;
  auto n = in.count(min_snapshot_bytes);
  out.reserve(n);
  for (; n > 0 && in.ok(); --n)
    out.push_back(read_snapshot(in));
  return out;
}

std::optional<change_kind> kind_of(std::uint8_t v) noexcept {
  switch (v) {
    case static_cast<std::uint8_t>(change_kind::insert): return change_kind::insert;
    case static_cast<std::uint8_t>(change_kind::update): return change_kind::update;
    case static_cast<std::uint8_t>(change_kind::remove): return change_kind::remove;
    default: return std::nullopt;
  }
}

char message_type(change_kind kind) noexcept {
  switch (kind) {
    case change_kind::insert: return 'I';
    case change_kind::update: return 'U';
    case change_kind::remove: return 'D';
  }
  return '\0';
}

// The message is one of `kind` for the snapshot's relation, as the stream
// made it: readers pick the tuple alternative by `kind` and the relation by
// the snapshot, so neither may disagree with the message. Its tuples are
// left to decode_row, whose errors readers already handle.
bool message_matches(const row_change& c) noexcept {
  byte_reader in{c.message};
  auto type = static_cast<char>(in.u8());
  auto relid = in.u32();
  return in.ok() && type == message_type(c.kind) && relid == c.relation->relation.relid;
}

row_change read_change(batch_reader& in, const std::vector<snapshot_ptr>& snapshots,
                       std::vector<bool>& referenced) {
  row_change c;
  auto snapshot = in.varint();
  auto kind = kind_of(in.u8());
  c.commit_time = in.i64();
  c.commit_lsn = in.u64();
  auto position = in.varint();
  c.message = in.str();
  if (in.flag())
    c.data = std::make_shared<const std::string>(in.str());
  if (!in.ok())
    return c;
  if (snapshot >= snapshots.size() || !kind || position > std::numeric_limits<std::uint32_t>::max()) {
    in.fail(errc::malformed_batch);
    return c;
  }
  c.relation = snapshots[snapshot];
  referenced[snapshot] = true;
  c.kind = *kind;
  c.position = static_cast<std::uint32_t>(position);
  if (!message_matches(c))
    in.fail(errc::malformed_batch);
  return c;
}

} // namespace

std::string encode_changes(const std::vector<row_change>& changes) {
  std::unordered_map<const relation_snapshot*, std::size_t> index;
  std::vector<const relation_snapshot*> snapshots;
  for (const auto& c : changes)
    if (index.emplace(c.relation.get(), snapshots.size()).second)
      snapshots.push_back(c.relation.get());
  batch_writer out;
  out.u8(format_version);
  out.count(snapshots.size());
  for (const auto* s : snapshots)
    write_snapshot(out, *s);
  out.count(changes.size());
  for (const auto& c : changes)
    write_change(out, c, index.find(c.relation.get())->second);
  return out.take();
}

expected<std::vector<row_change>> decode_changes(std::string_view bytes) {
  batch_reader in{bytes};
  auto version = in.u8();
  if (in.ok() && version != format_version)
    in.fail(errc::malformed_batch);
  auto snapshots = read_snapshots(in);
  std::vector<bool> referenced(snapshots.size(), false);
  std::vector<row_change> changes;
  auto n = in.count(min_change_bytes);
  changes.reserve(n);
  for (; n > 0 && in.ok(); --n)
    changes.push_back(read_change(in, snapshots, referenced));
  if (!in.ok())
    return tl::unexpected(in.error());
  if (!in.at_end())
    return tl::unexpected(errc::trailing_bytes);
  // encode_changes writes only the snapshots its changes use; one nobody
  // uses would only cost memory.
  for (bool used : referenced)
    if (!used)
      return tl::unexpected(errc::malformed_batch);
  return changes;
}

} // namespace rt::replication
