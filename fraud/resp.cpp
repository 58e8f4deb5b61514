#include "fraud/resp.h"

#include <charconv>

namespace paygate::fraud::resp {
namespace {

// The line at `pos` up to CRLF: false when the CRLF has not arrived yet.
bool line_at(std::string_view in, std::size_t pos, std::string_view& line, std::size_t& next) {
  const auto end = in.find("\r\n", pos);
  if (end == std::string_view::npos) return false;
  line = in.substr(pos, end - pos);
  next = end + 2;
  return true;
}

bool parse_int(std::string_view text, std::int64_t& value) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// A bare CR or LF inside a status line is not RESP.
bool plain_line(std::string_view text) { return text.find_first_of("\r\n") == std::string_view::npos; }

ParseStatus parse_at(std::string_view in, std::size_t& pos, Reply& reply, int depth) {
  if (pos >= in.size()) return ParseStatus::incomplete;
  const char kind = in[pos];
  // Bound the wait for a CRLF too: a peer streaming an endless line is not Redis.
  constexpr std::size_t max_line = 64 + max_bulk_bytes;
  std::string_view line;
  std::size_t next = 0;
  if (!line_at(in, pos + 1, line, next))
    return in.size() - pos > max_line ? ParseStatus::malformed : ParseStatus::incomplete;
  if (line.size() > max_line) return ParseStatus::malformed;
  // A bulk string or an array announces its length first; -1 is nil (RESP2), and more than
  // paygate accepts is refused before anything is allocated.
  std::int64_t length = 0;
  if (kind == '$' || kind == '*') {
    const auto max = static_cast<std::int64_t>(kind == '$' ? max_bulk_bytes : max_array_elements);
    if (!parse_int(line, length) || length < -1 || length > max) return ParseStatus::malformed;
    if (length == -1) {
      reply.type = Reply::Type::nil;
      pos = next;
      return ParseStatus::complete;
    }
  }
  switch (kind) {
    case '+':
    case '-':
      if (!plain_line(line)) return ParseStatus::malformed;
      reply.type = kind == '+' ? Reply::Type::simple : Reply::Type::error;
      reply.text.assign(line);
      pos = next;
      return ParseStatus::complete;
    case ':':
      if (!parse_int(line, reply.integer)) return ParseStatus::malformed;
      reply.type = Reply::Type::integer;
      pos = next;
      return ParseStatus::complete;
    case '$': {
      const auto n = static_cast<std::size_t>(length);
      if (in.size() - next < n + 2) return ParseStatus::incomplete;
      if (in.substr(next + n, 2) != "\r\n") return ParseStatus::malformed;
      reply.type = Reply::Type::bulk;
      reply.text.assign(in.substr(next, n));
      pos = next + n + 2;
      return ParseStatus::complete;
    }
    case '*': {
      const std::int64_t count = length;
      if (depth >= max_depth) return ParseStatus::malformed;
      reply.type = Reply::Type::array;
      reply.elements.clear();
      std::size_t at = next;
      for (std::int64_t i = 0; i < count; ++i) {
        Reply element;
        const auto status = parse_at(in, at, element, depth + 1);
        if (status != ParseStatus::complete) return status;
        reply.elements.push_back(std::move(element));
      }
      pos = at;
      return ParseStatus::complete;
    }
    default:
      return ParseStatus::malformed;
  }
}

}  // namespace

void encode_command(std::span<const std::string_view> args, std::string& out) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const auto a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

ParseStatus parse_reply(std::string_view input, Reply& reply, std::size_t& consumed) {
  std::size_t pos = 0;
  reply = Reply{};
  const auto status = parse_at(input, pos, reply, 0);
  consumed = status == ParseStatus::complete ? pos : 0;
  return status;
}

}  // namespace paygate::fraud::resp
