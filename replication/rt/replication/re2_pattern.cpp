#include "rt/replication/re2_pattern.hpp"

#include <re2/re2.h>

namespace rt::replication::detail {

re2_pattern::re2_pattern(std::unique_ptr<const re2::RE2> re) : re_(std::move(re)) {}

re2_pattern::~re2_pattern() = default;

tl::expected<std::shared_ptr<const re2_pattern>, re2_pattern::error>
re2_pattern::compile(std::string_view pattern, bool fold_case) {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  options.set_dot_nl(true);
  options.set_never_capture(true);
  options.set_case_sensitive(!fold_case);
  options.set_max_mem(max_memory);
  options.set_log_errors(false);
  auto re = std::make_unique<const re2::RE2>(re2::StringPiece{pattern.data(), pattern.size()},
                                             options);
  if (!re->ok())
    return tl::unexpected(error{re->error_code() == re2::RE2::ErrorPatternTooLarge, re->error()});
  return std::shared_ptr<const re2_pattern>{new re2_pattern{std::move(re)}};
}

bool re2_pattern::search(std::string_view text) const {
  return re2::RE2::PartialMatch(re2::StringPiece{text.data(), text.size()}, *re_);
}

} // namespace rt::replication::detail
