#include "rt/presence/wire_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <set>
#include <utility>
#include <variant>

#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>

namespace rt::presence {

namespace {

enum class kind : unsigned char { version_vector = 1, delta = 2, causal_state = 3 };

// Fewest bytes one item of each counted sequence can take, so that a count
// the remaining input cannot hold is refused before anything is built.
constexpr std::size_t min_vector_entry = 3; // node length, vsn, clock
constexpr std::size_t min_cloud_entry = 3;  // node length, vsn, clock count
constexpr std::size_t min_clock = 1;
constexpr std::size_t min_value_group = 3;  // node length, vsn, value count
constexpr std::size_t min_value = 7; // clock, 3 lengths, owner, "{}"

// Rough sizes for reserving the output; metas are guessed, not serialized.
constexpr std::size_t guessed_bytes_per_meta_field = 32;

std::size_t size_hint(const replica_ref& r) {
  return r.node.size() + 6;
}

std::size_t size_hint(const version_vector& v) {
  std::size_t n = 2;
  for (const auto& [r, clock] : v)
    n += size_hint(r) + 4;
  return n;
}

std::size_t size_hint(const dot_clouds& clouds) {
  std::size_t n = 2;
  for (const auto& [r, clocks] : clouds)
    n += size_hint(r) + 2 + clocks.size();
  return n;
}

std::size_t size_hint(const dotted_values& values) {
  std::size_t n = 2;
  for (const auto& [d, e] : values)
    n += size_hint(d.replica) + 4 + e.topic.size() + e.key.size() + 8 + 2 +
         guessed_bytes_per_meta_field * e.meta.size();
  return n;
}

std::size_t size_hint(const delta& d) {
  return 2 + size_hint(d.start) + size_hint(d.end) + size_hint(d.clouds) + size_hint(d.values);
}

std::size_t size_hint(const causal_state& s) {
  return 2 + size_hint(s.context.contiguous) + size_hint(s.context.clouds) +
         size_hint(s.values);
}

// Boost.JSON 1.81 writes non-finite doubles as Infinity, -Infinity and NaN,
// which no JSON parser reads back (Boost's included), and a client meta such
// as {"x":1e999} holds one. Rewritten as 1e99999 (read back as infinity; newer
// Boost.JSON writes that) and null, so that one such meta cannot make a whole
// message undecodable. Letters outside strings are otherwise only those of
// true, false, null and exponents.
void make_parseable(std::string& json) {
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == 'I') {
      json.replace(i, std::string_view{"Infinity"}.size(), "1e99999");
    } else if (c == 'N') {
      json.replace(i, std::string_view{"NaN"}.size(), "null");
    }
  }
}

// Appends one message to a string reserved up front. Metas are serialized
// into a scratch buffer reused for every element, since their length goes
// before them.
class writer {
public:
  writer(kind k, std::size_t size_hint) {
    out_.reserve(size_hint);
    out_.push_back(static_cast<char>(wire_format_version));
    out_.push_back(static_cast<char>(k));
  }

  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  void bytes(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }

  void meta(const boost::json::object& m) {
    scratch_.clear();
    serializer_.reset(&m);
    while (!serializer_.done()) {
      std::size_t used = scratch_.size();
      scratch_.resize(std::max(scratch_.capacity(), used + 64));
      used += serializer_.read(scratch_.data() + used, scratch_.size() - used).size();
      scratch_.resize(used);
    }
    make_parseable(scratch_);
    bytes(scratch_);
  }

  std::string take() && { return std::move(out_); }

private:
  std::string out_;
  std::string scratch_;
  boost::json::serializer serializer_;
};

void put(writer& w, const replica_ref& r) {
  w.bytes(r.node);
  w.varint(r.vsn);
}

void put(writer& w, const version_vector& v) {
  w.varint(v.size());
  for (const auto& [r, clock] : v) {
    put(w, r);
    w.varint(clock);
  }
}

void put(writer& w, const std::set<std::uint64_t>& clocks) {
  w.varint(clocks.size());
  std::uint64_t prev = 0;
  for (auto clock : clocks) {
    w.varint(clock - prev);
    prev = clock;
  }
}

void put(writer& w, const dot_clouds& clouds) {
  w.varint(clouds.size());
  for (const auto& [r, clocks] : clouds) {
    put(w, r);
    put(w, clocks);
  }
}

