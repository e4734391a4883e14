#pragma once

// A small pretty-printing JSON writer for the result object: members appear
// in the order they are written, two-space indentation, no DOM.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// Builds one JSON document as text.
class json_writer {
public:
  /// Opens an object: the document itself (empty key at top level), a member
  /// (with `key`) or an array element (empty key inside an array).
  void begin_object(std::string_view key = {});
  void end_object();

  /// Opens / closes an array, like `begin_object`.
  void begin_array(std::string_view key = {});
  void end_array();

  /// Writes a member (in an object) or element (in an array, empty key).
  void value(std::string_view key, std::string_view text);
  void value(std::string_view key, const char* text) { value(key, std::string_view{text}); }
  void value(std::string_view key, double number);
  void value(std::string_view key, std::int64_t number);
  void value(std::string_view key, std::uint64_t number);
  void value(std::string_view key, int number) { value(key, std::int64_t{number}); }
  void value(std::string_view key, bool flag);

  /// The document so far, with a final newline once the top level is closed.
  [[nodiscard]] const std::string& text() const noexcept { return out_; }

private:
  void open(std::string_view key, char bracket);
  void close(char bracket);
  void prefix(std::string_view key);

  std::string out_;
  std::vector<bool> first_; // one per open container: nothing written yet
};

} // namespace bench
