#include "rt/replication/value_json.hpp"

#include <gtest/gtest.h>

using namespace rt::replication;

namespace {

std::string json(std::uint32_t type_oid, std::string_view text) {
  std::string out;
  append_value_json(out, type_oid, text);
  return out;
}

} // namespace

TEST(value_json, numbers_stay_numbers_and_non_finite_values_become_strings) {
  EXPECT_EQ(json(oid::int4, "46"), "46");
  EXPECT_EQ(json(oid::int8, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(json(oid::numeric, "123.4500"), "123.4500");
  EXPECT_EQ(json(oid::float8, "1e+100"), "1e+100");
  EXPECT_EQ(json(oid::float8, "-0"), "0");
  EXPECT_EQ(json(oid::float8, "NaN"), R"("NaN")");
  EXPECT_EQ(json(oid::float4, "-Infinity"), R"("-Infinity")");
  EXPECT_EQ(json(oid::numeric, "Infinity"), R"("Infinity")");
}

TEST(value_json, booleans_json_and_bytea) {
  EXPECT_EQ(json(oid::boolean, "t"), "true");
  EXPECT_EQ(json(oid::boolean, "f"), "false");
  EXPECT_EQ(json(oid::jsonb, R"({"a": [1, 2]})"), R"({"a": [1, 2]})");
  EXPECT_EQ(json(oid::json, R"("s")"), R"("s")");
  EXPECT_EQ(json(oid::bytea, R"(\x0102030405)"), R"("0102030405")");
}

TEST(value_json, timestamps_are_iso_strings_with_full_offsets) {
  EXPECT_EQ(json(oid::timestamptz, "2025-11-03 09:32:55+00"), R"("2025-11-03T09:32:55+00:00")");
  EXPECT_EQ(json(oid::timestamptz, "2025-11-03 09:32:55.123456-05"),
            R"("2025-11-03T09:32:55.123456-05:00")");
  EXPECT_EQ(json(oid::timestamptz, "2025-11-03 09:32:55+05:30"), R"("2025-11-03T09:32:55+05:30")");
  EXPECT_EQ(json(oid::timestamp, "2025-11-03 09:32:55"), R"("2025-11-03T09:32:55")");
  EXPECT_EQ(json(oid::timestamp, "infinity"), R"("infinity")");
  EXPECT_EQ(json(oid::date, "2025-11-03"), R"("2025-11-03")");
  EXPECT_EQ(json(oid::time, "09:32:55"), R"("09:32:55")");
  EXPECT_EQ(json(oid::timetz, "09:32:55+00"), R"("09:32:55+00")");
  EXPECT_EQ(json(oid::oid, "16384"), R"("16384")");
}

TEST(value_json, text_uuid_enums_and_unknown_types_are_escaped_strings) {
  EXPECT_EQ(json(oid::text, "say \"hi\"\n\\"), R"("say \"hi\"\n\\")");
  EXPECT_EQ(json(oid::uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            R"("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")");
  EXPECT_EQ(json(16400, "happy"), R"("happy")");
  EXPECT_EQ(json(oid::text, std::string_view{"\x01", 1}), R"("\u0001")");
}

TEST(value_json, arrays_become_json_arrays_of_converted_elements) {
  EXPECT_EQ(json(1007, "{1,2,3}"), "[1,2,3]");
  EXPECT_EQ(json(1007, "{}"), "[]");
  EXPECT_EQ(json(1007, "{{1,2},{3,NULL}}"), "[[1,2],[3,null]]");
  EXPECT_EQ(json(1009, R"({a,"b c",NULL,"NULL","x\"y\\z"})"), R"(["a","b c",null,"NULL","x\"y\\z"])");
  EXPECT_EQ(json(1000, "{t,f}"), "[true,false]");
  EXPECT_EQ(json(3807, R"({"{\"a\": 1}","[1, 2]"})"), R"([{"a": 1},[1, 2]])");
  EXPECT_EQ(json(1185, R"({"2025-11-03 09:32:55+00"})"), R"(["2025-11-03T09:32:55+00:00"])");
  EXPECT_EQ(json(1007, "[0:1]={5,6}"), "[5,6]");
}

TEST(value_json, a_malformed_array_literal_is_sent_as_a_string) {
  EXPECT_EQ(json(1007, "{1,2"), R"("{1,2")");
  EXPECT_EQ(json(1007, "1,2}"), R"("1,2}")");
  EXPECT_EQ(json(1009, R"({"open)"), R"("{\"open")");
  EXPECT_EQ(json(1007, "{1,,2}"), R"("{1,,2}")");
}

TEST(value_json, array_element_types) {
  EXPECT_EQ(array_element_oid(1007), oid::int4);
  EXPECT_EQ(array_element_oid(3807), oid::jsonb);
  EXPECT_EQ(array_element_oid(oid::int4), 0u);
}
