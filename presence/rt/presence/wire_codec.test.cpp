#include "rt/presence/wire_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include <boost/json/parse.hpp>

namespace rt::presence {
namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

const replica_ref ra{"a", 1};
const replica_ref rb{"b", 1'700'000'000'000'123};
// Node names are bytes too: a NUL and a byte that is not UTF-8.
const replica_ref rc{std::string{"c\0\xFE", 3}, max_u64};

// Private channel topics start with 0xFF.
const std::string private_topic = "\xFF" "realtime:room";
const std::string utf8_key = "Jos\xC3\xA9 \xE7\x94\xA8\xE6\x88\xB7 \xF0\x9F\x8E\x89";

boost::json::object object_of(std::string_view json) {
  return boost::json::parse(json).as_object();
}

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

element make_element(std::string topic, std::string key, owner_id owner, std::string_view meta) {
  return element{std::move(topic), std::move(key), owner, object_of(meta)};
}

delta sample_delta() {
  delta d;
  d.start = {{ra, 3}, {rb, 7}};
  d.end = {{ra, 6}, {rb, 9}, {rc, 1}};
  d.clouds = {{ra, {4, 5, 6}}, {rb, {8, 9, 1000}}, {rc, {1}}};
  d.values.emplace(dot{ra, 4}, make_element(private_topic, utf8_key, 1,
                                            R"({"phx_ref":"F1","user":{"name":"ann",)"
                                            R"("tags":["a",{"deep":[1,2.5,null,true]}]},"n":-3})"));
  d.values.emplace(dot{ra, 6}, make_element("realtime:lobby", "u2", 2, R"({"phx_ref":"F2"})"));
  d.values.emplace(dot{rb, 9}, make_element(private_topic, "u1", max_u64, R"({})"));
  d.values.emplace(dot{rc, 1}, make_element("t", "", 0, R"({"s":"\u00e9\"\\"})"));
  return d;
}

causal_state sample_state() {
  causal_state s;
  s.context.contiguous = {{ra, 12}, {rb, max_u64}};
  s.context.clouds = {{ra, {14, max_u64}}, {rc, {2, 3, 5}}};
  s.values.emplace(dot{ra, 1}, make_element(private_topic, utf8_key, 9, R"({"a":{"b":{"c":[]}}})"));
  s.values.emplace(dot{ra, 14}, make_element(private_topic, "u2", 9, R"({"x":1e300})"));
  s.values.emplace(dot{rb, max_u64}, make_element("room", "u3", 3, R"({"y":[[],{}]})"));
  s.values.emplace(dot{rc, 5}, make_element("room", "u4", 4, R"({"phx_ref":"F9"})"));
  return s;
}

// --- round trips ------------------------------------------------------------

TEST(wire_codec, version_vectors_round_trip) {
  for (const version_vector& v : {version_vector{}, version_vector{{ra, 0}},
                                  version_vector{{ra, 5}, {rb, 300}, {rc, max_u64}}}) {
    auto decoded = decode_version_vector(encode_version_vector(v));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, v);
  }
}

TEST(wire_codec, deltas_round_trip) {
  for (const delta& d : {delta{}, sample_delta()}) {
    auto decoded = decode_delta(encode_delta(d));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, d);
  }
}

TEST(wire_codec, a_delta_keeps_private_topics_utf8_keys_and_nested_metas) {
  auto decoded = decode_delta(encode_delta(sample_delta()));
  ASSERT_TRUE(decoded);
  const element& e = decoded->values.at(dot{ra, 4});
  EXPECT_EQ(e.topic, private_topic);
  EXPECT_EQ(static_cast<unsigned char>(e.topic[0]), 0xFF);
  EXPECT_EQ(e.key, utf8_key);
  EXPECT_EQ(e.meta.at("user").at("tags").at(1).at("deep").at(1).as_double(), 2.5);
  EXPECT_EQ(decoded->values.at(dot{rc, 1}).meta.at("s").as_string(), "\xC3\xA9\"\\");
}

