#include "rt/db/catalog.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <string_view>
#include <utility>

#include "rt/db/connection.hpp"

namespace rt::db {

namespace {

using replication::filter_condition;
using replication::filter_op;

// ---------------------------------------------------------------------------
// Elixir's `inspect(term, pretty: true)` (Elixir 1.19, width 80, limit 100,
// printable_limit 4096) for the terms params_to_log shows: lists of strings
// and lists of {column, op, value, negate} tuples. A small copy of
// Inspect.Algebra: documents, groups, strict and flex breaks.

struct doc_node;
using doc = std::shared_ptr<const doc_node>;

enum class doc_kind { text, cons, nest, strict_break, flex_break, group };

struct doc_node {
  doc_kind kind;
  std::string text;  // text, or a break's flat text
  int indent = 0;    // nest
  doc first, second; // cons: both; nest and group: first
};

doc make(doc_kind kind, std::string text, int indent, doc first, doc second) {
  return std::make_shared<const doc_node>(
    doc_node{kind, std::move(text), indent, std::move(first), std::move(second)});
}
doc text(std::string s) { return make(doc_kind::text, std::move(s), 0, nullptr, nullptr); }
doc cons(doc a, doc b) { return make(doc_kind::cons, {}, 0, std::move(a), std::move(b)); }
doc nest(doc d, int indent) { return make(doc_kind::nest, {}, indent, std::move(d), nullptr); }
doc group(doc d) { return make(doc_kind::group, {}, 0, std::move(d), nullptr); }
doc strict_break(std::string s) { return make(doc_kind::strict_break, std::move(s), 0, nullptr, nullptr); }
doc flex_break(std::string s) { return make(doc_kind::flex_break, std::move(s), 0, nullptr, nullptr); }
doc glue(doc a, std::string s, doc b) { return cons(std::move(a), cons(strict_break(std::move(s)), std::move(b))); }
doc flex_glue(doc a, doc b) { return cons(std::move(a), cons(flex_break(" "), std::move(b))); }

// Texts and concatenations of texts only (Inspect.Algebra's simple?/1).
bool is_simple(const doc& d) {
  if (d->kind == doc_kind::text)
    return true;
  return d->kind == doc_kind::cons && is_simple(d->first) && is_simple(d->second);
}

enum class layout { flat, broken };

// An entry of the renderer's work stack (the back is the next one): a
// document with its indentation and mode, the end of a group, or (only when
// fitting) the point where a group's content ends and the break flag of
// its parent comes back.
struct entry {
  enum class tag { doc, group_over, tail } what = tag::doc;
  int indent = 0;
  layout mode = layout::flat;
  const doc_node* node = nullptr;
  bool saved_break = false;
};

entry doc_entry(int indent, layout mode, const doc& d) { return {entry::tag::doc, indent, mode, d.get(), false}; }

// Inspect.Algebra.fits?/4: does the content up to the next break that can
// become a newline fit in `width`, the cursor being at `column`?
// `seen_break`: a break was passed (only then can content not fit).
bool fits(int width, std::size_t column, bool seen_break, std::vector<entry> stack) {
  while (true) {
    if (column > static_cast<std::size_t>(width) && seen_break)
      return false;
    if (stack.empty())
      return true;
    entry e = stack.back();
    stack.pop_back();
    if (e.what == entry::tag::tail) {
      seen_break = e.saved_break;
      continue;
    }
    if (e.what == entry::tag::group_over)
      return seen_break;
    const doc_node& n = *e.node;
    switch (n.kind) {
    case doc_kind::text:
      column += n.text.size();
      break;
    case doc_kind::strict_break:
    case doc_kind::flex_break:
      if (e.mode == layout::broken)
        return true;
      column += n.text.size();
      seen_break = true;
      break;
    case doc_kind::nest:
      stack.push_back(doc_entry(e.indent + n.indent, e.mode, n.first));
      break;
    case doc_kind::cons:
      stack.push_back(doc_entry(e.indent, e.mode, n.second));
      stack.push_back(doc_entry(e.indent, e.mode, n.first));
      break;
    case doc_kind::group:
      stack.push_back({entry::tag::tail, 0, layout::flat, nullptr, seen_break});
      stack.push_back(doc_entry(e.indent, layout::flat, n.first));
      break;
    }
  }
}

void newline(std::string& out, std::size_t& column, int indent) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent), ' ');
  column = static_cast<std::size_t>(indent);
}