void put(writer& w, const element& e) {
  w.bytes(e.topic);
  w.bytes(e.key);
  w.varint(e.owner);
  w.meta(e.meta);
}

// Values come sorted by dot, so each replica's values form one run.
void put(writer& w, const dotted_values& values) {
  std::size_t groups = 0;
  const replica_ref* last = nullptr;
  for (const auto& entry : values) {
    if (last == nullptr || entry.first.replica != *last)
      ++groups;
    last = &entry.first.replica;
  }
  w.varint(groups);
  for (auto it = values.begin(); it != values.end();) {
    const replica_ref& r = it->first.replica;
    auto run_end = std::find_if(it, values.end(),
                                [&](const auto& entry) { return entry.first.replica != r; });
    put(w, r);
    w.varint(static_cast<std::uint64_t>(std::distance(it, run_end)));
    std::uint64_t prev = 0;
    for (; it != run_end; ++it) {
      w.varint(it->first.clock - prev);
      prev = it->first.clock;
      put(w, it->second);
    }
  }
}

void put(writer& w, const delta& d) {
  put(w, d.start);
  put(w, d.end);
  put(w, d.clouds);
  put(w, d.values);
}

void put(writer& w, const causal_state& s) {
  put(w, s.context.contiguous);
  put(w, s.context.clouds);
  put(w, s.values);
}

// Reads from untrusted bytes: every read checks what is left first, and a
// false return means the input is malformed (the reader's position is then
// meaningless).
class reader {
public:
  explicit reader(std::string_view in) noexcept : in_(in) {}

  [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }

  [[nodiscard]] bool byte(unsigned char& out) noexcept {
    if (remaining() == 0)
      return false;
    out = static_cast<unsigned char>(in_[pos_++]);
    return true;
  }

  // At most 10 bytes, no bits beyond 64, and no redundant zero last group.
  [[nodiscard]] bool varint(std::uint64_t& out) noexcept {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      unsigned char b = 0;
      if (!byte(b) || (shift == 63 && b > 1))
        return false;
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        out = v;
        return b != 0 || shift == 0;
      }
    }
    return false;
  }

  // A count of items each at least `min_item_size` bytes long.
  [[nodiscard]] bool count(std::size_t& out, std::size_t min_item_size) noexcept {
    std::uint64_t n = 0;
    if (!varint(n) || n > remaining() / min_item_size)
      return false;
    out = static_cast<std::size_t>(n);
    return true;
  }

  // A length-prefixed byte string, viewed in place.
  [[nodiscard]] bool bytes(std::string_view& out) noexcept {
    std::uint64_t n = 0;
    if (!varint(n) || n > remaining())
      return false;
    out = in_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += out.size();
    return true;
  }

  [[nodiscard]] bool bytes(std::string& out) {
    std::string_view view;
    if (!bytes(view))
      return false;
    out.assign(view);
    return true;
  }

private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

// The next of an ascending run of clocks, each but the first sent as its
// distance from the previous one.
[[nodiscard]] bool next_clock(reader& r, bool first, std::uint64_t& clock) noexcept {
  std::uint64_t step = 0;
  if (!r.varint(step))
    return false;
  if (first) {
    clock = step;
    return true;
  }
  if (step == 0 || step > std::numeric_limits<std::uint64_t>::max() - clock)
    return false;
  clock += step;
  return true;
}

// Whether `key` may be appended to `m`, whose keys must come ascending.
template <class Map, class Key>
[[nodiscard]] bool comes_last(const Map& m, const Key& key) {
  return m.empty() || m.rbegin()->first < key;
}

[[nodiscard]] bool get(reader& r, replica_ref& out) {
  return r.bytes(out.node) && r.varint(out.vsn);
}

[[nodiscard]] bool get(reader& r, version_vector& out) {
  std::size_t n = 0;
  if (!r.count(n, min_vector_entry))
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    replica_ref rep;
    std::uint64_t clock = 0;
    if (!get(r, rep) || !r.varint(clock) || !comes_last(out, rep))
      return false;
    out.emplace_hint(out.end(), std::move(rep), clock);
  }
  return true;
}

[[nodiscard]] bool get(reader& r, std::set<std::uint64_t>& out) {
  std::size_t n = 0;
  if (!r.count(n, min_clock))
    return false;
  std::uint64_t clock = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!next_clock(r, i == 0, clock))
      return false;
    out.emplace_hint(out.end(), clock);
  }
  return true;
}

