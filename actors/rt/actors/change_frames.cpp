#include "rt/actors/change_frames.hpp"

#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"

namespace rt::actors {

protocol::shared_frame change_frames::frame(std::string_view topic, protocol::vsn v,
                                            const replication::route_match& m) {
  std::string key{topic};
  key.push_back('\0');
  key.push_back(static_cast<char>(v));
  key.append(reinterpret_cast<const char*>(m.ids.data()), m.ids.size() * sizeof(m.ids[0]));
  const void* columns = m.columns.get();
  key.append(reinterpret_cast<const char*>(&columns), sizeof(columns));
  key.push_back(m.old_key_only ? '\1' : '\0');
  auto& f = frames_[key];
  if (!f)
    f = protocol::encode_broadcast(v, topic, protocol::wire::postgres_changes, payload(m));
  return f;
}

std::string change_frames::payload(const replication::route_match& m) {
  std::string p = R"({"ids":[)";
  for (std::size_t i = 0; i < m.ids.size(); ++i) {
    if (i > 0)
      p.push_back(',');
    p.append(std::to_string(m.ids[i]));
  }
  p.append(R"(],"data":)").append(data(m)).push_back('}');
  return p;
}

const std::string& change_frames::data(const replication::route_match& m) {
  const auto& columns = m.columns;
  if (!columns && !m.old_key_only) {
    if (!full_)
      full_ = replication::full_data(change_, tuples_, max_record_bytes_);
    return *full_;
  }
  auto& d = (m.old_key_only ? key_only_ : narrowed_)[columns.get()];
  if (d.empty())
    d = replication::change_data(change_, tuples_,
                                 replication::visible_mask(*change_.relation, columns),
                                 max_record_bytes_, m.old_key_only);
  return d;
}

} // namespace rt::actors