// Inspect.Algebra.format/2 (to a string).
std::string render(const doc& d, int width) {
  std::string out;
  std::size_t column = 0;
  std::vector<entry> stack{doc_entry(0, layout::flat, d)};
  while (!stack.empty()) {
    entry e = stack.back();
    stack.pop_back();
    if (e.what != entry::tag::doc)
      continue;
    const doc_node& n = *e.node;
    switch (n.kind) {
    case doc_kind::text:
      out += n.text;
      column += n.text.size();
      break;
    case doc_kind::flex_break:
      column += n.text.size();
      if (e.mode == layout::flat || fits(width, column, true, stack))
        out += n.text;
      else
        newline(out, column, e.indent);
      break;
    case doc_kind::strict_break:
      if (e.mode == layout::broken) {
        newline(out, column, e.indent);
      } else {
        out += n.text;
        column += n.text.size();
      }
      break;
    case doc_kind::nest:
      stack.push_back(doc_entry(e.indent + n.indent, e.mode, n.first));
      break;
    case doc_kind::cons:
      stack.push_back(doc_entry(e.indent, e.mode, n.second));
      stack.push_back(doc_entry(e.indent, e.mode, n.first));
      break;
    case doc_kind::group: {
      bool flat = fits(width, column, false, {doc_entry(e.indent, layout::flat, n.first)});
      stack.push_back({entry::tag::group_over, 0, layout::flat, nullptr, false});
      stack.push_back(doc_entry(e.indent, flat ? layout::flat : layout::broken, n.first));
      break;
    }
    }
  }
  return out;
}

constexpr int inspect_width = 80;
constexpr int inspect_limit = 100;
constexpr std::size_t printable_limit = 4096;

// The code point at s[i] and its length, or nullopt for an invalid UTF-8
// sequence (what Erlang's <<c::utf8>> rejects).
std::optional<std::pair<char32_t, std::size_t>> decode_utf8(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80)
    return std::pair{char32_t{lead}, std::size_t{1}};
  std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (len == 0 || lead > 0xF4 || i + len > s.size())
    return std::nullopt;
  char32_t cp = lead & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  constexpr std::array<char32_t, 5> min_for_len = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return std::nullopt;
  return std::pair{cp, len};
}

bool printable_code_point(char32_t c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF) || c == '\n' || c == '\r' || c == '\t' || c == '\v' ||
         c == '\b' || c == '\f' || c == 0x1B || c == 0x7F || c == 0x07;
}

// String.printable?(s, 4096).
bool printable(std::string_view s) {
  std::size_t i = 0;
  for (std::size_t n = 0; n < printable_limit && i < s.size(); ++n) {
    auto cp = decode_utf8(s, i);
    if (!cp || !printable_code_point(cp->first))
      return false;
    i += cp->second;
  }
  return true;
}

std::string hex(std::uint32_t value, int digits) {
  static constexpr char digit[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k, value >>= 4)
    out[static_cast<std::size_t>(k)] = digit[value & 0xF];
  return out;
}

// Code points Elixir shows as \uXXXX although printable (invisible ones).
bool confusing(char32_t c) {
  return c == 0xFEFF || (c >= 0x2061 && c <= 0x2064) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || (c >= 0xFFF9 && c <= 0xFFFC) ||
         c == 0x200C || c == 0x200D || c == 0x034F || c == 0x00A0 || c == 0x200B || c == 0x2060 ||
         c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200A) || c == 0x205F;
}

std::optional<std::string_view> escape_map(char32_t c) {
  switch (c) {
  case 0x07: return "\\a";
  case '\b': return "\\b";
  case 0x7F: return "\\d";
  case 0x1B: return "\\e";
  case '\f': return "\\f";
  case '\n': return "\\n";
  case '\r': return "\\r";
  case '\t': return "\\t";
  case '\v': return "\\v";
  case '\\': return "\\\\";
  default: return std::nullopt;
  }
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Code.Identifier.escape_char/2.
void append_escaped(std::string& out, char32_t c) {
  if (auto mapped = escape_map(c))
    out += *mapped;
  else if (c == 0)
    out += "\\0";
  else if (confusing(c))
    out += "\\u" + hex(c, 4);
  else if (printable_code_point(c))
    append_utf8(out, c);
  else if (c < 0x100)
    out += "\\x" + hex(c, 2);
  else if (c < 0x10000)
    out += "\\x{" + hex(c, 4) + "}";
  else
    out += "\\x{" + hex(c, 6) + "}";
}

// A printable binary as Elixir shows it: in double quotes with escapes,
// cut after 4096 characters with ` <> ...`.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  std::size_t i = 0;
  for (std::size_t n = 0; i < s.size(); ++n) {
    if (n == printable_limit)
      return out + "\" <> ...";
    if (s[i] == '"') {
      out += "\\\"";
      ++i;
    } else if (s[i] == '#' && i + 1 < s.size() && s[i + 1] == '{') {
      out += "\\#{";
      i += 2;
    } else if (auto cp = decode_utf8(s, i)) {
      append_escaped(out, cp->first);
      i += cp->second;
    } else {
      out += "\\x" + hex(static_cast<unsigned char>(s[i]), 2);
      ++i;
    }
  }
  return out + "\"";
}

