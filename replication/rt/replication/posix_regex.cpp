#include "rt/replication/posix_regex.hpp"

#include <limits>

namespace rt::replication::detail {

posix_regex::~posix_regex() {
  if (compiled_)
    regfree(&re_);
}

tl::expected<std::shared_ptr<const posix_regex>, std::string>
posix_regex::compile(const std::string& pattern, bool icase, const std::string& collation) {
  std::shared_ptr<posix_regex> handle{new posix_regex};
  handle->ctype_ = ctype_locale(collation);
  scoped_locale in_locale{handle->ctype_};
  int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
  if (int rc = regcomp(&handle->re_, pattern.c_str(), flags); rc != 0) {
    char message[256];
    regerror(rc, &handle->re_, message, sizeof message);
    return tl::unexpected(std::string{message});
  }
  handle->compiled_ = true;
  return handle;
}

// REG_STARTEND bounds the search by rm_so/rm_eo instead of a terminating
// NUL; with REG_NOSUB nothing is written back.
std::optional<bool> posix_regex::search(std::string_view text) const {
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<regoff_t>::max()))
    return std::nullopt;
  regmatch_t bounds[1];
  bounds[0].rm_so = 0;
  bounds[0].rm_eo = static_cast<regoff_t>(text.size());
  const char* start = text.empty() ? "" : text.data();
  scoped_locale in_locale{ctype_};
  int rc = regexec(&re_, start, 1, bounds, REG_STARTEND);
  if (rc == 0)
    return true;
  if (rc == REG_NOMATCH)
    return false;
  return std::nullopt;
}

} // namespace rt::replication::detail
