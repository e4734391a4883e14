#include "rt/replication/type_names.hpp"

#include <chrono>
#include <cstdio>

namespace rt::replication {

std::string_view builtin_type_name(std::uint32_t type_oid) noexcept {
  switch (type_oid) {
    case 16: return "bool";
    case 17: return "bytea";
    case 18: return "char";
    case 19: return "name";
    case 20: return "int8";
    case 21: return "int2";
    case 23: return "int4";
    case 25: return "text";
    case 26: return "oid";
    case 114: return "json";
    case 142: return "xml";
    case 199: return "_json";
    case 650: return "cidr";
    case 700: return "float4";
    case 701: return "float8";
    case 790: return "money";
    case 829: return "macaddr";
    case 869: return "inet";
    case 1000: return "_bool";
    case 1001: return "_bytea";
    case 1005: return "_int2";
    case 1007: return "_int4";
    case 1009: return "_text";
    case 1014: return "_bpchar";
    case 1015: return "_varchar";
    case 1016: return "_int8";
    case 1021: return "_float4";
    case 1022: return "_float8";
    case 1028: return "_oid";
    case 1042: return "bpchar";
    case 1043: return "varchar";
    case 1082: return "date";
    case 1083: return "time";
    case 1114: return "timestamp";
    case 1115: return "_timestamp";
    case 1182: return "_date";
    case 1183: return "_time";
    case 1184: return "timestamptz";
    case 1185: return "_timestamptz";
    case 1186: return "interval";
    case 1231: return "_numeric";
    case 1266: return "timetz";
    case 1270: return "_timetz";
    case 1560: return "bit";
    case 1562: return "varbit";
    case 1700: return "numeric";
    case 2950: return "uuid";
    case 2951: return "_uuid";
    case 3614: return "tsvector";
    case 3802: return "jsonb";
    case 3807: return "_jsonb";
    case 3904: return "int4range";
    case 3926: return "int8range";
    case 3906: return "numrange";
    case 3908: return "tsrange";
    case 3910: return "tstzrange";
    case 3912: return "daterange";
    default: return {};
  }
}

void type_names::put(const type_message& type) {
  announced_.insert_or_assign(type.oid, type.name);
}

std::string type_names::name(std::uint32_t type_oid) const {
  if (auto builtin = builtin_type_name(type_oid); !builtin.empty())
    return std::string{builtin};
  if (auto it = announced_.find(type_oid); it != announced_.end())
    return it->second;
  return std::to_string(type_oid);
}

const std::string* type_names::announced(std::uint32_t type_oid) const noexcept {
  auto it = announced_.find(type_oid);
  return it == announced_.end() ? nullptr : &it->second;
}

std::string format_commit_timestamp(std::int64_t postgres_us) {
  using namespace std::chrono;
  auto unix_us = postgres_us + postgres_epoch_offset_us;
  auto ms = duration_cast<milliseconds>(microseconds{unix_us});
  // Floor so that times before 1970 keep a non-negative millisecond part.
  auto day_start = floor<days>(sys_time<milliseconds>{ms});
  year_month_day date{day_start};
  hh_mm_ss time{sys_time<milliseconds>{ms} - day_start};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return buf;
}

} // namespace rt::replication
