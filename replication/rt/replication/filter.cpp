#include "rt/replication/filter.hpp"

#include <array>
#include <optional>

#include "rt/protocol/events.hpp"

namespace rt::replication {

namespace {

namespace wire = protocol::wire;

constexpr std::array<std::string_view, 13> op_names = {
  "eq", "neq", "lt", "lte", "gt", "gte", "in", "like", "ilike", "is", "match", "imatch", "isdistinct"};

std::optional<filter_op> op_from(std::string_view name) {
  for (std::size_t i = 0; i < op_names.size(); ++i)
    if (op_names[i] == name)
      return static_cast<filter_op>(i);
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\n\r\v\f";
  auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// Splits on commas outside parentheses and outside double-quoted values. A
// quote opens a value only right after '.', '(' or ','; inside one, a
// backslash keeps the next character.
std::vector<std::string> split_top_level(std::string_view filter) {
  std::vector<std::string> parts(1);
  int depth = 0;
  bool quoted = false;
  char prev = 0;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    auto& current = parts.back();
    if (quoted) {
      current.push_back(c);
      if (c == '\\' && i + 1 < filter.size()) {
        current.push_back(filter[++i]);
        prev = filter[i];
      } else {
        quoted = c != '"';
        prev = c;
      }
      continue;
    }
    if (c == ',' && depth == 0) {
      parts.emplace_back();
      prev = 0;
      continue;
    }
    if (c == '"' && (prev == '.' || prev == '(' || prev == ','))
      quoted = true;
    else if (c == '(')
      ++depth;
    else if (c == ')')
      depth = depth > 0 ? depth - 1 : 0;
    current.push_back(c);
    prev = c;
  }
  return parts;
}

// "\"a\\\"b\"" -> "a\"b"; anything that is not exactly one quoted string
// stays as it is.
std::string unquote(std::string_view value) {
  if (value.empty() || value.front() != '"')
    return std::string{value};
  std::string out;
  for (std::size_t i = 1; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"')
      return i + 1 == value.size() ? out : std::string{value};
    if (c == '\\' && i + 1 < value.size())
      c = value[++i];
    out.push_back(c);
  }
  return std::string{value};
}

// How Elixir's inspect/1 prints a list of strings: ["a", "b"].
std::string inspect(const std::vector<std::string_view>& parts) {
  std::string out = "[";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0)
      out.append(", ");
    out.push_back('"');
    for (char c : parts[i]) {
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\t': out.append("\\t"); break;
        case '\r': out.append("\\r"); break;
        default: out.push_back(c);
      }
    }
    out.push_back('"');
  }
  out.push_back(']');
  return out;
}

tl::expected<filter_condition, std::string> parse_segment(std::string_view segment) {
  auto trimmed = trim(segment);
  if (trimmed.empty())
    return tl::unexpected(std::string{wire::filter_error_empty_segment});
  auto eq = trimmed.find('=');
  if (eq == std::string_view::npos)
    return tl::unexpected(inspect({trimmed}));
  filter_condition c;
  c.column = std::string{trimmed.substr(0, eq)};
  auto rest = trimmed.substr(eq + 1);
  if (rest.substr(0, 4) == "not.") {
    c.negate = true;
    rest.remove_prefix(4);
  }
  auto dot = rest.find('.');
  if (dot == std::string_view::npos)
    return tl::unexpected(inspect({rest}));
  auto name = rest.substr(0, dot);
  auto value = rest.substr(dot + 1);
  auto op = op_from(name);
  if (!op)
    return tl::unexpected(inspect({name, value}));
  c.op = *op;
  if (c.op != filter_op::in) {
    c.value = unquote(value);
    return c;
  }
  if (value.size() < 2 || value.front() != '(' || value.back() != ')')
    return tl::unexpected(std::string{wire::filter_error_in_parentheses});
  c.value = "{" + std::string{value.substr(1, value.size() - 2)} + "}";
  return c;
}

} // namespace

tl::expected<std::vector<filter_condition>, std::string> parse_filter(std::string_view filter) {
  std::vector<filter_condition> out;
  auto trimmed = trim(filter);
  if (trimmed.empty())
    return out;
  for (const auto& segment : split_top_level(trimmed)) {
    auto parsed = parse_segment(segment);
    if (!parsed)
      return tl::unexpected(std::string{wire::filter_error_prefix} + parsed.error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

std::string_view to_string(filter_op op) noexcept {
  return op_names[static_cast<std::size_t>(op)];
}

} // namespace rt::replication