// Boost.JSON reads {"x":1e999} as infinity but writes it as Infinity, which
// it cannot read back.
TEST(wire_codec, non_finite_numbers_in_a_meta_still_decode) {
  delta d;
  auto& meta = d.values[dot{ra, 1}].meta;
  meta = object_of(R"({"big":1e999,"s":"Infinity NaN \"I","a":[-1e999]})");
  meta["nan"] = std::numeric_limits<double>::quiet_NaN();
  auto decoded = decode_delta(encode_delta(d));
  ASSERT_TRUE(decoded);
  const auto& got = decoded->values.at(dot{ra, 1}).meta;
  EXPECT_EQ(got.at("big").as_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(got.at("a").at(0).as_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(got.at("s").as_string(), "Infinity NaN \"I");
  EXPECT_TRUE(got.at("nan").is_null());
}

TEST(wire_codec, empty_clouds_round_trip) {
  delta d;
  d.clouds = {{ra, {}}, {rb, {2}}};
  auto decoded = decode_delta(encode_delta(d));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, d);
}

TEST(wire_codec, transfers_round_trip_either_alternative) {
  for (const transfer_payload& t : {transfer_payload{sample_delta()},
                                    transfer_payload{sample_state()},
                                    transfer_payload{causal_state{}}}) {
    auto decoded = decode_transfer(encode_transfer(t));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->index(), t.index());
    EXPECT_EQ(*decoded, t);
  }
}

TEST(wire_codec, a_transfer_of_a_delta_is_the_delta_message) {
  EXPECT_EQ(encode_transfer(sample_delta()), encode_delta(sample_delta()));
  auto decoded = decode_delta(encode_transfer(sample_delta()));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, sample_delta());
}

TEST(wire_codec, trackers_converge_over_encoded_heartbeats_and_transfers) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, private_topic, utf8_key, object_of(R"({"n":{"m":[1]}})"), 1));
  auto heard = decode_delta(encode_delta(*a.take_heartbeat_delta()));
  ASSERT_TRUE(heard);
  EXPECT_EQ(b.merge_heartbeat(*heard).joins.size(), 1u);
  ASSERT_TRUE(a.track(2, private_topic, "u2", {}, 2));
  a.take_heartbeat_delta(); // lost on the way to b
  auto request = decode_version_vector(encode_version_vector(b.clocks()));
  ASSERT_TRUE(request);
  auto answer = decode_transfer(encode_transfer(a.answer_transfer(rb, *request)));
  ASSERT_TRUE(answer);
  EXPECT_EQ(b.merge_transfer(*answer).joins.size(), 1u);
  EXPECT_EQ(b.clocks(), a.clocks());
  EXPECT_EQ(b.list(private_topic).size(), 2u);
}

// --- the format, byte by byte -------------------------------------------------

TEST(wire_codec, an_empty_version_vector_is_version_kind_and_zero_count) {
  EXPECT_EQ(encode_version_vector({}), bytes({0x01, 0x01, 0x00}));
}

TEST(wire_codec, a_version_vector_is_counted_replicas_and_varint_clocks) {
  EXPECT_EQ(encode_version_vector({{ra, 300}}),
            bytes({0x01, 0x01,       // format 1, version_vector
                   0x01,             // one entry
                   0x01, 'a', 0x01,  // node "a", vsn 1
                   0xAC, 0x02}));    // clock 300
}

TEST(wire_codec, a_delta_lists_ranges_clouds_as_steps_and_values_by_replica) {
  delta d;
  d.end = {{ra, 3}};
  d.clouds = {{ra, {1, 3}}};
  d.values.emplace(dot{ra, 1}, make_element("t", "k", 7, "{}"));
  d.values.emplace(dot{ra, 3}, make_element("t", "q", 7, "{}"));
  EXPECT_EQ(encode_delta(d),
            bytes({0x01, 0x02,                    // format 1, delta
                   0x00,                          // start: no entries
                   0x01, 0x01, 'a', 0x01, 0x03,   // end: a@1 -> 3
                   0x01, 0x01, 'a', 0x01,         // clouds: a@1
                   0x02, 0x01, 0x02,              //   clocks 1, 1+2
                   0x01, 0x01, 'a', 0x01, 0x02,   // values: a@1, two of them
                   0x01, 0x01, 't', 0x01, 'k', 0x07, 0x02, '{', '}',   // clock 1
                   0x02, 0x01, 't', 0x01, 'q', 0x07, 0x02, '{', '}'}));  // clock 1+2
}

TEST(wire_codec, a_full_state_has_kind_3) {
  auto encoded = encode_transfer(causal_state{});
  EXPECT_EQ(encoded, bytes({0x01, 0x03, 0x00, 0x00, 0x00}));
}

// --- rejections ---------------------------------------------------------------

