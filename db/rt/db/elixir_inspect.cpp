#include "rt/db/elixir_inspect.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "rt/db/inspect_algebra.hpp"
#include "rt/protocol/elixir_string.hpp"

namespace rt::db {

namespace {

using namespace algebra;
using replication::filter_condition;

constexpr int inspect_width = 80;
constexpr int inspect_limit = 100;

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
  if (protocol::elixir_printable(s))
    return text(protocol::elixir_quoted(s));
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

} // namespace

std::string inspect_strings(const std::vector<std::string>& items) {
  return inspect_list(items, &name_doc);
}

std::string inspect_filters(const std::vector<filter_condition>& filters) {
  return inspect_list(filters, &filter_doc);
}

} // namespace rt::db
