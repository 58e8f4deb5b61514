#include "tests/support/e2e.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace paygate::test {

std::filesystem::path binary(const std::string& name) { return std::filesystem::path(PAYGATE_BIN_DIR) / name; }
std::filesystem::path source_dir() { return PAYGATE_SOURCE_DIR; }
std::filesystem::path certs_dir() { return PAYGATE_TEST_CERTS; }

ClientOptions client_options(const std::string& merchant) {
  ClientOptions o;
  o.ca = certs_dir() / "ca.pem";
  if (!merchant.empty()) {
    o.certificate = certs_dir() / ("merchant-" + merchant + ".pem");
    o.private_key = certs_dir() / ("merchant-" + merchant + ".key");
  }
  return o;
}

std::uint16_t port_from_ready(const std::string& ready_json, const std::string& listener) {
  std::smatch m;
  std::regex pattern("\"" + listener + "\":\"[^\"]*:([0-9]+)\"");
  if (!std::regex_search(ready_json, m, pattern)) throw std::runtime_error("no port for " + listener);
  return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

void make_dev_keyring(const std::filesystem::path& dir) {
  auto keys = run_command(source_dir().string() + "/certs/make-dev-keys " + binary("paygate").string() + " " +
                          (dir / "keys").string());
  if (keys.exit_code != 0) throw std::runtime_error("make-dev-keys: " + keys.output);
}

Simulator::Simulator(const std::filesystem::path& dir, const std::vector<std::string>& extra) {
  auto ready = dir / "sim.ready";
  std::filesystem::remove(ready);
  std::vector<std::string> argv{binary("paygate-processor-sim").string(), "--listen", "127.0.0.1:0",
                                "--jwe-key", (certs_dir() / "processor-jwe.key").string(), "--iso8583-listen",
                                "127.0.0.1:0", "--ready-file", ready.string()};
  const bool own_certificate = std::find(extra.begin(), extra.end(), "--certificate") != extra.end();
  if (!own_certificate) {
    for (std::string part : {"--certificate", "processor.pem", "--private-key", "processor.key"}) {
      argv.push_back(part.rfind("--", 0) == 0 ? part : (certs_dir() / part).string());
    }
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<ChildProcess>(argv, dir / "sim.log");
  auto text = wait_for_ready_file(ready, *process_);
  if (!text) throw std::runtime_error("simulator did not start: " + read_file(dir / "sim.log"));
  port_ = port_from_ready(*text, "processor");
  iso_port_ = port_from_ready(*text, "iso8583");
}

GatewayProcess::GatewayProcess(const std::filesystem::path& dir, const std::string& config_yaml)
    : config_file_(dir / "paygate.yaml") {
  std::ofstream(config_file_) << config_yaml;
  auto ready = dir / "gateway.ready";
  std::filesystem::remove(ready);
  process_ = std::make_unique<ChildProcess>(
      serve_command_line({"--config", config_file_.string(), "--ready-file", ready.string()}),
      dir / "gateway.log");
  auto text = wait_for_ready_file(ready, *process_);
  if (!text) throw std::runtime_error("gateway did not start: " + read_file(dir / "gateway.log"));
  ready_ = *text;
}

std::uint64_t Simulator::stat(const std::string& name) const {
  ClientOptions options;
  options.ca = certs_dir() / "processor-ca.pem";
  options.server_name = "processor.local";
  HttpsClient client(port_, options);
  auto answer = client.request("GET", "/sim/stats");
  std::smatch m;
  if (!std::regex_search(answer.body, m, std::regex("\"" + name + "\":(\\d+)"))) {
    throw std::runtime_error("unexpected /sim/stats answer: " + answer.body);
  }
  return std::stoull(m[1].str());
}

std::uint16_t GatewayProcess::port(const std::string& listener) const { return port_from_ready(ready_, listener); }

std::vector<std::string> serve_command_line(std::vector<std::string> options) {
  std::vector<std::string> line{binary("paygate").string(), "serve"};
  line.insert(line.end(), options.begin(), options.end());
  // The suite runs as root on CI machines; the gateway refuses that unless told (the
  // privilege drop itself is tested on its own, with files owned by the target user).
  if (::geteuid() == 0) line.emplace_back("--allow-root");
  return line;
}

std::string make_config(const TestConfig& s) {
  const std::string certs = certs_dir().string();
  std::string yaml;
  yaml += "threads: " + std::to_string(s.threads) + "\n";
  yaml += "listeners:\n";
  yaml += "  - name: merchants\n";
  yaml += "    address: 127.0.0.1:0\n";
  yaml += "    tls:\n";
  yaml += "      certificate: " + certs + "/gateway.pem\n";
  yaml += "      private_key: " + certs + "/gateway.key\n";
  yaml += s.listener_tls;
  yaml += "    limits:\n";
  if (s.limits.find("header_timeout") == std::string::npos) yaml += "      header_timeout: 2s\n";
  yaml += s.limits;
  yaml += s.listeners_extra;
  yaml += "processors:\n";
  auto processor = [&](const std::string& name, std::uint16_t port) {
    yaml += "  - name: " + name + "\n";
    yaml += "    url: https://127.0.0.1:" + std::to_string(port) + "\n";
    yaml += "    tls: { ca: " + certs + "/processor-ca.pem, server_name: processor.local }\n";
    yaml += "    timeouts: { connect: " + s.connect_timeout + ", response: " + s.response_timeout + " }\n";
  };
  processor("sim", s.sim_port);
  yaml += s.processor_extra;
  processor("nowhere", s.dead_port ? s.dead_port : unused_port());
  yaml += s.processors_extra;
  yaml += "routes:\n";
  auto route = [&](const std::string& name, const std::string& path, const std::string& processor_name,
                   const std::string& upstream) {
    yaml += "  - name: " + name + "\n";
    yaml += "    match: { method: POST, path: " + path + " }\n";
    yaml += "    processor: " + processor_name + "\n";
    yaml += "    upstream_path: " + upstream + "\n";
  };
  route("payments", "/v1/payments", "sim", "/v1/authorizations");
  for (const char* fault : {"stall", "reset", "garbage", "slow", "500", "close"}) {
    route(std::string("fault-") + fault, std::string("/test/") + fault, "sim", std::string("/sim/fault/") + fault);
  }
  route("unreachable", "/test/unreachable", "nowhere", "/v1/authorizations");
  yaml += s.routes_extra;
  yaml += "logging: " + s.logging + "\n";
  return yaml;
}

std::string audit_records(const std::filesystem::path& audit_dir) {
  std::string records;
  for (const auto& f : std::filesystem::directory_iterator(audit_dir)) {
    if (f.path().extension() == ".log") records += read_file(f.path());
  }
  return records;
}

std::uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace paygate::test
