// paygate audit verify FILES|DIR...: checks audit chains (docs/compliance.md).
// paygate audit anchor DIR: prints each stream's newest verified record (stream:seq:mac)
// to keep off-host; `audit verify --anchor` later proves nothing up to it was cut.
// paygate audit scan PATHS...: finds card numbers in any text or JSON log.
//
// Exit codes of verify: 0 every chain intact; 1 tampering, a missing file or a missing
// anchor found; 3 only crash signs (a torn last line, a run without its stop record),
// everything else verified; 2 usage, unreadable input or keys. Of scan: 0 nothing found; 1 card numbers found; 2 usage or unreadable.
#include <boost/json/parse.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "audit/files.h"
#include "audit/record.h"
#include "card/detect.h"
#include "audit/verify.h"
#include "config/keyring_loader.h"
#include "config/loader.h"
#include "cli/command.h"

namespace paygate::cli {
namespace {

namespace fs = std::filesystem;
constexpr int exit_torn = 3;

std::shared_ptr<const crypto::KeyRing> keyring_for(const Args& args) {
  fs::path file;
  if (auto keyring = args.value("keyring")) {
    file = *keyring;
  } else if (auto config_file = args.value("config")) {
    auto loaded = config::load(*config_file);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
      return nullptr;
    }
    if (!loaded.config->keyring) std::fprintf(stderr, "paygate audit verify: the config has no keys.keyring\n");
    return loaded.config->keyring;
  } else {
    std::fprintf(stderr, "paygate audit verify: give --config FILE or --keyring FILE (the audit keys)\n");
    return nullptr;
  }
  auto loaded = config::load_keyring(file);
  for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  return loaded.errors.empty() ? loaded.keyring : nullptr;
}

// "STREAM:SEQ:MAC" as `audit anchor` prints it.
std::optional<std::pair<std::string, audit::ChainAnchor>> parse_anchor(const std::string& text) {
  const auto first = text.find(':');
  const auto last = text.rfind(':');
  if (first == std::string::npos || first == last) return std::nullopt;
  audit::ChainAnchor anchor;
  const std::string seq = text.substr(first + 1, last - first - 1);
  if (seq.empty() || seq.find_first_not_of("0123456789") != std::string::npos || seq.size() > 19) return std::nullopt;
  anchor.seq = std::stoull(seq);
  auto tag = audit::tag_from_hex(text.substr(last + 1));
  if (!tag) return std::nullopt;
  anchor.tag = *tag;
  return std::make_pair(text.substr(0, first), anchor);
}

int verify(const Args& args) {
  std::optional<std::pair<std::string, audit::ChainAnchor>> anchor;
  if (auto text = args.value("anchor")) {
    anchor = parse_anchor(*text);
    if (!anchor) {
      std::fprintf(stderr, "paygate audit verify: --anchor expects STREAM:SEQ:MAC as `paygate audit anchor` prints it\n");
      return exit_usage;
    }
  }
  if (args.positional.empty()) {
    std::fprintf(stderr, "paygate audit verify: name audit files or folders\n");
    return exit_usage;
  }
  auto keyring = keyring_for(args);
  if (!keyring) return exit_usage;
  // Folders give whole series (which must start the chain); files are checked as given.
  std::map<std::string, std::vector<fs::path>> streams;
  bool whole_series = true;
  for (const auto& p : args.positional) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto& [stream, files] : audit::list_audit_files(p)) {
        auto& list = streams[fs::path(p).string() + ":" + stream];
        list.insert(list.end(), files.begin(), files.end());
      }
    } else if (fs::is_regular_file(p, ec)) {
      auto name = audit::parse_audit_file_name(fs::path(p).filename().string());
      if (!name) {
        std::fprintf(stderr, "paygate audit verify: %s is not an audit file (<stream>.<seq>.log)\n", p.c_str());
        return exit_usage;
      }
      streams[name->stream].push_back(p);
      whole_series = false;
    } else {
      std::fprintf(stderr, "paygate audit verify: cannot read %s\n", p.c_str());
      return exit_usage;
    }
  }
  if (streams.empty()) {
    std::fprintf(stderr, "paygate audit verify: no audit files found\n");
    return exit_usage;
  }
  bool tampered = false, torn = false, anchored = false;
  for (auto& [stream, files] : streams) {
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    std::optional<audit::ChainAnchor> stream_anchor;
    const auto name = audit::parse_audit_file_name(files.front().filename().string());
    if (anchor && name && name->stream == anchor->first) {
      stream_anchor = anchor->second;
      anchored = true;
    }
    const auto report = audit::verify_chain(files, *keyring, whole_series, stream_anchor);
    for (const auto& f : report.findings) {
      std::printf("%s:%zu: record %llu: %s: %s\n", f.file.c_str(), f.line, static_cast<unsigned long long>(f.seq),
                  std::string(audit::to_string(f.kind)).c_str(), f.detail.c_str());
    }
    std::printf("%s: %zu files, %llu records, %llu verified, %zu findings%s\n", stream.c_str(), files.size(),
                static_cast<unsigned long long>(report.records), static_cast<unsigned long long>(report.verified),
                report.findings.size(),
                report.tampered() ? " — NOT INTACT"
                : report.unclean() ? " — a run ended without its stop record (crash, or records removed while "
                                     "stopped): check it against an anchor"
                : report.torn()    ? " — intact up to a torn last line (crash)"
                                   : " — intact");
    tampered = tampered || report.tampered();
    torn = torn || report.torn() || report.unclean();
  }
  if (anchor && !anchored) {
    std::printf("anchor: no stream %s here — NOT INTACT\n", anchor->first.c_str());
    tampered = true;
  }
  return tampered ? exit_failure : torn ? exit_torn : exit_ok;
}

