#include "rt/replication/pgoutput.hpp"

#include "rt/replication/byte_reader.hpp"

namespace rt::replication {

namespace {

using result = expected<pgoutput_body>;

// Turns the reader's state into the message's result: a read past the end is
// `truncated`, bytes left over are `trailing_bytes`.
template <class Message>
result finish(const byte_reader& in, Message&& m) {
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  if (!in.at_end())
    return tl::unexpected(errc::trailing_bytes);
  return pgoutput_body{std::forward<Message>(m)};
}

expected<tuple_data> read_tuple(byte_reader& in) {
  auto count = in.i16();
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  if (count < 0)
    return tl::unexpected(errc::negative_length);
  tuple_data tuple;
  tuple.reserve(static_cast<std::size_t>(count));
  for (std::int16_t i = 0; i < count; ++i) {
    column_value v;
    auto kind = in.u8();
    switch (kind) {
      case 'n': v.kind = column_kind::null; break;
      case 'u': v.kind = column_kind::unchanged_toast; break;
      case 't':
      case 'b': {
        v.kind = kind == 't' ? column_kind::text : column_kind::binary;
        auto length = in.i32();
        if (in.ok() && length < 0)
          return tl::unexpected(errc::negative_length);
        v.bytes = in.bytes(static_cast<std::size_t>(length));
        break;
      }
      default:
        if (!in.ok())
          return tl::unexpected(errc::truncated);
        return tl::unexpected(errc::unknown_column_kind);
    }
    if (!in.ok())
      return tl::unexpected(errc::truncated);
    tuple.push_back(v);
  }
  return tuple;
}

result read_begin(byte_reader& in) {
  begin_message m;
  m.final_lsn = in.u64();
  m.commit_time = in.i64();
  m.xid = in.u32();
  return finish(in, m);
}

result read_commit(byte_reader& in) {
  commit_message m;
  m.flags = in.u8();
  m.commit_lsn = in.u64();
  m.end_lsn = in.u64();
  m.commit_time = in.i64();
  return finish(in, m);
}

result read_relation(byte_reader& in) {
  relation_message m;
  m.relid = in.u32();
  m.schema = std::string{in.cstring()};
  m.table = std::string{in.cstring()};
  m.replica_identity = static_cast<char>(in.u8());
  auto count = in.i16();
  if (in.ok() && count < 0)
    return tl::unexpected(errc::negative_length);
  for (std::int16_t i = 0; in.ok() && i < count; ++i) {
    relation_column c;
    c.key = (in.u8() & 1) != 0;
    c.name = std::string{in.cstring()};
    c.type_oid = in.u32();
    c.type_modifier = in.i32();
    m.columns.push_back(std::move(c));
  }
  return finish(in, std::move(m));
}

result read_type(byte_reader& in) {
  type_message m;
  m.oid = in.u32();
  m.schema = std::string{in.cstring()};
  m.name = std::string{in.cstring()};
  return finish(in, std::move(m));
}

result read_origin(byte_reader& in) {
  origin_message m;
  m.commit_lsn = in.u64();
  m.name = std::string{in.cstring()};
  return finish(in, std::move(m));
}

// Reads the marker byte and, when it is one of `allowed`, the tuple after it.
expected<tuple_data> read_marked_tuple(byte_reader& in, char marker, std::string_view allowed) {
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  if (allowed.find(marker) == std::string_view::npos)
    return tl::unexpected(errc::unexpected_tuple_marker);
  return read_tuple(in);
}

result read_insert(byte_reader& in) {
  insert_message m;
  m.relid = in.u32();
  auto marker = static_cast<char>(in.u8());
  auto tuple = read_marked_tuple(in, marker, "N");
  if (!tuple)
    return tl::unexpected(tuple.error());
  m.new_tuple = std::move(*tuple);
  return finish(in, std::move(m));
}

result read_update(byte_reader& in) {
  update_message m;
  m.relid = in.u32();
  auto marker = static_cast<char>(in.u8());
  if (in.ok() && (marker == 'K' || marker == 'O')) {
    auto old_tuple = read_tuple(in);
    if (!old_tuple)
      return tl::unexpected(old_tuple.error());
    m.old_kind = marker;
    m.old_tuple = std::move(*old_tuple);
    marker = static_cast<char>(in.u8());
  }
  auto tuple = read_marked_tuple(in, marker, "N");
  if (!tuple)
    return tl::unexpected(tuple.error());
  m.new_tuple = std::move(*tuple);
  return finish(in, std::move(m));
}

result read_delete(byte_reader& in) {
  delete_message m;
  m.relid = in.u32();
  auto marker = static_cast<char>(in.u8());
  auto tuple = read_marked_tuple(in, marker, "KO");
  if (!tuple)
    return tl::unexpected(tuple.error());
  m.old_kind = marker;
  m.old_tuple = std::move(*tuple);
  return finish(in, std::move(m));
}

result read_truncate(byte_reader& in) {
  truncate_message m;
  auto count = in.i32();
  m.options = in.u8();
  if (in.ok() && count < 0)
    return tl::unexpected(errc::negative_length);
  // Each id takes 4 bytes: a count larger than the message is a lie, not a
  // reason to reserve memory.
  if (in.ok() && static_cast<std::size_t>(count) > in.remaining() / 4)
    return tl::unexpected(errc::truncated);
  for (std::int32_t i = 0; in.ok() && i < count; ++i)
    m.relids.push_back(in.u32());
  return finish(in, std::move(m));
}

result read_logical_message(byte_reader& in) {
  logical_message m;
  m.transactional = (in.u8() & 1) != 0;
  m.at = in.u64();
  m.prefix = in.cstring();
  auto length = in.i32();
  if (in.ok() && length < 0)
    return tl::unexpected(errc::negative_length);
  m.content = in.bytes(static_cast<std::size_t>(length));
  return finish(in, m);
}

result read_stream_start(byte_reader& in) {
  stream_start_message m;
  m.xid = in.u32();
  m.first_segment = in.u8() == 1;
  return finish(in, m);
}

result read_stream_commit(byte_reader& in) {
  stream_commit_message m;
  m.xid = in.u32();
  m.flags = in.u8();
  m.commit_lsn = in.u64();
  m.end_lsn = in.u64();
  m.commit_time = in.i64();
  return finish(in, m);
}

result read_stream_abort(byte_reader& in) {
  stream_abort_message m;
  m.xid = in.u32();
  m.subxid = in.u32();
  return finish(in, m);
}

// Messages that carry a transaction id after the type byte inside a stream.
bool streamable(char type) {
  return std::string_view{"RYIUDTM"}.find(type) != std::string_view::npos;
}

result read_body(char type, byte_reader& in) {
  switch (type) {
    case 'B': return read_begin(in);
    case 'C': return read_commit(in);
    case 'R': return read_relation(in);
    case 'Y': return read_type(in);
    case 'O': return read_origin(in);
    case 'I': return read_insert(in);
    case 'U': return read_update(in);
    case 'D': return read_delete(in);
    case 'T': return read_truncate(in);
    case 'M': return read_logical_message(in);
    case 'S': return read_stream_start(in);
    case 'E': return finish(in, stream_stop_message{});
    case 'c': return read_stream_commit(in);
    case 'A': return read_stream_abort(in);
    default: return tl::unexpected(errc::unknown_message);
  }
}

} // namespace

expected<pgoutput_message> decode_pgoutput(std::string_view payload, bool in_stream) {
  byte_reader in{payload};
  auto type = static_cast<char>(in.u8());
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  pgoutput_message out;
  if (in_stream && streamable(type)) {
    out.stream_xid = in.u32();
    if (!in.ok())
      return tl::unexpected(errc::truncated);
  }
  auto body = read_body(type, in);
  if (!body)
    return tl::unexpected(body.error());
  out.body = std::move(*body);
  return out;
}

void relation_cache::put(relation_message relation) {
  auto relid = relation.relid;
  relations_.insert_or_assign(relid, std::move(relation));
}

const relation_message* relation_cache::find(std::uint32_t relid) const {
  auto it = relations_.find(relid);
  return it == relations_.end() ? nullptr : &it->second;
}

} // namespace rt::replication
