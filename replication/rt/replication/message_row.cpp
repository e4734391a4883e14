#include "rt/replication/message_row.hpp"

namespace rt::replication {

namespace {

constexpr std::string_view messages_table = "messages";

// The text of column `name` in `row`; nullopt when absent, NULL or not sent.
std::optional<std::string_view> text_of(const relation_snapshot& rel, const tuple_data& row,
                                        std::string_view name) {
  auto i = rel.index_of(name);
  if (!i || *i >= row.size() || row[*i].kind != column_kind::text)
    return std::nullopt;
  return row[*i].bytes;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

bool is_messages_relation(const relation_message& relation) noexcept {
  std::string_view table{relation.table};
  return relation.schema == "realtime"
         && (table == messages_table
             || (table.substr(0, messages_table.size() + 1) == "messages_"));
}

std::optional<std::string> bytea_from_hex(std::string_view text) {
  if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = hex_digit(text[i]);
    int lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::optional<message_row> read_message_row(const row_change& c) {
  if (c.kind != change_kind::insert || !c.relation || !is_messages_relation(c.relation->relation))
    return std::nullopt;
  auto tuples = decode_row(c);
  if (!tuples)
    return std::nullopt;
  const auto& row = std::get<insert_message>(tuples->body).new_tuple;
  const auto& rel = *c.relation;
  auto extension = text_of(rel, row, "extension");
  auto topic = text_of(rel, row, "topic");
  auto event = text_of(rel, row, "event");
  auto id = text_of(rel, row, "id");
  if (extension != "broadcast" || !topic || !event || !id)
    return std::nullopt;
  message_row out;
  out.id = std::string{*id};
  out.topic = std::string{*topic};
  out.event = std::string{*event};
  out.is_private = text_of(rel, row, "private") == "t";
  if (auto hex = text_of(rel, row, "binary_payload")) {
    out.binary = bytea_from_hex(*hex);
    if (!out.binary)
      return std::nullopt;
  } else if (auto json = text_of(rel, row, "payload")) {
    out.payload_json = std::string{*json};
  } else {
    return std::nullopt;
  }
  return out;
}

} // namespace rt::replication