// A non-printable binary as Elixir shows it: <<104, 105, 0>>, at most
// `limit` bytes.
doc bytes_doc(std::string_view s, int limit) {
  if (limit <= 0)
    return text("...");
  auto byte = text(std::to_string(static_cast<unsigned char>(s.front())));
  if (s.size() == 1)
    return byte;
  return flex_glue(cons(byte, text(",")), bytes_doc(s.substr(1), limit - 1));
}

// Inspect for a binary; a non-printable one uses up `limit` by its size.
doc string_doc(std::string_view s, int& limit) {
  if (printable(s))
    return text(quoted(s));
  if (s.empty())
    return text("<<>>");
  auto d = group(cons(cons(text("<<"), nest(bytes_doc(s, limit), 2)), text(">>")));
  limit = std::max(0, limit - static_cast<int>(s.size()));
  return d;
}

enum class container_break { maybe, flex };

// Inspect.Algebra.container_doc_with_opts/6: `items` each render one
// element, using up the shared `limit` (one per element, plus what the
// element's own elements use); past it, "...".
template <typename Item>
doc container_doc(std::string_view left, const std::vector<Item>& items, std::string_view right,
                  container_break mode, int& limit, doc (*item_doc)(const Item&, int&)) {
  if (items.empty())
    return text(std::string{left} + std::string{right});
  std::vector<doc> docs;
  bool simple = true;
  for (const auto& item : items) {
    if (limit <= 0) {
      docs.push_back(text("..."));
      break;
    }
    --limit;
    docs.push_back(item_doc(item, limit));
    simple = simple && is_simple(docs.back());
  }
  bool flex = simple || mode == container_break::flex;
  doc joined = docs.back();
  for (auto it = docs.rbegin() + 1; it != docs.rend(); ++it)
    joined = flex ? flex_glue(cons(*it, text(",")), joined)
                  : glue(cons(*it, text(",")), " ", joined);
  if (flex)
    return group(cons(cons(text(std::string{left}), nest(joined, 1)), text(std::string{right})));
  return group(glue(nest(glue(text(std::string{left}), "", joined), 2), "", text(std::string{right})));
}

// A tuple element: a string or a boolean.
struct term {
  std::string value;
  bool is_boolean = false;
};

doc term_doc(const term& t, int& limit) { return t.is_boolean ? text(t.value) : string_doc(t.value, limit); }

doc filter_doc(const filter_condition& f, int& limit) {
  std::vector<term> elements{{f.column}, {std::string{replication::to_string(f.op)}}, {f.value},
                             {f.negate ? "true" : "false", true}};
  return container_doc("{", elements, "}", container_break::flex, limit, &term_doc);
}

doc name_doc(const std::string& s, int& limit) { return string_doc(s, limit); }

template <typename Item>
std::string inspect_list(const std::vector<Item>& items, doc (*item_doc)(const Item&, int&)) {
  int limit = inspect_limit;
  return render(group(container_doc("[", items, "]", container_break::maybe, limit, item_doc)),
                inspect_width);
}

// ---------------------------------------------------------------------------
// Error texts.

