#include "rt/replication/are_to_ere.hpp"

#include <algorithm>
#include <vector>

#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

namespace {

using step = tl::expected<void, std::string>;

tl::unexpected<std::string> are_only(std::string_view construct) {
  return tl::unexpected(std::string{construct} + " is PostgreSQL ARE syntax that POSIX ERE lacks");
}

// Digits from `s[j]` on as a count, saturating above any limit; advances `j`.
std::size_t read_count(std::string_view s, std::size_t& j) {
  std::size_t value = 0;
  for (; j < s.size() && is_digit(s[j]); ++j)
    value = std::min<std::size_t>(value * 10 + static_cast<std::size_t>(s[j] - '0'), 1'000'000);
  return value;
}

// Lead byte and continuation bytes of one UTF-8 character from `s[i]` on.
std::size_t character_length(std::string_view s, std::size_t i) {
  std::size_t n = 1;
  if (static_cast<unsigned char>(s[i]) >= 0xC0)
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80)
      ++n;
  return n;
}

// Walks the pattern once, copying it to `out` with the rewrites, and keeps
// for each open group its size with repetitions expanded.
class translator {
public:
  explicit translator(std::string_view s) : s_(s) { sizes_.push_back(0); }

  tl::expected<std::string, std::string> run() {
    if (s_.substr(0, 3) == "***")
      return are_only("a *** director");
    while (i_ < s_.size())
      if (auto ok = next(); !ok)
        return tl::unexpected(ok.error());
    return std::move(out_);
  }

private:
  // What the last thing read lets a quantifier after it do.
  enum class after { operand, quantifier, non_greedy_mark };

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
        copy(1);
        last_ = 0;
        after_ = after::operand;
        return {};
      case '^': case '$': // anchors: no character to repeat
        copy(1);
        return add(0);
      default:
        copy(character_length(s_, i_));
        return add(1);
    }
  }

  void copy(std::size_t n) {
    out_.append(s_.substr(i_, n));
    i_ += n;
  }

  // An atom or a closed group of `size` after the parts of the open group.
  step add(std::size_t size) {
    last_ = size;
    after_ = after::operand;
    return grow(size);
  }

  // A group only grows, and so does every group around it by at least as
  // much, so the first group past the limit refuses the pattern.
  step grow(std::size_t size) {
    sizes_.back() += size;
    if (sizes_.back() > max_regex_size)
      return tl::unexpected("patterns larger than " + std::to_string(max_regex_size) +
                            " once repetitions are expanded (each character, escape, bracket or "
                            "dot counted once per copy: a{3} is 3, (ab){3}c is 7) are refused");
    return {};
  }

  step repeat(std::size_t count) {
    if (after_ != after::operand)
      return tl::unexpected(std::string{"a quantifier right after another, as in a** or a{2}{3}, "
                                        "is invalid (quantifier operand invalid)"});
    after_ = after::quantifier;
    auto copies = std::max<std::size_t>(count, 1);
    auto added = last_ * (copies - 1);
    last_ *= copies;
    return grow(added);
  }

  step simple_quantifier(char c) {
    if (c == '?' && after_ == after::quantifier) {
      ++i_; // ARE's non-greedy mark
      after_ = after::non_greedy_mark;
      return {};
    }
    copy(1);
    return repeat(1);
  }

  step escape() {
    if (i_ + 1 == s_.size()) {
      copy(1);
      return {};
    }
    char next = s_[i_ + 1];
    if (next >= '1' && next <= '9')
      return tl::unexpected(std::string{"back-references (\\1 to \\9) are refused: matching "
                                        "them can take exponential time"});
    bool letter = ascii_lower(next) >= 'a' && ascii_lower(next) <= 'z';
    if (letter || is_digit(next) || next == '<' || next == '>' || next == '`' || next == '\'')
      return are_only("an escape such as \\d, \\w, \\m or \\<");
    copy(2);
    return add(1);
  }

  // A backslash inside brackets is an escape in ARE but a literal in ERE.
  step bracket() {
    std::size_t j = i_ + 1;
    if (j < s_.size() && s_[j] == '^')
      ++j;
    if (j < s_.size() && s_[j] == ']')
      ++j;
    for (; j < s_.size() && s_[j] != ']'; ++j) {
      if (s_[j] == '\\')
        return are_only("a backslash inside a bracket expression");
      bool inner = j + 1 < s_.size() && (s_[j + 1] == ':' || s_[j + 1] == '.' || s_[j + 1] == '=');
      if (s_[j] == '[' && inner) {
        auto close = s_.find(std::string{s_[j + 1], ']'}, j + 2);
        if (close == std::string_view::npos) {
          j = s_.size(); // regcomp rejects the rest
          break;
        }
        j = close + 1;
      }
    }
    copy(std::min(j + 1, s_.size()) - i_); // unterminated: regcomp rejects it
    return add(1);
  }

  step open_group() {
    if (i_ + 1 < s_.size() && s_[i_ + 1] == '?')
      return are_only("a (? group or option");
    copy(1);
    sizes_.push_back(0);
    last_ = 0;
    after_ = after::operand;
    return {};
  }

  step close_group() {
    copy(1);
    if (sizes_.size() == 1) // unmatched: a literal for glibc
      return add(1);
    auto group = sizes_.back();
    sizes_.pop_back();
    return add(group);
  }

  // {m}, {m,} or {m,n} repeat; another `{` is a literal in ARE, while ERE
  // would read {,n} as a bound or refuse the rest.
  step brace() {
    std::size_t j = i_ + 1;
    if (j == s_.size() || !is_digit(s_[j])) {
      out_.append("\\{");
      ++i_;
      return add(1);
    }
    auto low = read_count(s_, j);
    auto high = low;
    if (j < s_.size() && s_[j] == ',') {
      ++j;
      if (j < s_.size() && is_digit(s_[j]))
        high = std::max(low, read_count(s_, j));
    }
    if (j == s_.size() || s_[j] != '}') {
      copy(1); // malformed: regcomp rejects it
      return {};
    }
    copy(j + 1 - i_);
    return repeat(high);
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string out_;
  std::vector<std::size_t> sizes_; // per open group, the root first
  std::size_t last_ = 0;           // size of what a quantifier would repeat
  after after_ = after::operand;
};

} // namespace

tl::expected<std::string, std::string> are_to_ere(std::string_view pattern) {
  if (pattern.size() > max_regex_bytes)
    return tl::unexpected("patterns longer than " + std::to_string(max_regex_bytes) +
                          " bytes are refused");
  return translator{pattern}.run();
}

} // namespace rt::replication::detail
