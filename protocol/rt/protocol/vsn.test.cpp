#include "rt/protocol/vsn.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

using rt::protocol::negotiate_vsn;
using rt::protocol::vsn;

TEST(negotiate_vsn, absent_parameter_means_v1) {
  EXPECT_EQ(negotiate_vsn(std::nullopt), vsn::v1);
}

TEST(negotiate_vsn, accepts_1_0_x_as_v1) {
  for (std::string_view value : {"1.0.0", "1.0.7", "1.0.0+build.5"})
    EXPECT_EQ(negotiate_vsn(value), vsn::v1) << value;
}

TEST(negotiate_vsn, accepts_2_0_x_as_v2) {
  for (std::string_view value : {"2.0.0", "2.0.3", "2.0.0+build", "2.0.10"})
    EXPECT_EQ(negotiate_vsn(value), vsn::v2) << value;
}

TEST(negotiate_vsn, refuses_other_minor_or_major_versions) {
  for (std::string_view value : {"2.1.0", "1.1.0", "3.0.0", "0.0.1", "123.1.1", "123.0.0"})
    EXPECT_EQ(negotiate_vsn(value), std::nullopt) << value;
}

TEST(negotiate_vsn, refuses_pre_releases) {
  for (std::string_view value : {"2.0.0-rc.1", "1.0.0-beta", "2.0.0-rc.1+build"})
    EXPECT_EQ(negotiate_vsn(value), std::nullopt) << value;
}

TEST(negotiate_vsn, refuses_values_that_are_not_semantic_versions) {
  for (std::string_view value :
       {"", "1.0", "2", "2.0", "02.0.0", "2.00.0", "2.0.00", "v2.0.0", " 2.0.0", "2.0.0 ",
        "2.0.0.0", "2..0", "-2.0.0", "+2.0.0", "2.0.x", "99999999999999999999.0.0"})
    EXPECT_EQ(negotiate_vsn(value), std::nullopt) << '"' << value << '"';
}
