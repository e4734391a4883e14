#include "json_writer.hpp"

#include <cmath>
#include <cstdio>

#include "rt/protocol/json_text.hpp"

namespace bench {

void json_writer::prefix(std::string_view key) {
  if (!first_.empty()) {
    out_ += first_.back() ? "\n" : ",\n";
    first_.back() = false;
    out_.append(first_.size() * 2, ' ');
  }
  if (!key.empty()) {
    rt::protocol::append_json_string(out_, key);
    out_ += ": ";
  }
}

void json_writer::open(std::string_view key, char bracket) {
  prefix(key);
  out_ += bracket;
  first_.push_back(true);
}

void json_writer::close(char bracket) {
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) {
    out_ += '\n';
    out_.append(first_.size() * 2, ' ');
  }
  out_ += bracket;
  if (first_.empty())
    out_ += '\n';
}

void json_writer::begin_object(std::string_view key) { open(key, '{'); }
void json_writer::end_object() { close('}'); }
void json_writer::begin_array(std::string_view key) { open(key, '['); }
void json_writer::end_array() { close(']'); }

void json_writer::value(std::string_view key, std::string_view text) {
  prefix(key);
  rt::protocol::append_json_string(out_, text);
}

void json_writer::value(std::string_view key, double number) {
  prefix(key);
  if (!std::isfinite(number)) {
    out_ += "null";
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", number);
  // Keep large figures exact to the unit (e.g. deliveries/s).
  if (std::fabs(number) >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f", number);
  out_ += buf;
}

void json_writer::value(std::string_view key, std::int64_t number) {
  prefix(key);
  out_ += std::to_string(number);
}

void json_writer::value(std::string_view key, std::uint64_t number) {
  prefix(key);
  out_ += std::to_string(number);
}

void json_writer::value(std::string_view key, bool flag) {
  prefix(key);
  out_ += flag ? "true" : "false";
}

} // namespace bench
