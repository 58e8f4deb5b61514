// /metrics as Prometheus and its operators read it: a live scrape passes `promtool check
// metrics` (the Prometheus project's own linter) with nothing to say, and carries what
// operators expect — process_*, build info, audit and vault health, the last good reload.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <regex>
#include <string>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

const std::string payment =
    R"({"merchant_reference":"m-1","amount":{"value":1000,"currency":"EUR"},)"
    R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})";

double sample(const std::string& scrape, const std::string& series) {
  std::smatch m;
  if (!std::regex_search(scrape, m, std::regex("\n" + std::regex_replace(series, std::regex(R"([{}"])"), R"(\$&)") +
                                                " ([0-9.e+-]+)\n"))) {
    return -1;
  }
  return std::stod(m[1].str());
}

// Every paygate_* / process_* name an expression in `file` uses.
std::set<std::string> metric_names(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  std::set<std::string> out;
  const std::regex name(R"(\b((?:paygate|process)_[a-z0-9_]+)\b)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

TEST(Metrics, ALiveScrapePassesPromtoolAndCarriesWhatOperatorsExpect) {
  const auto dir = make_temp_dir("metrics");
  make_dev_keyring(dir);
  Simulator sim(make_temp_dir("metrics-sim"));
  TestConfig settings;
  settings.sim_port = sim.port();
  std::string yaml = make_config(settings);
  yaml.insert(yaml.find("logging:"),
              "  - name: pay\n    match: { method: POST, path: /v2/payments }\n    processor: sim\n"
              "    upstream_path: /v1/authorizations\n    message: authorization\n    token_profile: cards\n"
              "    fraud_profile: standard\n    request: { \"$.card.number\": issue_token }\n");
  yaml += "fraud:\n  profiles:\n    standard:\n      rules:\n        - { name: many-cards, when: { ip_distinct_cards_1h: "
          "{ above: 5 } }, outcome: block }\n";
  yaml += "token_profiles:\n  cards: { kind: vault }\nvault: { store: sqlite, path: vault.db }\n"
          "keys: { keyring: keys/keyring.yaml }\naudit: { dir: audit, fsync: batch }\nadmin: { address: 127.0.0.1:0 }\n";
  GatewayProcess gateway(dir, yaml);
  HttpsClient client(gateway.port(), client_options());
  ASSERT_EQ(client.request("POST", "/v2/payments", payment, {{"content-type", "application/json"}}).status, 200u);
  ASSERT_EQ(client.request("POST", "/v2/payments", payment, {{"content-type", "application/json"}}).status, 200u);
  const std::string url = "http://127.0.0.1:" + std::to_string(gateway.port("admin")) + "/metrics";

  auto checked = run_command("curl -sS " + url + " | promtool check metrics 2>&1");
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_EQ(checked.output, "") << "promtool's lint findings";

  const std::string scrape = "\n" + run_command("curl -sS " + url).output;
  EXPECT_GT(sample(scrape, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(sample(scrape, "process_open_fds"), 5);
  EXPECT_GT(sample(scrape, "process_max_fds"), 1000);
  EXPECT_GT(sample(scrape, "process_cpu_seconds_total"), 0);
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_NEAR(sample(scrape, "process_start_time_seconds"), now, 120);
  EXPECT_NEAR(sample(scrape, "paygate_last_reload_success_timestamp_seconds"), now, 120);
  EXPECT_TRUE(std::regex_search(scrape, std::regex(R"(\npaygate_build_info\{version="[0-9.]+",commit="[0-9a-f]{12}|unknown"\} 1\n)")))
      << scrape.substr(0, 300);
  EXPECT_EQ(sample(scrape, "paygate_audit_queue_depth"), 0);
  EXPECT_EQ(sample(scrape, "paygate_audit_write_failures_total"), 0);
  EXPECT_EQ(sample(scrape, "paygate_audit_healthy"), 1);
  EXPECT_EQ(sample(scrape, "paygate_vault_queue_depth"), 0);
  EXPECT_EQ(sample(scrape, "paygate_vault_errors_total"), 0);
  EXPECT_EQ(sample(scrape, R"(paygate_reloads_total{outcome="refused"})"), 0);
  // The first payment's card was not in the token cache: its request step began on the
  // network thread, stalled and ran again on the blocking pool. The second, a known card,
  // stayed on the network thread (issue #21).
  EXPECT_EQ(sample(scrape, "paygate_request_step_stalls_total"), 1);
  // Every certificate served or trusted, with its expiry (the dev certificates: 825 days at most).
  for (const char* series : {R"(paygate_certificate_not_after_seconds{kind="listener",name="merchants"})",
                             R"(paygate_certificate_not_after_seconds{kind="processor_ca",name="sim"})"}) {
    EXPECT_GT(sample(scrape, series), now) << series;
    EXPECT_LT(sample(scrape, series), now + 3 * 365 * 86400.0) << series;
  }
  // Key use an auditor can see: the vault's keys are counted by id and use — the first
  // payment keyed and sealed a new row (fingerprint + data key), the second found it by
  // fingerprint — and each request's audit record names them.
  EXPECT_EQ(sample(scrape, R"(paygate_key_use_total{key_id="fp-dev-1",use="fingerprint"})"), 2);
  EXPECT_EQ(sample(scrape, R"(paygate_key_use_total{key_id="data-dev-1",use="data"})"), 1);
  EXPECT_EQ(sample(scrape, R"(paygate_key_use_total{key_id="fpe-dev-1",use="fpe"})"), 0);
  const std::string records = audit_records(dir / "audit");
  EXPECT_NE(records.find(R"("key_ids":["data-dev-1","fp-dev-1"])"), std::string::npos) << records.substr(0, 2000);
  EXPECT_NE(records.find(R"("key_ids":["fp-dev-1"])"), std::string::npos);

  // audit query finds the same records, filtered, as JSON lines.
  const std::string query = binary("paygate").string() + " audit query " + (dir / "audit").string();
  const auto lines = [](const std::string& text) {
    std::size_t n = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      EXPECT_TRUE(boost::json::parse(line).is_object()) << line;
      ++n;
    }
    return n;
  };
  const auto requests = run_command(query + " --type request --reference m-1 2>/dev/null");
  EXPECT_EQ(requests.exit_code, 0);
  EXPECT_EQ(lines(requests.output), 2u) << requests.output;
  EXPECT_EQ(lines(run_command(query + " --key-id data-dev-1 --type request 2>/dev/null").output), 1u)
      << "only the first payment sealed a row";
  EXPECT_EQ(lines(run_command(query + " --key-id fp-dev-1 --type request 2>/dev/null").output), 2u);
  EXPECT_EQ(lines(run_command(query + " --type request --since 2999-01-01 2>/dev/null").output), 0u);
  EXPECT_EQ(lines(run_command(query + " --type request --until 2000-01-01 2>/dev/null").output), 0u);
  EXPECT_EQ(lines(run_command(query + " --type start 2>/dev/null").output), 1u);

  // audit report: the same figures, verified, in one self-contained page and in JSON.
  const auto report_dir = make_temp_dir("metrics-report");
  auto report = run_command(binary("paygate").string() + " audit report " + (dir / "audit").string() + " --config " +
                            (dir / "paygate.yaml").string() + " --html " + (report_dir / "r.html").string() +
                            " --json " + (report_dir / "r.json").string() + " 2>&1");
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_EQ(report.output.rfind("intact: ", 0), 0u) << report.output;
  const auto content = boost::json::parse(read_file(report_dir / "r.json")).as_object();
  EXPECT_EQ(content.at("verdict"), "intact");
  EXPECT_EQ(content.at("requests").to_number<std::uint64_t>(), lines(requests.output)) << "as many as audit query finds";
  std::uint64_t per_hour = 0;
  for (const auto& [hour, counts] : content.at("requests_per_hour").as_object())
    for (const auto& [key, n] : counts.as_object()) per_hour += n.to_number<std::uint64_t>();
  EXPECT_EQ(per_hour, 2u);
  EXPECT_EQ(content.at("card_number_scan").at("card_numbers_found").to_number<std::uint64_t>(), 0u);
  EXPECT_EQ(content.at("fraud").at("blocks").to_number<std::uint64_t>(), 0u);
  const std::string html = read_file(report_dir / "r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("intact"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "a self-contained page: no external reference";
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // A modified record: the report says so and fails.
  const auto copy = make_temp_dir("metrics-tampered");
  for (const auto& f : std::filesystem::directory_iterator(dir / "audit")) {
    if (f.path().extension() != ".log") continue;
    std::string text = read_file(f.path());
    if (const auto at = text.find(R"("merchant_reference":"m-1")"); at != std::string::npos) text.replace(at, 26, R"("merchant_reference":"m-2")");
    std::ofstream(copy / f.path().filename()) << text;
  }
  auto tampered = run_command(binary("paygate").string() + " audit report " + copy.string() + " --config " +
                              (dir / "paygate.yaml").string() + " --json " + (report_dir / "t.json").string() + " 2>&1");
  EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
  EXPECT_EQ(tampered.output.rfind("NOT INTACT", 0), 0u) << tampered.output;

  // The shipped dashboard and alert rules: valid, and every metric they use is in the scrape.
  const auto monitoring = source_dir() / "docs/monitoring";
  auto rules = run_command("promtool check rules " + (monitoring / "paygate-alerts.yml").string() + " 2>&1");
  EXPECT_EQ(rules.exit_code, 0) << rules.output;
  const auto dashboard = boost::json::parse(read_file(monitoring / "paygate-dashboard.json")).as_object();
  EXPECT_GE(dashboard.at("panels").as_array().size(), 10u);
  std::size_t checked_names = 0;
  for (const char* file : {"paygate-alerts.yml", "paygate-dashboard.json"}) {
    for (const auto& name : metric_names(monitoring / file)) {
      ++checked_names;
      EXPECT_TRUE(scrape.find("\n" + name + " ") != std::string::npos || scrape.find("\n" + name + "{") != std::string::npos)
          << file << " uses " << name << ", which a live scrape does not have";
    }
  }
  EXPECT_GE(checked_names, 25u);

  // A payment with an idempotency key asks the payment records: it always stalls.
  ASSERT_EQ(client.request("POST", "/v2/payments", payment,
                           {{"content-type", "application/json"}, {"idempotency-key", "metrics-key-1"}})
                .status,
            200u);
  EXPECT_EQ(sample("\n" + run_command("curl -sS " + url).output, "paygate_request_step_stalls_total"), 2);
}

}  // namespace
}  // namespace paygate::test