// PostgreSQL's condition names (errcodes.txt), which Postgrex shows.
constexpr std::pair<std::string_view, std::string_view> condition_names[] = {
    {"03000", "sql_statement_not_yet_complete"},
    {"08000", "connection_exception"},
    {"08003", "connection_does_not_exist"},
    {"08006", "connection_failure"},
    {"08001", "sqlclient_unable_to_establish_sqlconnection"},
    {"08004", "sqlserver_rejected_establishment_of_sqlconnection"},
    {"08007", "transaction_resolution_unknown"},
    {"08P01", "protocol_violation"},
    {"09000", "triggered_action_exception"},
    {"0A000", "feature_not_supported"},
    {"0B000", "invalid_transaction_initiation"},
    {"0F000", "locator_exception"},
    {"0F001", "invalid_locator_specification"},
    {"0L000", "invalid_grantor"},
    {"0LP01", "invalid_grant_operation"},
    {"0P000", "invalid_role_specification"},
    {"0Z000", "diagnostics_exception"},
    {"0Z002", "stacked_diagnostics_accessed_without_active_handler"},
    {"10608", "invalid_argument_for_xquery"},
    {"20000", "case_not_found"},
    {"21000", "cardinality_violation"},
    {"22000", "data_exception"},
    {"2202E", "array_subscript_error"},
    {"22021", "character_not_in_repertoire"},
    {"22008", "datetime_field_overflow"},
    {"22012", "division_by_zero"},
    {"22005", "error_in_assignment"},
    {"2200B", "escape_character_conflict"},
    {"22022", "indicator_overflow"},
    {"22015", "interval_field_overflow"},
    {"2201E", "invalid_argument_for_logarithm"},
    {"22014", "invalid_argument_for_ntile_function"},
    {"22016", "invalid_argument_for_nth_value_function"},
    {"2201F", "invalid_argument_for_power_function"},
    {"2201G", "invalid_argument_for_width_bucket_function"},
    {"22018", "invalid_character_value_for_cast"},
    {"22007", "invalid_datetime_format"},
    {"22019", "invalid_escape_character"},
    {"2200D", "invalid_escape_octet"},
    {"22025", "invalid_escape_sequence"},
    {"22P06", "nonstandard_use_of_escape_character"},
    {"22010", "invalid_indicator_parameter_value"},
    {"22023", "invalid_parameter_value"},
    {"22013", "invalid_preceding_or_following_size"},
    {"2201B", "invalid_regular_expression"},
    {"2201W", "invalid_row_count_in_limit_clause"},
    {"2201X", "invalid_row_count_in_result_offset_clause"},
    {"2202H", "invalid_tablesample_argument"},
    {"2202G", "invalid_tablesample_repeat"},
    {"22009", "invalid_time_zone_displacement_value"},
    {"2200C", "invalid_use_of_escape_character"},
    {"2200G", "most_specific_type_mismatch"},
    {"22004", "null_value_not_allowed"},
    {"22002", "null_value_no_indicator_parameter"},
    {"22003", "numeric_value_out_of_range"},
    {"2200H", "sequence_generator_limit_exceeded"},
    {"22026", "string_data_length_mismatch"},
    {"22001", "string_data_right_truncation"},
    {"22011", "substring_error"},
    {"22027", "trim_error"},
    {"22024", "unterminated_c_string"},
    {"2200F", "zero_length_character_string"},
    {"22P01", "floating_point_exception"},
    {"22P02", "invalid_text_representation"},
    {"22P03", "invalid_binary_representation"},
    {"22P04", "bad_copy_file_format"},
    {"22P05", "untranslatable_character"},
    {"2200L", "not_an_xml_document"},
    {"2200M", "invalid_xml_document"},
    {"2200N", "invalid_xml_content"},
    {"2200S", "invalid_xml_comment"},
    {"2200T", "invalid_xml_processing_instruction"},
    {"22030", "duplicate_json_object_key_value"},
    {"22031", "invalid_argument_for_sql_json_datetime_function"},
    {"22032", "invalid_json_text"},
    {"22033", "invalid_sql_json_subscript"},
    {"22034", "more_than_one_sql_json_item"},
    {"22035", "no_sql_json_item"},
    {"22036", "non_numeric_sql_json_item"},
    {"22037", "non_unique_keys_in_a_json_object"},
    {"22038", "singleton_sql_json_item_required"},
    {"22039", "sql_json_array_not_found"},
    {"2203A", "sql_json_member_not_found"},
    {"2203B", "sql_json_number_not_found"},
    {"2203C", "sql_json_object_not_found"},
    {"2203D", "too_many_json_array_elements"},
    {"2203E", "too_many_json_object_members"},
    {"2203F", "sql_json_scalar_required"},
    {"2203G", "sql_json_item_cannot_be_cast_to_target_type"},
    {"23000", "integrity_constraint_violation"},
    {"23001", "restrict_violation"},
    {"23502", "not_null_violation"},
    {"23503", "foreign_key_violation"},
    {"23505", "unique_violation"},
    {"23514", "check_violation"},
    {"23P01", "exclusion_violation"},
    {"24000", "invalid_cursor_state"},
    {"25000", "invalid_transaction_state"},
    {"25001", "active_sql_transaction"},
    {"25002", "branch_transaction_already_active"},
    {"25008", "held_cursor_requires_same_isolation_level"},
    {"25003", "inappropriate_access_mode_for_branch_transaction"},
    {"25004", "inappropriate_isolation_level_for_branch_transaction"},
    {"25005", "no_active_sql_transaction_for_branch_transaction"},
    {"25006", "read_only_sql_transaction"},
    {"25007", "schema_and_data_statement_mixing_not_supported"},
    {"25P01", "no_active_sql_transaction"},
    {"25P02", "in_failed_sql_transaction"},
    {"25P03", "idle_in_transaction_session_timeout"},
    {"25P04", "transaction_timeout"},
    {"26000", "invalid_sql_statement_name"},
    {"27000", "triggered_data_change_violation"},
    {"28000", "invalid_authorization_specification"},
    {"28P01", "invalid_password"},
    {"2B000", "dependent_privilege_descriptors_still_exist"},
    {"2BP01", "dependent_objects_still_exist"},
    {"2D000", "invalid_transaction_termination"},
    {"2F000", "sql_routine_exception"},
    {"2F005", "function_executed_no_return_statement"},
    {"2F002", "modifying_sql_data_not_permitted"},
    {"2F003", "prohibited_sql_statement_attempted"},
    {"2F004", "reading_sql_data_not_permitted"},
    {"34000", "invalid_cursor_name"},
    {"38000", "external_routine_exception"},
    {"38001", "containing_sql_not_permitted"},
    {"38002", "modifying_sql_data_not_permitted"},
    {"38003", "prohibited_sql_statement_attempted"},
    {"38004", "reading_sql_data_not_permitted"},
    {"39000", "external_routine_invocation_exception"},
    {"39001", "invalid_sqlstate_returned"},
    {"39004", "null_value_not_allowed"},
    {"39P01", "trigger_protocol_violated"},
    {"39P02", "srf_protocol_violated"},
    {"39P03", "event_trigger_protocol_violated"},
    {"3B000", "savepoint_exception"},
    {"3B001", "invalid_savepoint_specification"},
    {"3D000", "invalid_catalog_name"},
    {"3F000", "invalid_schema_name"},
    {"40000", "transaction_rollback"},
    {"40002", "transaction_integrity_constraint_violation"},
    {"40001", "serialization_failure"},
    {"40003", "statement_completion_unknown"},
    {"40P01", "deadlock_detected"},
    {"42000", "syntax_error_or_access_rule_violation"},
    {"42601", "syntax_error"},
    {"42501", "insufficient_privilege"},
    {"42846", "cannot_coerce"},
    {"42803", "grouping_error"},
    {"42P20", "windowing_error"},
    {"42P19", "invalid_recursion"},
    {"42830", "invalid_foreign_key"},
    {"42602", "invalid_name"},
    {"42622", "name_too_long"},
    {"42939", "reserved_name"},
    {"42804", "datatype_mismatch"},
    {"42P18", "indeterminate_datatype"},
    {"42P21", "collation_mismatch"},
    {"42P22", "indeterminate_collation"},
    {"42809", "wrong_object_type"},
    {"428C9", "generated_always"},
    {"42703", "undefined_column"},
    {"42883", "undefined_function"},
    {"42P01", "undefined_table"},
    {"42P02", "undefined_parameter"},
    {"42704", "undefined_object"},
    {"42701", "duplicate_column"},
    {"42P03", "duplicate_cursor"},
    {"42P04", "duplicate_database"},
    {"42723", "duplicate_function"},
    {"42P05", "duplicate_prepared_statement"},
    {"42P06", "duplicate_schema"},
    {"42P07", "duplicate_table"},
    {"42712", "duplicate_alias"},
    {"42710", "duplicate_object"},
    {"42702", "ambiguous_column"},
    {"42725", "ambiguous_function"},
    {"42P08", "ambiguous_parameter"},
    {"42P09", "ambiguous_alias"},
    {"42P10", "invalid_column_reference"},
    {"42611", "invalid_column_definition"},
    {"42P11", "invalid_cursor_definition"},
    {"42P12", "invalid_database_definition"},
    {"42P13", "invalid_function_definition"},
    {"42P14", "invalid_prepared_statement_definition"},
    {"42P15", "invalid_schema_definition"},
    {"42P16", "invalid_table_definition"},
    {"42P17", "invalid_object_definition"},
    {"44000", "with_check_option_violation"},
    {"53000", "insufficient_resources"},
    {"53100", "disk_full"},
    {"53200", "out_of_memory"},
    {"53300", "too_many_connections"},
    {"53400", "configuration_limit_exceeded"},
    {"54000", "program_limit_exceeded"},
    {"54001", "statement_too_complex"},
    {"54011", "too_many_columns"},
    {"54023", "too_many_arguments"},
    {"55000", "object_not_in_prerequisite_state"},
    {"55006", "object_in_use"},
    {"55P02", "cant_change_runtime_param"},
    {"55P03", "lock_not_available"},
    {"55P04", "unsafe_new_enum_value_usage"},
    {"57000", "operator_intervention"},
    {"57014", "query_canceled"},
    {"57P01", "admin_shutdown"},
    {"57P02", "crash_shutdown"},
    {"57P03", "cannot_connect_now"},
    {"57P04", "database_dropped"},
    {"57P05", "idle_session_timeout"},
    {"58000", "system_error"},
    {"58030", "io_error"},
    {"58P01", "undefined_file"},
    {"58P02", "duplicate_file"},
    {"58P03", "file_name_too_long"},
    {"F0000", "config_file_error"},
    {"F0001", "lock_file_exists"},
    {"HV000", "fdw_error"},
    {"HV005", "fdw_column_name_not_found"},
    {"HV002", "fdw_dynamic_parameter_value_needed"},
    {"HV010", "fdw_function_sequence_error"},
    {"HV021", "fdw_inconsistent_descriptor_information"},
    {"HV024", "fdw_invalid_attribute_value"},
    {"HV007", "fdw_invalid_column_name"},
    {"HV008", "fdw_invalid_column_number"},
    {"HV004", "fdw_invalid_data_type"},
    {"HV006", "fdw_invalid_data_type_descriptors"},
    {"HV091", "fdw_invalid_descriptor_field_identifier"},
    {"HV00B", "fdw_invalid_handle"},
    {"HV00C", "fdw_invalid_option_index"},
    {"HV00D", "fdw_invalid_option_name"},
    {"HV090", "fdw_invalid_string_length_or_buffer_length"},
    {"HV00A", "fdw_invalid_string_format"},
    {"HV009", "fdw_invalid_use_of_null_pointer"},
    {"HV014", "fdw_too_many_handles"},
    {"HV001", "fdw_out_of_memory"},
    {"HV00P", "fdw_no_schemas"},
    {"HV00J", "fdw_option_name_not_found"},
    {"HV00K", "fdw_reply_handle"},
    {"HV00Q", "fdw_schema_not_found"},
    {"HV00R", "fdw_table_not_found"},
    {"HV00L", "fdw_unable_to_create_execution"},
    {"HV00M", "fdw_unable_to_create_reply"},
    {"HV00N", "fdw_unable_to_establish_connection"},
    {"P0000", "plpgsql_error"},
    {"P0001", "raise_exception"},
    {"P0002", "no_data_found"},
    {"P0003", "too_many_rows"},
    {"P0004", "assert_failure"},
    {"XX000", "internal_error"},
    {"XX001", "data_corrupted"},
    {"XX002", "index_corrupted"},
};