[[nodiscard]] bool get(reader& r, dot_clouds& out) {
  std::size_t n = 0;
  if (!r.count(n, min_cloud_entry))
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    replica_ref rep;
    if (!get(r, rep) || !comes_last(out, rep))
      return false;
    auto& clocks = out.emplace_hint(out.end(), std::move(rep), std::set<std::uint64_t>{})->second;
    if (!get(r, clocks))
      return false;
  }
  return true;
}

// A meta is the JSON text of an object; parse errors (including nesting past
// Boost.JSON's default depth limit) come back in `ec`, not as exceptions.
[[nodiscard]] bool get_meta(reader& r, boost::json::object& out) {
  std::string_view text;
  if (!r.bytes(text))
    return false;
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object())
    return false;
  out = std::move(parsed.get_object());
  return true;
}

[[nodiscard]] bool get(reader& r, element& out) {
  return r.bytes(out.topic) && r.bytes(out.key) && r.varint(out.owner) && get_meta(r, out.meta);
}

[[nodiscard]] bool get_value_group(reader& r, dotted_values& out) {
  replica_ref rep;
  std::size_t n = 0;
  if (!get(r, rep) || !r.count(n, min_value) || n == 0)
    return false;
  if (!out.empty() && !(out.rbegin()->first.replica < rep))
    return false;
  std::uint64_t clock = 0;
  for (std::size_t i = 0; i < n; ++i) {
    element e;
    if (!next_clock(r, i == 0, clock) || !get(r, e))
      return false;
    out.emplace_hint(out.end(), dot{rep, clock}, std::move(e));
  }
  return true;
}

[[nodiscard]] bool get(reader& r, dotted_values& out) {
  std::size_t groups = 0;
  if (!r.count(groups, min_value_group))
    return false;
  for (std::size_t i = 0; i < groups; ++i)
    if (!get_value_group(r, out))
      return false;
  return true;
}

[[nodiscard]] bool get(reader& r, delta& out) {
  return get(r, out.start) && get(r, out.end) && get(r, out.clouds) && get(r, out.values);
}

[[nodiscard]] bool get(reader& r, causal_state& out) {
  return get(r, out.context.contiguous) && get(r, out.context.clouds) && get(r, out.values);
}

[[nodiscard]] bool get_header(reader& r, kind& out) noexcept {
  unsigned char version = 0;
  unsigned char k = 0;
  if (!r.byte(version) || version != wire_format_version || !r.byte(k))
    return false;
  out = static_cast<kind>(k);
  return true;
}

// The rest of `r`, which must hold exactly one T.
template <class T>
expected<T> decode_body(reader& r) {
  T out;
  if (!get(r, out) || r.remaining() != 0)
    return tl::unexpected(errc::malformed);
  return out;
}

template <class T>
expected<T> decode_whole(std::string_view bytes, kind expected_kind) {
  reader r{bytes};
  kind k{};
  if (!get_header(r, k) || k != expected_kind)
    return tl::unexpected(errc::malformed);
  return decode_body<T>(r);
}

} // namespace

std::string encode_version_vector(const version_vector& v) {
  writer w{kind::version_vector, size_hint(v) + 2};
  put(w, v);
  return std::move(w).take();
}

expected<version_vector> decode_version_vector(std::string_view bytes) {
  return decode_whole<version_vector>(bytes, kind::version_vector);
}

std::string encode_delta(const delta& d) {
  writer w{kind::delta, size_hint(d)};
  put(w, d);
  return std::move(w).take();
}

expected<delta> decode_delta(std::string_view bytes) {
  return decode_whole<delta>(bytes, kind::delta);
}

std::string encode_transfer(const transfer_payload& t) {
  if (const auto* d = std::get_if<delta>(&t))
    return encode_delta(*d);
  const auto& s = std::get<causal_state>(t);
  writer w{kind::causal_state, size_hint(s)};
  put(w, s);
  return std::move(w).take();
}

expected<transfer_payload> decode_transfer(std::string_view bytes) {
  reader r{bytes};
  kind k{};
  if (!get_header(r, k))
    return tl::unexpected(errc::malformed);
  switch (k) {
    case kind::delta: return decode_body<delta>(r);
    case kind::causal_state: return decode_body<causal_state>(r);
    case kind::version_vector: break;
  }
  return tl::unexpected(errc::malformed);
}

} // namespace rt::presence
