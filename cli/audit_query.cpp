// paygate audit query: the records an auditor or support asks for, as JSON lines, without
// jq: by type, merchant, merchant reference, request id, key id and time range. Reads the
// audit folder's files in chain order, every stream; prints records as they are on disk
// (they hold tokens and masked card numbers only). Verifying the chain is `audit verify`.
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "audit/files.h"
#include "cli/command.h"

namespace paygate::cli {
namespace {

struct Filter {
  std::optional<std::string> type, merchant, reference, request_id, key_id, since, until;

  static bool text_is(const boost::json::object& record, std::string_view field, const std::optional<std::string>& want) {
    if (!want) return true;
    const auto* v = record.if_contains(field);
    return v && v->is_string() && v->get_string() == *want;
  }

  bool matches(const boost::json::object& r) const {
    if (!text_is(r, "type", type) || !text_is(r, "merchant", merchant) ||
        !text_is(r, "merchant_reference", reference) || !text_is(r, "request_id", request_id)) {
      return false;
    }
    if (key_id) {
      bool used = text_is(r, "key_id", key_id);
      if (const auto* ids = r.if_contains("key_ids"); ids && ids->is_array()) {
        for (const auto& id : ids->get_array()) used = used || (id.is_string() && id.get_string() == *key_id);
      }
      if (!used) return false;
    }
    // Times are ISO 8601 UTC of one shape ("2026-12-05T23:30:00.123Z"): text order is time order.
    const auto* time = r.if_contains("time");
    const std::string when = time && time->is_string() ? std::string(time->get_string()) : std::string();
    if (since && when < *since) return false;
    if (until && when >= *until) return false;
    return true;
  }
};

int query(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "paygate audit query: name the audit folder: paygate audit query DIR [filters]\n");
    return exit_usage;
  }
  Filter f{args.value("type"), args.value("merchant"), args.value("reference"), args.value("request-id"),
           args.value("key-id"), args.value("since"), args.value("until")};
  const auto streams = audit::list_audit_files(args.positional[0]);
  if (streams.empty()) {
    std::fprintf(stderr, "paygate audit query: no audit files in %s\n", args.positional[0].c_str());
    return exit_failure;
  }
  std::size_t matched = 0, unreadable = 0;
  for (const auto& [stream, files] : streams) {
    for (const auto& file : files) {
      std::ifstream in(file);
      std::string line;
      while (std::getline(in, line)) {
        boost::system::error_code ec;
        auto value = boost::json::parse(line, ec);
        if (ec || !value.is_object()) {
          ++unreadable;  // a torn last line after a crash: `audit verify` says more
          continue;
        }
        if (!f.matches(value.get_object())) continue;
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
        ++matched;
      }
    }
  }
  std::fprintf(stderr, "%zu record%s matched%s\n", matched, matched == 1 ? "" : "s",
               unreadable ? (", " + std::to_string(unreadable) + " unreadable line(s) skipped").c_str() : "");
  return exit_ok;
}

}  // namespace

Command audit_query_command() {
  return {{"audit query",
           "Print the audit records that match every filter given, as JSON lines (no jq needed); all streams, "
           "in chain order.",
           "DIR",
           {{"type", "TYPE", "record type: request, detokenize, key_state, reload, kek_rotate_end...", false},
            {"merchant", "ID", "the merchant", false},
            {"reference", "REF", "the merchant's reference (merchant_reference)", false},
            {"request-id", "ID", "one request", false},
            {"key-id", "ID", "records that used or changed this key", false},
            {"since", "TIME", "from this UTC time (e.g. 2026-12-05 or 2026-12-05T10:00:00Z)", false},
            {"until", "TIME", "before this UTC time", false}}},
          query};
}

}  // namespace paygate::cli
