// paygate audit report: what an auditor asks for, from one audit folder and a time range,
// as one self-contained HTML page (no external assets: inline CSS and SVG) and the same
// content as JSON. The chain is verified first (the verdict per stream and every
// finding); then the figures come from the records: volumes per hour by route and
// outcome, authentication failures by client address, fraud blocks and reviews, the key
// lifecycle (key states with check values, rewraps, KEK ceremonies), reloads with actor
// and result, operator commands, and the card-number scan of the same files.
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "audit/files.h"
#include "audit/verify.h"
#include "card/detect.h"
#include "cli/command.h"
#include "config/keyring_loader.h"
#include "config/loader.h"

namespace paygate::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string text_of(const json::object& r, std::string_view key) {
  const auto* v = r.if_contains(key);
  if (!v || v->is_null()) return "";
  return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr std::string_view lifecycle_types[] = {"key_state", "rewrap_start", "rewrap_end", "audit_key_rotation",
                                                "key_generated", "key_wrapped", "key_destroyed", "kek_init",
                                                "kek_components_generated", "kek_rotate_start", "kek_rotate_end"};

struct Report {
  json::array streams;                                             // verdict per stream
  std::map<std::string, std::map<std::string, std::uint64_t>> per_hour;  // hour -> "route outcome" -> n
  std::map<std::string, std::uint64_t> auth_failures;              // client address -> n
  std::uint64_t fraud_blocks = 0, fraud_reviews = 0;
  json::array lifecycle, reloads, operator_commands;
  std::uint64_t records = 0, requests = 0, card_numbers = 0;
  bool intact = true;
};

void read_records(const std::vector<fs::path>& files, const std::string& since, const std::string& until, Report& out) {
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      out.card_numbers += card::find_pans(line).size();
      json::error_code ec;
      auto value = json::parse(line, ec);
      if (ec || !value.is_object()) continue;
      const auto& r = value.get_object();
      const std::string time = text_of(r, "time");
      if ((!since.empty() && time < since) || (!until.empty() && time >= until)) continue;
      ++out.records;
      const std::string type = text_of(r, "type");
      if (type == "request" || type == "iso8583_exchange") {
        ++out.requests;
        out.per_hour[time.substr(0, 13)][text_of(r, "route") + " " + text_of(r, "outcome")]++;
        if (const auto* f = r.if_contains("fraud"); f && f->is_object()) {
          const std::string outcome = text_of(f->get_object(), "outcome");
          if (outcome == "block") ++out.fraud_blocks;
          if (outcome == "review") ++out.fraud_reviews;
        }
      } else if (type == "authentication_failure") {
        out.auth_failures[text_of(r, "client_ip")]++;
      } else if (type == "reload") {
        out.reloads.push_back({{"time", time}, {"actor", text_of(r, "actor")}, {"result", text_of(r, "result")},
                               {"generation", text_of(r, "generation")}});
      } else if (std::find(std::begin(lifecycle_types), std::end(lifecycle_types), type) != std::end(lifecycle_types)) {
        json::object event{{"time", time}, {"type", type}};
        for (const char* k : {"key_id", "use", "change", "state", "kcv", "kek_id", "kek_kcv", "from", "to", "rewrapped",
                              "actor", "operator"}) {
          if (r.contains(k) && !r.at(k).is_null()) event[k] = r.at(k);
        }
        out.lifecycle.push_back(std::move(event));
      }
      if (r.contains("operator") && type != "start" && type != "stop" && type != "file_start" && type != "checkpoint") {
        out.operator_commands.push_back({{"time", time}, {"type", type}, {"operator", text_of(r, "operator")},
                                         {"result", text_of(r, "result")}});
      }
    }
  }
}

