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

// Walks the pattern once, copying it to `out` with the rewrites, and keeps
// for each open group the largest number of copies of one atom inside it.
class translator {
public:
  explicit translator(std::string_view s) : s_(s) { widest_.push_back(1); }

  tl::expected<std::string, std::string> run() {
    if (s_.substr(0, 3) == "***")
      return are_only("a *** director");
    while (i_ < s_.size())
      if (auto ok = next(); !ok)
        return tl::unexpected(ok.error());
    return std::move(out_);
  }

private:
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
        last_atom_ = 0;
        after_quantifier_ = false;
        return {};
      default:
        copy(1);
        atom(1);
        return {};
    }
  }

  void copy(std::size_t n) {
    out_.append(s_.substr(i_, n));
    i_ += n;
  }

  void atom(std::size_t weight) {
    last_atom_ = weight;
    widest_.back() = std::max(widest_.back(), weight);
    after_quantifier_ = false;
  }

  step repeat(std::size_t count) {
    auto weight = std::max<std::size_t>(last_atom_, 1) * std::max<std::size_t>(count, 1);
    if (count > max_regex_repetition || weight > max_regex_repetition)
      return tl::unexpected("repetition counts above " + std::to_string(max_regex_repetition) +
                            ", alone or multiplied through nested repetitions, are refused");
    atom(weight);
    after_quantifier_ = true;
    return {};
  }

  step simple_quantifier(char c) {
    if (c == '?' && after_quantifier_) {
      ++i_; // ARE's non-greedy mark
      after_quantifier_ = false;
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
    atom(1);
    return {};
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
    atom(1);
    return {};
  }

  step open_group() {
    if (i_ + 1 < s_.size() && s_[i_ + 1] == '?')
      return are_only("a (? group or option");
    copy(1);
    widest_.push_back(1);
    last_atom_ = 0;
    after_quantifier_ = false;
    return {};
  }

  step close_group() {
    copy(1);
    if (widest_.size() == 1) { // unmatched: a literal for glibc
      atom(1);
      return {};
    }
    auto group = widest_.back();
    widest_.pop_back();
    atom(group);
    return {};
  }

  // {m}, {m,} or {m,n} repeat; another `{` is a literal in ARE, while ERE
  // would read {,n} as a bound or refuse the rest.
  step brace() {
    std::size_t j = i_ + 1;
    if (j == s_.size() || !is_digit(s_[j])) {
      out_.append("\\{");
      ++i_;
      atom(1);
      return {};
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
  std::vector<std::size_t> widest_; // per open group, the root first
  std::size_t last_atom_ = 0;       // copies of the atom a quantifier would repeat
  bool after_quantifier_ = false;
};

} // namespace

tl::expected<std::string, std::string> are_to_ere(std::string_view pattern) {
  if (pattern.size() > max_regex_bytes)
    return tl::unexpected("patterns longer than " + std::to_string(max_regex_bytes) +
                          " bytes are refused");
  return translator{pattern}.run();
}

} // namespace rt::replication::detail
