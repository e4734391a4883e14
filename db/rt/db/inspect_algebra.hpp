#pragma once

// A small copy of Elixir's Inspect.Algebra (Elixir 1.19): documents made of
// texts, nesting, groups, strict and flex breaks, and their rendering to a
// width. Pure.

#include <memory>
#include <string>

namespace rt::db::algebra {

struct doc_node;
/// An immutable document; sub-documents may be shared.
using doc = std::shared_ptr<const doc_node>;

enum class doc_kind { text, cons, nest, strict_break, flex_break, group };

struct doc_node {
  doc_kind kind;
  /// A text's content, or a break's text when it does not break.
  std::string text;
  /// A nest's extra indentation.
  int indent = 0;
  /// cons: both parts; nest and group: the content in `first`.
  doc first, second;
};

/// The text `s` (no newlines).
[[nodiscard]] doc text(std::string s);
/// `a` followed by `b`.
[[nodiscard]] doc cons(doc a, doc b);
/// `d` with breaks inside it indented by `indent` more columns.
[[nodiscard]] doc nest(doc d, int indent);
/// `d` laid out flat if it fits, its strict breaks all broken otherwise.
[[nodiscard]] doc group(doc d);
/// A break shown as `s` when its group is flat, a newline otherwise.
[[nodiscard]] doc strict_break(std::string s);
/// A break shown as `s` unless what follows up to the next break would not
/// fit, whatever its group does.
[[nodiscard]] doc flex_break(std::string s);
/// a <strict_break(s)> b.
[[nodiscard]] doc glue(doc a, std::string s, doc b);
/// a <flex_break(" ")> b.
[[nodiscard]] doc flex_glue(doc a, doc b);

/// True for texts and concatenations of texts only (Inspect.Algebra's
/// simple?/1).
[[nodiscard]] bool is_simple(const doc& d);

/// Inspect.Algebra.format/2: `d` laid out in `width` columns.
[[nodiscard]] std::string render(const doc& d, int width);

} // namespace rt::db::algebra