std::string_view condition_name(std::string_view sqlstate) {
  for (const auto& [code, name] : condition_names)
    if (code == sqlstate)
      return name;
  return "nil";
}

// Exception.message/1 of the Postgrex.Error a failed query raises:
// "ERROR 22P02 (invalid_text_representation) invalid input syntax ...",
// then the hint, table, column and constraint, then the detail.
std::string postgrex_message(const db_error& e) {
  if (e.sqlstate.empty())
    return e.message;
  std::string out = "ERROR " + e.sqlstate + " (" + std::string{condition_name(e.sqlstate)} + ") " + e.message;
  std::string metadata;
  auto add = [&metadata](std::string_view key, const std::string& value) {
    if (!value.empty())
      metadata.append("\n    ").append(key).append(": ").append(value);
  };
  add("table", e.table);
  add("column", e.column);
  add("constraint", e.constraint);
  add("hint", e.hint);
  if (!metadata.empty())
    out += "\n" + metadata;
  if (!e.detail.empty())
    out += "\n\n" + e.detail;
  return out;
}

// What `raise exception '...'` in realtime.subscription_check_filters raises.
db_error raised(std::string message) { return db_error{"P0001", std::move(message)}; }

std::string not_enabled_error(const binding_spec& b) {
  return "Unable to subscribe to changes with given parameters. Please check Realtime is enabled "
         "for the given connect parameters: [" +
         params_to_log(b) + "]";
}