TEST(wire_codec, every_truncation_is_malformed) {
  auto vv = encode_version_vector({{ra, 5}, {rb, 300}, {rc, max_u64}});
  auto d = encode_delta(sample_delta());
  auto s = encode_transfer(sample_state());
  for (std::size_t n = 0; n < vv.size(); ++n)
    EXPECT_EQ(decode_version_vector(vv.substr(0, n)).error(), errc::malformed) << n;
  for (std::size_t n = 0; n < d.size(); ++n) {
    EXPECT_EQ(decode_delta(d.substr(0, n)).error(), errc::malformed) << n;
    EXPECT_EQ(decode_transfer(d.substr(0, n)).error(), errc::malformed) << n;
  }
  for (std::size_t n = 0; n < s.size(); ++n)
    EXPECT_EQ(decode_transfer(s.substr(0, n)).error(), errc::malformed) << n;
}

TEST(wire_codec, another_format_version_is_malformed) {
  auto encoded = encode_delta(sample_delta());
  for (unsigned char version : {0x00, 0x02, 0xFF}) {
    encoded[0] = static_cast<char>(version);
    EXPECT_EQ(decode_delta(encoded).error(), errc::malformed);
    EXPECT_EQ(decode_transfer(encoded).error(), errc::malformed);
  }
}

TEST(wire_codec, another_kind_is_malformed) {
  auto vv = encode_version_vector({{ra, 5}});
  auto d = encode_delta(sample_delta());
  auto s = encode_transfer(sample_state());
  EXPECT_EQ(decode_delta(vv).error(), errc::malformed);
  EXPECT_EQ(decode_transfer(vv).error(), errc::malformed);
  EXPECT_EQ(decode_version_vector(d).error(), errc::malformed);
  EXPECT_EQ(decode_delta(s).error(), errc::malformed);
  for (unsigned char k : {0x00, 0x04, 0xFF}) {
    s[1] = static_cast<char>(k);
    EXPECT_EQ(decode_transfer(s).error(), errc::malformed);
  }
}

TEST(wire_codec, trailing_bytes_are_malformed) {
  EXPECT_EQ(decode_version_vector(encode_version_vector({}) + '\0').error(), errc::malformed);
  EXPECT_EQ(decode_delta(encode_delta(sample_delta()) + "x").error(), errc::malformed);
  EXPECT_EQ(decode_transfer(encode_transfer(sample_state()) + "\x01\x03").error(),
            errc::malformed);
}

TEST(wire_codec, huge_counts_and_lengths_are_malformed) {
  const std::string huge = bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  // A count of 2^64 - 1 entries.
  EXPECT_EQ(decode_version_vector(bytes({0x01, 0x01}) + huge).error(), errc::malformed);
  // A node name of 2^64 - 1 bytes.
  EXPECT_EQ(decode_version_vector(bytes({0x01, 0x01, 0x01}) + huge + "a\x01\x01").error(),
            errc::malformed);
  // Two entries where only one fits.
  EXPECT_EQ(decode_version_vector(bytes({0x01, 0x01, 0x02, 0x01, 'a', 0x01, 0x05})).error(),
            errc::malformed);
  // A topic of 2^64 - 1 bytes.
  auto d = bytes({0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x01, 0x01}) + huge +
           "t\x01k\x07\x02{}";
  EXPECT_EQ(decode_delta(d).error(), errc::malformed);
}

TEST(wire_codec, varints_beyond_64_bits_or_not_minimal_are_malformed) {
  // Clock 5 written in two bytes.
  EXPECT_EQ(decode_version_vector(bytes({0x01, 0x01, 0x01, 0x01, 'a', 0x01, 0x85, 0x00})).error(),
            errc::malformed);
  // A tenth byte carrying more than bit 63.
  auto too_big = bytes({0x01, 0x01, 0x01, 0x01, 'a', 0x01}) +
                 bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02});
  EXPECT_EQ(decode_version_vector(too_big).error(), errc::malformed);
  // Eleven bytes.
  auto too_long = bytes({0x01, 0x01, 0x01, 0x01, 'a', 0x01}) +
                  bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  EXPECT_EQ(decode_version_vector(too_long).error(), errc::malformed);
}