json::object to_json(const Report& r) {
  json::object hours;
  for (const auto& [hour, counts] : r.per_hour) {
    json::object c;
    for (const auto& [key, n] : counts) c[key] = n;
    hours[hour] = std::move(c);
  }
  json::object auth;
  for (const auto& [ip, n] : r.auth_failures) auth[ip] = n;
  return {{"verdict", r.intact ? "intact" : "not intact"}, {"streams", r.streams}, {"records", r.records},
          {"requests", r.requests}, {"requests_per_hour", std::move(hours)}, {"authentication_failures", std::move(auth)},
          {"fraud", {{"blocks", r.fraud_blocks}, {"reviews", r.fraud_reviews}}}, {"key_lifecycle", r.lifecycle},
          {"reloads", r.reloads}, {"operator_commands", r.operator_commands},
          {"card_number_scan", {{"card_numbers_found", r.card_numbers}}}};
}

std::string table(const json::array& rows) {
  if (rows.empty()) return "<p>none</p>\n";
  std::set<std::string> columns;
  std::vector<std::string> order;
  for (const auto& row : rows) {
    for (const auto& [k, v] : row.as_object()) {
      if (columns.insert(std::string(k)).second) order.emplace_back(k);
    }
  }
  std::string out = "<table><tr>";
  for (const auto& c : order) out += "<th>" + html_escape(c) + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& c : order) out += "<td>" + html_escape(text_of(row.as_object(), c)) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

// Requests per hour as an inline SVG bar chart (no script, no external reference).
std::string hourly_chart(const Report& r) {
  if (r.per_hour.empty()) return "<p>no requests in range</p>\n";
  std::uint64_t peak = 1;
  for (const auto& [hour, counts] : r.per_hour) {
    std::uint64_t total = 0;
    for (const auto& [k, n] : counts) total += n;
    peak = std::max(peak, total);
  }
  const std::size_t bar = 24, gap = 6, height = 160;
  const std::size_t width = r.per_hour.size() * (bar + gap) + gap;
  std::string svg = "<svg role=\"img\" aria-label=\"requests per hour\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height + 40) + "\">\n";
  std::size_t x = gap;
  for (const auto& [hour, counts] : r.per_hour) {
    std::uint64_t total = 0;
    for (const auto& [k, n] : counts) total += n;
    const std::size_t h = static_cast<std::size_t>(static_cast<double>(total) / static_cast<double>(peak) * height);
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(height - h) + "\" width=\"" + std::to_string(bar) +
           "\" height=\"" + std::to_string(h) + "\" fill=\"#3a6ea5\"><title>" + html_escape(hour) + ": " +
           std::to_string(total) + "</title></rect>\n";
    svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(height + 14) + "\" font-size=\"9\">" +
           html_escape(hour.substr(hour.size() > 2 ? hour.size() - 2 : 0)) + "h</text>\n";
    x += bar + gap;
  }
  return svg + "</svg>\n";
}

std::string to_html(const Report& r, const std::string& dir, const std::string& since, const std::string& until) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>paygate audit report</title>\n"
                  "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}"
                  "td,th{border:1px solid #bbb;padding:2px 6px;font-size:13px}.bad{color:#a00}.ok{color:#070}</style>"
                  "</head><body>\n";
  h += "<h1>paygate audit report</h1>\n<p>Folder " + html_escape(dir) + "; range " +
       html_escape(since.empty() ? "start" : since) + " to " + html_escape(until.empty() ? "end" : until) + ".</p>\n";
  h += std::string("<h2>Verification: <span class=\"") + (r.intact ? "ok\">intact" : "bad\">NOT intact") + "</span></h2>\n";
  h += table(r.streams);
  h += "<h2>Requests per hour (" + std::to_string(r.requests) + " in range)</h2>\n" + hourly_chart(r);
  json::array rows;
  for (const auto& [hour, counts] : r.per_hour) {
    for (const auto& [key, n] : counts) rows.push_back({{"hour", hour}, {"route outcome", key}, {"requests", n}});
  }
  h += table(rows);
  rows.clear();
  for (const auto& [ip, n] : r.auth_failures) rows.push_back({{"client address", ip}, {"failures", n}});
  h += "<h2>Authentication failures by client address</h2>\n" + table(rows);
  h += "<h2>Fraud</h2>\n<p>blocked " + std::to_string(r.fraud_blocks) + ", sent for review " +
       std::to_string(r.fraud_reviews) + "</p>\n";
  h += "<h2>Key lifecycle</h2>\n" + table(r.lifecycle);
  h += "<h2>Reloads</h2>\n" + table(r.reloads);
  h += "<h2>Operator commands</h2>\n" + table(r.operator_commands);
  h += std::string("<h2>Card-number scan</h2>\n<p class=\"") + (r.card_numbers ? "bad" : "ok") + "\">" +
       std::to_string(r.card_numbers) + " card numbers found in the audit files</p>\n";
  return h + "</body></html>\n";
}