std::string exception_error(const binding_spec& b, const db_error& e) {
  return "Unable to subscribe to changes with given parameters. An exception happened so please "
         "check your connect parameters: [" +
         params_to_log(b) + "]. Exception: " + postgrex_message(e);
}

// ---------------------------------------------------------------------------
// Catalog.

// Published tables matching the binding, one row per column (or one row with
// NULL column fields for a table without columns), as `role` sees them.
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
       a.attname, a.attnum, a.atttypid, ty.typname, a.atttypid::pg_catalog.regtype::text,
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
       CASE WHEN ty.typtype = 'e' THEN
         (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid = ty.oid) END,
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
  c_attname,
  c_attnum,
  c_typid,
  c_typname,
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

// What the filter checks need to know about a column beyond column_info.
struct column_extra {
  std::string regtype; // atttypid::regtype::text ("integer", "text", ...)
  Oid array_type = 0;  // the type of an array of its values (0: none)
  bool has_like = false, has_match = false, has_imatch = false;
};

struct resolved_table {
  table_info info;
  std::vector<column_extra> extra; // parallel to info.columns
};

struct resolved_rows {
  bool role_exists = false;
  std::vector<resolved_table> tables;
};

std::string text_at(const PGresult* r, int row, int col) {
  auto v = field(r, row, col);
  return v ? std::string{*v} : std::string{};
}