TEST(wire_codec, unordered_or_repeated_entries_are_malformed) {
  auto unordered = bytes({0x01, 0x01, 0x02, 0x01, 'b', 0x01, 0x01, 0x01, 'a', 0x01, 0x01});
  EXPECT_EQ(decode_version_vector(unordered).error(), errc::malformed);
  auto repeated = bytes({0x01, 0x01, 0x02, 0x01, 'a', 0x01, 0x01, 0x01, 'a', 0x01, 0x02});
  EXPECT_EQ(decode_version_vector(repeated).error(), errc::malformed);
  // clouds: a@1 with clocks 1, 1 + 0.
  auto repeated_clock =
      bytes({0x01, 0x02, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x02, 0x01, 0x00, 0x00});
  EXPECT_EQ(decode_delta(repeated_clock).error(), errc::malformed);
  // clouds: a@1 with clocks 2^64 - 1, then one more.
  auto past_max = bytes({0x01, 0x02, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x02}) +
                  bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x00});
  EXPECT_EQ(decode_delta(past_max).error(), errc::malformed);
  // values: one group of a@1 holding no value.
  auto empty_group = bytes({0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x00});
  EXPECT_EQ(decode_delta(empty_group).error(), errc::malformed);
}

TEST(wire_codec, a_meta_that_is_not_a_json_object_is_malformed) {
  delta d;
  d.values.emplace(dot{ra, 1}, make_element(private_topic, "k", 1, R"({"a":12})"));
  const std::string valid = encode_delta(d);
  ASSERT_TRUE(decode_delta(valid));
  auto at = valid.find(R"({"a":12})");
  ASSERT_NE(at, std::string::npos);
  // Same length, so every length field stays right.
  for (std::string_view meta : {R"([1,2,34])", R"("abcdef")", R"({"a":12 )", "null    ",
                                "12345678", R"({"a":1}})"}) {
    std::string bad = valid;
    bad.replace(at, meta.size(), meta);
    EXPECT_EQ(decode_delta(bad).error(), errc::malformed) << meta;
  }
}

TEST(wire_codec, malformed_has_a_description) {
  EXPECT_EQ(to_string(errc::malformed), "malformed wire data");
}

// --- fuzzing --------------------------------------------------------------------

// Changes 1 to 4 bytes of `in`, or now and then drops or inserts one.
std::string mutated(std::string in, std::mt19937_64& rng) {
  auto changes = 1 + rng() % 4;
  for (std::uint64_t i = 0; i < changes && !in.empty(); ++i) {
    auto at = rng() % in.size();
    switch (rng() % 8) {
      case 0: in.erase(at, 1); break;
      case 1: in.insert(at, 1, static_cast<char>(rng())); break;
      default: in[at] = static_cast<char>(in[at] ^ static_cast<char>(1 + rng() % 255)); break;
    }
  }
  return in;
}

TEST(wire_codec, fuzzed_encodings_decode_to_a_value_or_malformed) {
  std::mt19937_64 rng{20240531};
  const std::string seeds[] = {encode_delta(sample_delta()), encode_transfer(sample_state())};
  std::size_t accepted = 0;
  for (const auto& seed : seeds) {
    for (int i = 0; i < 4000; ++i) {
      auto input = mutated(seed, rng);
      auto decoded = decode_transfer(input);
      if (!decoded) {
        ASSERT_EQ(decoded.error(), errc::malformed);
        continue;
      }
      ++accepted;
      // Whatever decodes encodes again to something that decodes the same.
      auto again = decode_transfer(encode_transfer(*decoded));
      ASSERT_TRUE(again);
      EXPECT_EQ(*again, *decoded);
    }
  }
  EXPECT_LT(accepted, 8000u);
}

TEST(wire_codec, fuzzed_version_vectors_decode_to_a_value_or_malformed) {
  std::mt19937_64 rng{7};
  const auto seed = encode_version_vector({{ra, 5}, {rb, 300}, {rc, max_u64}});
  for (int i = 0; i < 4000; ++i) {
    auto decoded = decode_version_vector(mutated(seed, rng));
    if (decoded)
      EXPECT_EQ(decode_version_vector(encode_version_vector(*decoded)), decoded);
    else
      ASSERT_EQ(decoded.error(), errc::malformed);
  }
}

TEST(wire_codec, random_bytes_after_a_valid_header_decode_to_a_value_or_malformed) {
  std::mt19937_64 rng{42};
  for (int i = 0; i < 4000; ++i) {
    std::string input = bytes({0x01, static_cast<unsigned char>(1 + rng() % 3)});
    auto length = rng() % 48;
    for (std::uint64_t j = 0; j < length; ++j)
      input.push_back(static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 4));
    auto t = decode_transfer(input);
    auto v = decode_version_vector(input);
    EXPECT_TRUE(t || t.error() == errc::malformed);
    EXPECT_TRUE(v || v.error() == errc::malformed);
  }
}

} // namespace
} // namespace rt::presence