int anchor(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "paygate audit anchor: name the audit folder\n");
    return exit_usage;
  }
  auto keyring = keyring_for(args);
  if (!keyring) return exit_usage;
  const auto streams = audit::list_audit_files(args.positional.front());
  if (streams.empty()) {
    std::fprintf(stderr, "paygate audit anchor: no audit files found\n");
    return exit_usage;
  }
  int status = exit_ok;
  for (const auto& [stream, files] : streams) {
    // Only a chain that verifies is worth anchoring.
    const auto report = audit::verify_chain(files, *keyring, true);
    if (report.tampered() || report.last_seq == 0) {
      std::fprintf(stderr, "paygate audit anchor: stream %s is not intact; run paygate audit verify\n", stream.c_str());
      status = exit_failure;
      continue;
    }
    std::printf("%s:%llu:%s\n", stream.c_str(), static_cast<unsigned long long>(report.last_seq),
                audit::tag_hex(report.last_tag).c_str());
  }
  return status;
}

// Known test PANs from a file: the shared vectors' JSON ([{"pan": ...}] or ["..."]), or
// one per line.
bool read_known_pans(const fs::path& file, std::unordered_set<std::string>& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  boost::json::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (!ec && value.is_array()) {
    for (const auto& item : value.get_array()) {
      if (item.is_string()) out.insert(std::string(item.get_string()));
      else if (item.is_object() && item.as_object().contains("pan") && item.at("pan").is_string())
        out.insert(std::string(item.at("pan").get_string()));
    }
    return true;
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.insert(line);
  }
  return true;
}

int scan(const Args& args) {
  if (args.positional.empty()) {
    std::fprintf(stderr, "paygate audit scan: name files or folders to scan\n");
    return exit_usage;
  }
  card::PanScanOptions options;
  if (auto known = args.value("known-pans"); known && !read_known_pans(*known, options.known_pans)) {
    std::fprintf(stderr, "paygate audit scan: cannot read %s\n", known->c_str());
    return exit_usage;
  }
  std::vector<fs::path> files;
  for (const auto& p : args.positional) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      std::fprintf(stderr, "paygate audit scan: cannot read %s\n", p.c_str());
      return exit_usage;
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t findings = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::size_t line_number = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      for (const auto& m : card::find_pans(line, options)) {
        std::printf("%s:%zu: %s\n", file.string().c_str(), line_number, m.masked.c_str());
        ++findings;
      }
    }
  }
  std::fprintf(stderr, "paygate audit scan: %zu files, %zu card numbers found\n", files.size(), findings);
  return findings == 0 ? exit_ok : exit_failure;
}

}  // namespace

Command audit_verify_command() {
  return {{"audit verify",
           "Check audit chains: modified, deleted, inserted or reordered records, missing files, wrong keys "
           "(exit 0 intact, 1 not intact, 3 crash signs only: a torn last line or a run without its stop record, 2 usage).",
           "FILES|DIRS...",
           {{"config", "FILE", "the gateway config (its keys.keyring holds the audit keys)"},
            {"keyring", "FILE", "the keyring file, instead of --config"},
            {"anchor", "STREAM:SEQ:MAC", "a record noted earlier by `paygate audit anchor`: it must still be in the chain"}}},
          verify};
}

Command audit_anchor_command() {
  return {{"audit anchor",
           "Verify each audit stream and print its newest record as STREAM:SEQ:MAC, to keep off-host "
           "(a ticket, another machine); `audit verify --anchor` later proves nothing up to it was cut.",
           "DIR",
           {{"config", "FILE", "the gateway config (its keys.keyring holds the audit keys)"},
            {"keyring", "FILE", "the keyring file, instead of --config"}}},
          anchor};
}

Command audit_scan_command() {
  return {{"audit scan",
           "Find card numbers in text or JSON logs; print file:line and the masked number (exit 1 when any).",
           "PATHS...",
           {{"known-pans", "FILE", "more test PANs to report (JSON list or one per line)"}}},
          scan};
}

}  // namespace paygate::cli
