#include "rt/replication/like_pattern.hpp"

#include <wctype.h>

namespace rt::replication::detail {

namespace {

struct utf8_char {
  char32_t c = 0;
  std::size_t size = 1;
};

// The character starting at `s[i]` (i < s.size()). A byte that starts no
// valid sequence becomes a value above U+10FFFF of one byte, so that it
// still only equals itself.
utf8_char decode_at(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b < 0x80         ? 1
                    : (b >> 5) == 6  ? 2
                    : (b >> 4) == 14 ? 3
                    : (b >> 3) == 30 ? 4
                                     : 0;
  char32_t c = len == 1 ? b : len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
  bool ok = len != 0 && i + len <= s.size();
  for (std::size_t k = 1; ok && k < len; ++k) {
    auto cont = static_cast<unsigned char>(s[i + k]);
    ok = (cont & 0xc0) == 0x80;
    c = (c << 6) | (cont & 0x3f);
  }
  if (!ok)
    return {static_cast<char32_t>(0x110000 + b), 1};
  return {c, len};
}

} // namespace

case_fold case_fold::in_locale(shared_locale locale) {
  if (!locale)
    return ascii();
  return case_fold{mode::locale, std::move(locale)};
}

char32_t case_fold::operator()(char32_t c) const noexcept {
  switch (mode_) {
    case mode::none: return c;
    case mode::ascii: return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    case mode::locale: break;
  }
  if (c > 0x10ffff)
    return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), locale_->get()));
}

tl::expected<like_pattern, std::string> like_pattern::compile(std::string_view pattern,
                                                              case_fold fold) {
  like_pattern out{std::move(fold)};
  auto& tokens = out.tokens_;
  for (std::size_t i = 0; i < pattern.size();) {
    auto ch = decode_at(pattern, i);
    i += ch.size;
    if (ch.c == '%') {
      if (tokens.empty() || tokens.back().k != token::kind::any)
        tokens.push_back({token::kind::any, 0});
    } else if (ch.c == '_') {
      tokens.push_back({token::kind::one, 0});
    } else {
      if (ch.c == '\\') {
        if (i == pattern.size())
          return tl::unexpected(std::string{"LIKE pattern must not end with escape character"});
        ch = decode_at(pattern, i);
        i += ch.size;
      }
      tokens.push_back({token::kind::literal, out.fold_(ch.c)});
    }
  }
  return out;
}

// On a mismatch after `%`, the `%` takes one more character and matching
// resumes after it. Positions are byte offsets into `text`.
bool like_pattern::matches(std::string_view text) const {
  std::size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    auto ch = decode_at(text, t);
    bool fits = p < tokens_.size() &&
                (tokens_[p].k == token::kind::one ||
                 (tokens_[p].k == token::kind::literal && tokens_[p].c == fold_(ch.c)));
    if (fits) {
      ++p;
      t += ch.size;
    } else if (p < tokens_.size() && tokens_[p].k == token::kind::any) {
      star = p++;
      resume = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      resume += decode_at(text, resume).size;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < tokens_.size() && tokens_[p].k == token::kind::any)
    ++p;
  return p == tokens_.size();
}

} // namespace rt::replication::detail
