#include "protocol/iso8583/track2.h"

namespace paygate::protocol::iso8583 {

std::optional<Track2> split_track2(std::string_view text) {
  Track2 t;
  if (!text.empty() && text.front() == ';') {
    t.prefix = ";";
    text.remove_prefix(1);
  }
  const auto sep = text.find_first_of("=D");
  if (sep == std::string_view::npos || sep < 12 || sep > 19) return std::nullopt;
  t.pan = std::string(text.substr(0, sep));
  t.rest = std::string(text.substr(sep));
  return t;
}

std::string join_track2(const Track2& track) { return track.prefix + track.pan + track.rest; }

}  // namespace paygate::protocol::iso8583