bool bool_at(const PGresult* r, int row, int col) { return text_at(r, row, col) == "t"; }

// An integer field (0 when NULL).
template <typename Int>
Int int_at(const PGresult* r, int row, int col) {
  Int value = 0;
  if (auto v = field(r, row, col))
    std::from_chars(v->data(), v->data() + v->size(), value);
  return value;
}

std::uint32_t oid_at(const PGresult* r, int row, int col) { return int_at<std::uint32_t>(r, row, col); }

// The elements of a one-dimensional text[] in PostgreSQL's output syntax
// ({a,"b c","d\"e"}); NULL elements are left out.
std::vector<std::string> parse_text_array(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 1; // past '{'
  while (i + 1 < s.size()) {
    std::string item;
    bool quoted = s[i] == '"';
    if (quoted) {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\')
          ++i;
        item.push_back(s[i]);
      }
      ++i; // closing quote
    } else {
      for (; i < s.size() && s[i] != ',' && s[i] != '}'; ++i)
        item.push_back(s[i]);
    }
    if (quoted || item != "NULL")
      out.push_back(std::move(item));
    ++i; // ',' or '}'
  }
  return out;
}

std::pair<column_info, column_extra> column_at(const PGresult* r, int row) {
  column_info c;
  c.name = text_at(r, row, c_attname);
  c.attnum = int_at<std::int16_t>(r, row, c_attnum);
  c.type_oid = oid_at(r, row, c_typid);
  c.type_name = text_at(r, row, c_typname);
  c.primary_key = bool_at(r, row, c_primary_key);
  c.selectable = bool_at(r, row, c_selectable);
  c.collation = text_at(r, row, c_collation);
  if (auto labels = field(r, row, c_enum_labels))
    c.enum_labels = parse_text_array(*labels);
  column_extra x;
  x.regtype = text_at(r, row, c_regtype);
  x.array_type = oid_at(r, row, c_array_type);
  x.has_like = bool_at(r, row, c_has_like);
  x.has_match = bool_at(r, row, c_has_match);
  x.has_imatch = bool_at(r, row, c_has_imatch);
  return {std::move(c), std::move(x)};
}

resolved_table table_at(const PGresult* r, int row) {
  resolved_table t;
  t.info.relid = oid_at(r, row, c_relid);
  t.info.schema = text_at(r, row, c_schema);
  t.info.table = text_at(r, row, c_table);
  t.info.row_security = bool_at(r, row, c_row_security);
  t.info.role_bypasses_rls = bool_at(r, row, c_bypass);
  return t;
}

