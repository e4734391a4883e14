#include "rt/replication/are_to_re2.hpp"

#include <algorithm>
#include <vector>

#include "rt/replication/are_bracket.hpp"
#include "rt/replication/are_escape.hpp"
#include "rt/replication/re2_syntax.hpp"
#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

namespace {

using step = tl::expected<void, are_error>;

constexpr std::size_t largest_count = 255; // PostgreSQL's DUPMAX

bool is_ascii_letter(char c) { return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z'; }

// Digits from `s[j]` on as a count, saturating above any limit; advances `j`.
std::size_t read_count(std::string_view s, std::size_t& j) {
  std::size_t value = 0;
  for (; j < s.size() && is_digit(s[j]); ++j)
    value = std::min<std::size_t>(value * 10 + static_cast<std::size_t>(s[j] - '0'), 1'000'000);
  return value;
}

// Walks the pattern once, writing RE2 syntax to `out_`, and keeps for each
// open group its size with repetitions expanded.
class translator {
public:
  translator(std::string_view s, bool ignore_case, classification classes)
    : s_(s), ignore_case_(ignore_case), classes_(classes) {
    sizes_.push_back(0);
  }

  tl::expected<re2_translation, are_error> run() {
    if (auto ok = prefixes(); !ok)
      return tl::unexpected(ok.error());
    while (i_ < s_.size())
      if (auto ok = literal_ ? literal() : next(); !ok)
        return tl::unexpected(ok.error());
    if (sizes_.size() > 1)
      return invalid_are("parentheses () not balanced");
    // RE2 tries a match at every byte, and \B holds between two bytes of
    // one character; a match that starts after whole characters cannot
    // start there.
    if (non_boundary_)
      out_ = "^.*?(?:" + out_ + ")";
    return re2_translation{std::move(out_), ignore_case_ && classes_ == classification::unicode};
  }

private:
  // What the last thing read lets a quantifier after it do.
  enum class after { nothing, operand, quantifier, non_greedy_mark };

  bool fold_ascii() const { return ignore_case_ && classes_ == classification::ascii; }

  // The ***= and ***: directors, then embedded options such as (?i).
  step prefixes() {
    if (s_.size() > 3 && s_.substr(0, 3) == "***") {
      if (s_[3] == '=') {
        literal_ = true;
        i_ = 4;
        return {};
      }
      if (s_[3] == '?')
        return invalid_are("invalid regexp (reg version 0.8)");
      if (s_[3] != ':')
        return invalid_are("quantifier operand invalid");
      i_ = 4;
    }
    if (s_.size() - i_ >= 3 && s_[i_] == '(' && s_[i_ + 1] == '?' && is_ascii_letter(s_[i_ + 2]))
      return options();
    return {};
  }

  step options() {
    for (i_ += 2; i_ < s_.size() && is_ascii_letter(s_[i_]); ++i_) {
      switch (s_[i_]) {
        case 'c': ignore_case_ = false; break;
        case 'i': ignore_case_ = true; break;
        case 'q': literal_ = true; break;
        case 's': case 't': break; // the defaults
        case 'm': case 'n': case 'p': case 'w':
          return unsupported_are("newline-sensitive matching (the embedded options m, n, p and w) "
                                 "is not supported");
        case 'x':
          return unsupported_are("expanded syntax (the embedded option x) is not supported");
        case 'b': case 'e':
          return unsupported_are("POSIX basic or extended syntax (the embedded options b and e) "
                                 "is not supported");
        default: return invalid_are("invalid embedded option");
      }
    }
    if (i_ == s_.size() || s_[i_] != ')')
      return invalid_are("invalid embedded option");
    ++i_;
    return {};
  }

  // One character of a ***= or (?q) pattern.
  step literal() {
    auto ch = decode_utf8(s_, i_);
    if (ch.length == 0)
      return invalid_utf8();
    i_ += ch.length;
    append_character(ch.value);
    return add(1);
  }

  step next() {
    char c = s_[i_];
    switch (c) {
      case '\\': return escape();
      case '[': return bracket();
      case '(': return open_group();
      case ')': return close_group();
      case '{': return brace();
      case '*': case '+': case '?': return simple_quantifier(c);
      case '|':
        out_ += c;
        ++i_;
        last_ = 0;
        after_ = after::nothing;
        return {};
      case '^': case '$':
        out_ += c;
        ++i_;
        return constraint();
      case '.':
        out_ += c;
        ++i_;
        return add(1);
      default: return literal();
    }
  }

  void append_character(char32_t c) {
    if (c > max_code_point) {
      out_ += re2_no_character;
    } else if (fold_ascii() && c < 0x80 && is_ascii_letter(static_cast<char>(c))) {
      auto lower = static_cast<char>(c | 0x20);
      ((out_ += '[') += lower) += static_cast<char>(lower - 'a' + 'A');
      out_ += ']';
    } else {
      append_re2_char(out_, c);
    }
  }

  // An atom or a closed group of `size` after the parts of the open group.
  step add(std::size_t size) {
    last_ = size;
    after_ = after::operand;
    return grow(size);
  }

  // An anchor or another constraint: no width, nothing to repeat.
  step constraint() {
    last_ = 0;
    after_ = after::nothing;
    return {};
  }

  // A group only grows, and so does every group around it by at least as
  // much, so the first group past the limit refuses the pattern.
  step grow(std::size_t size) {
    sizes_.back() += size;
    if (sizes_.back() > max_regex_size)
      return unsupported_are("patterns larger than " + std::to_string(max_regex_size) +
                             " once repetitions are expanded (each character, escape, bracket "
                             "or dot counted once per copy: a{3} is 3, (ab){3}c is 7) are refused");
    return {};
  }

  step can_repeat() const {
    if (after_ == after::operand)
      return {};
    if (after_ == after::nothing)
      return invalid_are("quantifier operand invalid");
    return unsupported_are("a quantifier right after another, as in a** or a{2}{3}, is invalid "
                           "(quantifier operand invalid)");
  }

  step repeat(std::size_t count) {
    after_ = after::quantifier;
    auto copies = std::max<std::size_t>(count, 1);
    auto added = last_ * (copies - 1);
    last_ *= copies;
    return grow(added);
  }

  step simple_quantifier(char c) {
    if (c == '?' && after_ == after::quantifier) {
      out_ += c; // ARE's non-greedy mark, which RE2 reads alike
      ++i_;
      after_ = after::non_greedy_mark;
      return {};
    }
    if (auto ok = can_repeat(); !ok)
      return ok;
    out_ += c;
    ++i_;
    return repeat(1);
  }

  step escape() {
    auto e = read_escape(s_, i_, groups_);
    if (!e)
      return tl::unexpected(e.error());
    i_ += e->length;
    switch (e->what) {
      case are_escape::kind::character: append_character(e->value); return add(1);
      case are_escape::kind::class_shorthand: shorthand(e->letter); return add(1);
      case are_escape::kind::back_reference:
        return unsupported_are("back-references (\\1 to \\9) are refused: matching them can take "
                               "exponential time");
      case are_escape::kind::constraint: break;
    }
    switch (e->letter) {
      case 'A': out_ += "\\A"; break;
      case 'Z': out_ += "\\z"; break;
      case 'y': out_ += "\\b"; break;
      case 'Y':
        out_ += "\\B";
        non_boundary_ = true;
        break;
      default: return word_edge();
    }
    return constraint();
  }

  // \d \s \w and their complements \D \S \W.
  void shorthand(char letter) {
    bool complement = letter >= 'A' && letter <= 'Z';
    out_ += complement ? "[^" : "[";
    (out_ += class_members(shorthand_class(letter), classes_)) += ']';
  }

  static tl::unexpected<are_error> word_edge() {
    return lacking_in_re2("a word start or end constraint (\\m, \\M, [[:<:]] or [[:>:]])");
  }

  step bracket() {
    auto rest = s_.substr(i_);
    if (rest.starts_with("[[:<:]]") || rest.starts_with("[[:>:]]"))
      return word_edge();
    auto b = translate_bracket(s_, i_, {classes_, ignore_case_, fold_ascii(), groups_});
    if (!b)
      return tl::unexpected(b.error());
    out_ += b->re2;
    i_ += b->length;
    return add(1);
  }

  step open_group() {
    if (i_ + 1 < s_.size() && s_[i_ + 1] == '?')
      return special_group();
    ++groups_;
    out_ += '(';
    ++i_;
    push();
    return {};
  }

  void push() {
    sizes_.push_back(0);
    last_ = 0;
    after_ = after::nothing;
  }

  // (?:...), (?#comment) or a lookaround.
  step special_group() {
    auto kind = s_.substr(i_ + 2, 2);
    if (kind.starts_with(':')) {
      out_ += "(?:";
      i_ += 3;
      push();
      return {};
    }
    if (kind.starts_with('#')) {
      auto close = s_.find(')', i_ + 3);
      i_ = close == std::string_view::npos ? s_.size() : close + 1;
      return {};
    }
    if (kind.starts_with('=') || kind.starts_with('!') || kind == "<=" || kind == "<!")
      return lacking_in_re2("a lookahead or lookbehind constraint ((?=, (?!, (?<= or (?<!)");
    return invalid_are("quantifier operand invalid");
  }

  step close_group() {
    if (sizes_.size() == 1)
      return invalid_are("parentheses () not balanced");
    out_ += ')';
    ++i_;
    auto group = sizes_.back();
    sizes_.pop_back();
    return add(group);
  }

  // {m}, {m,} or {m,n} repeat; another `{` is a literal.
  step brace() {
    std::size_t j = i_ + 1;
    if (j == s_.size() || !is_digit(s_[j])) {
      append_character('{');
      ++i_;
      return add(1);
    }
    auto low = read_count(s_, j);
    auto high = low; // {m,} counts m
    auto bound = "{" + std::to_string(low);
    if (j < s_.size() && s_[j] == ',') {
      bound += ',';
      if (++j < s_.size() && is_digit(s_[j])) {
        high = read_count(s_, j);
        bound += std::to_string(high);
        if (high < low)
          return invalid_are("invalid repetition count(s)");
      }
    }
    if (j == s_.size())
      return invalid_are("braces {} not balanced");
    if (s_[j] != '}')
      return invalid_are("invalid repetition count(s)");
    if (auto ok = can_repeat(); !ok)
      return ok;
    i_ = j + 1;
    out_ += bound + "}";
    auto copies = high;
    if (auto ok = repeat(copies); !ok)
      return ok;
    if (copies > largest_count)
      return invalid_are("invalid repetition count(s)");
    return {};
  }

  std::string_view s_;
  bool ignore_case_;
  classification classes_;
  bool literal_ = false; // after ***= or (?q): every character stands for itself
  std::size_t i_ = 0;
  std::string out_;
  std::vector<std::size_t> sizes_; // per open group, the root first
  std::size_t last_ = 0;           // size of what a quantifier would repeat
  after after_ = after::nothing;
  std::size_t groups_ = 0; // capturing groups opened so far
  bool non_boundary_ = false; // \Y written as \B
};

} // namespace

tl::expected<re2_translation, are_error> are_to_re2(std::string_view pattern, bool ignore_case,
                                                    classification classes) {
  if (pattern.size() > max_regex_bytes)
    return unsupported_are("patterns longer than " + std::to_string(max_regex_bytes) +
                           " bytes are refused");
  return translator{pattern, ignore_case, classes}.run();
}

} // namespace rt::replication::detail