int report(const Args& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "paygate audit report: name the audit folder: paygate audit report DIR --config FILE --html F\n");
    return exit_usage;
  }
  const std::string dir = args.positional[0];
  auto loaded = config::load(*args.value("config"));
  if (!loaded.ok() || !loaded.config->keyring) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return exit_failure;
  }
  const auto streams = audit::list_audit_files(dir);
  if (streams.empty()) {
    std::fprintf(stderr, "paygate audit report: no audit files in %s\n", dir.c_str());
    return exit_failure;
  }
  Report r;
  const std::string since = args.value("since").value_or(""), until = args.value("until").value_or("");
  for (const auto& [stream, files] : streams) {
    const auto verified = audit::verify_chain(files, *loaded.config->keyring);
    std::string findings;
    for (const auto& f : verified.findings) {
      findings += (findings.empty() ? "" : "; ") + std::string(audit::to_string(f.kind)) + " at " + f.file + ":" +
                  std::to_string(f.line);
    }
    r.intact = r.intact && !verified.tampered();
    r.streams.push_back({{"stream", stream}, {"files", files.size()}, {"records", verified.records},
                         {"verified", verified.verified}, {"verdict", verified.tampered() ? "not intact" : "intact"},
                         {"findings", findings.empty() ? "none" : findings}});
    read_records(files, since, until, r);
  }
  const auto write = [](const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
  };
  const json::object content = to_json(r);
  if (auto path = args.value("json"); path && !write(*path, json::serialize(content) + "\n")) return exit_failure;
  if (auto path = args.value("html"); path && !write(*path, to_html(r, dir, since, until))) return exit_failure;
  std::printf("%s: %llu records in range, %llu requests, %zu authentication-failure addresses, %llu fraud blocks, "
              "%zu key lifecycle events, %zu reloads, %zu operator commands, %llu card numbers\n",
              r.intact ? "intact" : "NOT INTACT", static_cast<unsigned long long>(r.records),
              static_cast<unsigned long long>(r.requests), r.auth_failures.size(),
              static_cast<unsigned long long>(r.fraud_blocks), r.lifecycle.size(), r.reloads.size(),
              r.operator_commands.size(), static_cast<unsigned long long>(r.card_numbers));
  return r.intact && r.card_numbers == 0 ? exit_ok : exit_failure;
}

}  // namespace

Command audit_report_command() {
  return {{"audit report",
           "Verify an audit folder and write one self-contained HTML page (inline SVG, no external assets) and/or "
           "JSON: verdicts, requests per hour, authentication failures, fraud, key lifecycle, reloads, operator "
           "commands, card-number scan.",
           "DIR",
           {{"config", "FILE", "the gateway config (its keyring holds the audit keys)", true},
            {"html", "FILE", "write the HTML page here", false},
            {"json", "FILE", "write the same content as JSON here", false},
            {"since", "TIME", "from this UTC time (e.g. 2026-12-05)", false},
            {"until", "TIME", "before this UTC time", false}}},
          report};
}

}  // namespace paygate::cli
