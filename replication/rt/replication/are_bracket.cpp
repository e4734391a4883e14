#include "rt/replication/are_bracket.hpp"

#include <algorithm>
#include <vector>

#include "rt/replication/are_escape.hpp"
#include "rt/replication/re2_syntax.hpp"

namespace rt::replication::detail {

namespace {

tl::unexpected<are_error> unbalanced() { return invalid_are("brackets [] not balanced"); }

tl::unexpected<are_error> bad_range() { return invalid_are("invalid character range"); }

// One thing a bracket expression lists.
struct element {
  enum class kind { character, equivalence, members, complement };
  kind what = kind::character;
  char32_t c = 0;           // character, equivalence
  std::string_view members; // members, complement
};

class bracket_reader {
public:
  bracket_reader(std::string_view s, std::size_t at, const bracket_context& context)
    : s_(s), start_(at), i_(at + 1), context_(context) {}

  tl::expected<translated_bracket, are_error> run() {
    if (i_ < s_.size() && s_[i_] == '^') {
      negated_ = true;
      ++i_;
    }
    for (bool first = true;; first = false) {
      if (i_ >= s_.size())
        return unbalanced();
      if (s_[i_] == ']' && !first)
        break;
      if (auto ok = item(first); !ok)
        return tl::unexpected(ok.error());
    }
    ++i_;
    if (negated_ && !complements_.empty())
      return lacking_in_re2("\\W inside a negated bracket expression (as in [^\\W_]) under a "
                            "collation other than C");
    return translated_bracket{result(), i_ - start_};
  }

private:
  // An element, or a range of two.
  tl::expected<void, are_error> item(bool first) {
    bool dash_is_literal = first || (i_ + 1 < s_.size() && s_[i_ + 1] == ']');
    if (s_[i_] == '-' && !dash_is_literal)
      return bad_range(); // right after a range or class, as in [a-c-e]
    auto low = read_element();
    if (!low)
      return tl::unexpected(low.error());
    bool range = i_ + 1 < s_.size() && s_[i_] == '-' && s_[i_ + 1] != ']';
    if (!range) {
      add(*low);
      return {};
    }
    ++i_;
    auto high = read_element();
    if (!high)
      return tl::unexpected(high.error());
    if (low->what != element::kind::character || high->what != element::kind::character ||
        low->c > high->c)
      return bad_range();
    add_range(low->c, high->c);
    return {};
  }

  tl::expected<element, are_error> read_element() {
    if (i_ >= s_.size())
      return unbalanced();
    char c = s_[i_];
    char after = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    if (c == '[' && (after == ':' || after == '.' || after == '='))
      return bracketed_name(after);
    if (c == '\\')
      return escape();
    auto ch = decode_utf8(s_, i_);
    if (ch.length == 0)
      return invalid_utf8();
    i_ += ch.length;
    return element{element::kind::character, ch.value, {}};
  }

  // [:class:], [.element.] or [=equivalence class=].
  tl::expected<element, are_error> bracketed_name(char delimiter) {
    auto name_start = i_ + 2;
    auto close = s_.find(std::string{delimiter, ']'}, name_start);
    if (close == std::string_view::npos)
      return unbalanced();
    auto name = s_.substr(name_start, close - name_start);
    i_ = close + 2;
    if (delimiter == ':') {
      auto cls = class_named(name);
      if (!cls)
        return invalid_are("invalid character class");
      return element{element::kind::members, 0, members_of(*cls)};
    }
    if (name.empty())
      return invalid_are("invalid collating element");
    auto ch = decode_utf8(name, 0);
    if (ch.length == 0)
      return invalid_utf8();
    if (ch.length != name.size())
      return lacking_in_re2(
        "a collating element named by several characters (as in [[.hyphen.]])");
    return element{delimiter == '.' ? element::kind::character : element::kind::equivalence,
                   ch.value, {}};
  }

  tl::expected<element, are_error> escape() {
    auto e = read_escape(s_, i_, context_.groups);
    if (!e)
      return tl::unexpected(e.error());
    i_ += e->length;
    if (e->what == are_escape::kind::character)
      return element{element::kind::character, e->value, {}};
    if (e->what != are_escape::kind::class_shorthand)
      return invalid_are("invalid escape \\ sequence");
    auto cls = shorthand_class(e->letter);
    if (e->letter >= 'a' && e->letter <= 'z')
      return element{element::kind::members, 0, members_of(cls)};
    if (auto outside = class_complement(cls, context_.classes))
      return element{element::kind::members, 0, *outside};
    return element{element::kind::complement, 0, members_of(cls)};
  }

  std::string_view members_of(char_class c) const {
    if (context_.ignore_case && (c == char_class::lower || c == char_class::upper))
      c = char_class::alpha;
    return class_members(c, context_.classes);
  }

  void add(const element& e) {
    switch (e.what) {
      case element::kind::character:
      case element::kind::equivalence: add_range(e.c, e.c); break;
      case element::kind::members: positive_ += e.members; break;
      case element::kind::complement: complements_.push_back(e.members); break;
    }
  }

  // Characters past max_code_point (from escapes) match nothing.
  void add_range(char32_t low, char32_t high) {
    if (low > max_code_point)
      return;
    high = std::min(high, max_code_point);
    append_range(low, high);
    if (!context_.fold_ascii)
      return;
    auto other_case = [&](char32_t from, char32_t to, char32_t shift_to) {
      auto lo = std::max(low, from);
      auto hi = std::min(high, to);
      if (lo <= hi)
        append_range(lo - from + shift_to, hi - from + shift_to);
    };
    other_case('a', 'z', 'A');
    other_case('A', 'Z', 'a');
  }

  void append_range(char32_t low, char32_t high) {
    append_re2_char(positive_, low);
    if (high != low) {
      positive_ += '-';
      append_re2_char(positive_, high);
    }
  }

  std::string result() const {
    if (complements_.empty()) {
      if (positive_.empty())
        return std::string{negated_ ? re2_any_character : re2_no_character};
      return (negated_ ? "[^" : "[") + positive_ + "]";
    }
    std::string out = "(?:";
    if (!positive_.empty())
      out += "[" + positive_ + "]|";
    for (auto members : complements_)
      ((out += "[^") += members) += "]|";
    out.back() = ')';
    return out;
  }

  std::string_view s_;
  std::size_t start_;
  std::size_t i_;
  const bracket_context& context_;
  bool negated_ = false;
  std::string positive_;                      // RE2 bracket contents
  std::vector<std::string_view> complements_; // unicode \W: members to negate
};

} // namespace

tl::expected<translated_bracket, are_error>
translate_bracket(std::string_view pattern, std::size_t at, const bracket_context& context) {
  return bracket_reader{pattern, at, context}.run();
}

} // namespace rt::replication::detail
