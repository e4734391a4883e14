#include "rt/db/inspect_algebra.hpp"

#include <vector>

namespace rt::db::algebra {

namespace {

doc make(doc_kind kind, std::string text, int indent, doc first, doc second) {
  return std::make_shared<const doc_node>(
    doc_node{kind, std::move(text), indent, std::move(first), std::move(second)});
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

} // namespace

doc text(std::string s) { return make(doc_kind::text, std::move(s), 0, nullptr, nullptr); }
doc cons(doc a, doc b) { return make(doc_kind::cons, {}, 0, std::move(a), std::move(b)); }
doc nest(doc d, int indent) { return make(doc_kind::nest, {}, indent, std::move(d), nullptr); }
doc group(doc d) { return make(doc_kind::group, {}, 0, std::move(d), nullptr); }
doc strict_break(std::string s) { return make(doc_kind::strict_break, std::move(s), 0, nullptr, nullptr); }
doc flex_break(std::string s) { return make(doc_kind::flex_break, std::move(s), 0, nullptr, nullptr); }
doc glue(doc a, std::string s, doc b) { return cons(std::move(a), cons(strict_break(std::move(s)), std::move(b))); }
doc flex_glue(doc a, doc b) { return cons(std::move(a), cons(flex_break(" "), std::move(b))); }

bool is_simple(const doc& d) {
  if (d->kind == doc_kind::text)
    return true;
  return d->kind == doc_kind::cons && is_simple(d->first) && is_simple(d->second);
}

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

} // namespace rt::db::algebra