resolved_rows read_tables(const PGresult* r) {
  resolved_rows out;
  for (int row = 0; row < PQntuples(r); ++row) {
    out.role_exists = bool_at(r, row, c_role_exists);
    if (out.tables.empty() || out.tables.back().info.relid != oid_at(r, row, c_relid))
      out.tables.push_back(table_at(r, row));
    if (!field(r, row, c_attname))
      continue;
    auto [column, extra] = column_at(r, row);
    out.tables.back().info.columns.push_back(std::move(column));
    out.tables.back().extra.push_back(std::move(extra));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Filter checks (realtime.subscription_check_filters), per table.

using operands_or_error = tl::expected<std::vector<std::optional<std::string>>, db_error>;

constexpr std::size_t max_in_values = 100;

// `value` read by the input function of type `type`, in its canonical output.
operands_or_error cast_value(PGconn* conn, const std::string& value, Oid type) {
  auto r = exec(conn, "SELECT $1", {value}, {type});
  if (!r)
    return tl::unexpected(r.error());
  auto v = field(r->get(), 0, 0);
  return std::vector<std::optional<std::string>>{v ? std::optional<std::string>{*v} : std::nullopt};
}

// The elements of the array literal `value` ("{a,b}") of the column's type.
operands_or_error cast_in_values(PGconn* conn, const std::string& value, const column_extra& x) {
  if (x.array_type == 0)
    return tl::unexpected(db_error{"42704", "type \"" + x.regtype + "[]\" does not exist"});
  auto r = exec(conn, "SELECT pg_catalog.unnest($1)", {value}, {x.array_type});
  if (!r)
    return tl::unexpected(r.error());
  std::vector<std::optional<std::string>> out;
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    auto v = field(r->get(), row, 0);
    out.push_back(v ? std::optional<std::string>{*v} : std::nullopt);
  }
  if (out.size() > max_in_values)
    return tl::unexpected(raised("too many values for `in` filter. Maximum 100"));
  return out;
}

operands_or_error check_is(const filter_condition& f, const column_info& c, const column_extra& x) {
  const auto& v = f.value;
  if (v != "null" && v != "true" && v != "false" && v != "unknown")
    return tl::unexpected(raised("invalid value for is filter: must be null, true, false, or unknown"));
  constexpr std::uint32_t bool_oid = 16;
  if (v != "null" && c.type_oid != bool_oid)
    return tl::unexpected(raised("is " + v + " filter requires a boolean column, got " + x.regtype));
  return std::vector<std::optional<std::string>>{v};
}

db_error not_text_compatible(const filter_condition& f, const column_extra& x) {
  return raised("operator " + std::string{replication::to_string(f.op)} +
                " requires a text-compatible column type, got " + x.regtype);
}

operands_or_error check_like(const filter_condition& f, const column_extra& x) {
  if (!x.has_like)
    return tl::unexpected(not_text_compatible(f, x));
  return std::vector<std::optional<std::string>>{f.value};
}

operands_or_error check_match(PGconn* conn, const filter_condition& f, const column_extra& x) {
  if (!(f.op == filter_op::imatch ? x.has_imatch : x.has_match))
    return tl::unexpected(not_text_compatible(f, x));
  constexpr Oid text_oid = 25;
  if (auto r = exec(conn, "SELECT '' ~ $1", {f.value}, {text_oid}); !r)
    return tl::unexpected(raised("invalid regular expression for " +
                                 std::string{replication::to_string(f.op)} +
                                 " filter: " + r.error().message));
  return std::vector<std::optional<std::string>>{f.value};
}

operands_or_error filter_operands_for(PGconn* conn, const filter_condition& f, const column_info& c,
                                      const column_extra& x) {
  switch (f.op) {
  case filter_op::in:
    return cast_in_values(conn, f.value, x);
  case filter_op::is:
    return check_is(f, c, x);
  case filter_op::like:
  case filter_op::ilike:
    return check_like(f, x);
  case filter_op::match:
  case filter_op::imatch:
    return check_match(conn, f, x);
  default:
    return cast_value(conn, f.value, c.type_oid);
  }
}

// Index of the column `name` if the role may select it.
std::optional<std::size_t> selectable_column(const table_info& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].name == name && t.columns[i].selectable)
      return i;
  return std::nullopt;
}

tl::expected<void, db_error> check_filters(PGconn* conn, resolved_table& t, const binding_spec& b) {
  for (const auto& f : b.filters) {
    auto index = selectable_column(t.info, f.column);
    if (!index)
      return tl::unexpected(raised("invalid column for filter " + f.column));
    auto operands = filter_operands_for(conn, f, t.info.columns[*index], t.extra[*index]);
    if (!operands)
      return tl::unexpected(operands.error());
    t.info.filters.push_back({*index, std::move(*operands)});
  }
  return {};
}

tl::expected<void, db_error> check_select(const table_info& t, const binding_spec& b) {
  if (b.select)
    for (const auto& name : *b.select)
      if (!selectable_column(t, name))
        return tl::unexpected(raised("invalid column for select " + name));
  return {};
}

} // namespace

std::string params_to_log(const binding_spec& b) {
  std::string out = "event: " + b.event + ", schema: " + b.schema + ", table: " + b.table;
  out += ", filters: " + inspect_list(b.filters, &filter_doc);
  out += ", select: " + (b.select ? inspect_list(*b.select, &name_doc) : std::string{"nil"});
  return out;
}

tl::expected<std::vector<table_info>, std::string>
resolve_binding(PGconn* conn, const std::string& publication, const std::string& role,
                const binding_spec& b) {
  constexpr Oid text_oid = 25;
  auto r = exec(conn, tables_sql, {publication, role, b.schema, b.table},
                {text_oid, text_oid, text_oid, text_oid});
  if (!r)
    return tl::unexpected(exception_error(b, r.error()));
  auto rows = read_tables(r->get());
  if (rows.tables.empty())
    return tl::unexpected(not_enabled_error(b));
  if (!rows.role_exists)
    return tl::unexpected(exception_error(b, db_error{"42704", "role \"" + role + "\" does not exist"}));
  std::vector<table_info> out;
  for (auto& t : rows.tables) {
    auto checked = check_filters(conn, t, b).and_then([&] { return check_select(t.info, b); });
    if (!checked)
      return tl::unexpected(exception_error(b, checked.error()));
    out.push_back(std::move(t.info));
  }
  return out;
}

} // namespace rt::db
