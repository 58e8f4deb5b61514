// Test support for end-to-end tests: the real simulator and gateway processes on
// loopback (port 0), with development certificates made by certs/make-dev-certs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/https_client.h"
#include "tests/support/process.h"

namespace paygate::test {

// Build and source locations, fixed at configure time.
std::filesystem::path binary(const std::string& name);  // build/bin/NAME
std::filesystem::path source_dir();
std::filesystem::path certs_dir();  // made by the ctest fixture "certs"

// Makes a development keyring (certs/make-dev-keys) in DIR/keys; throws when it fails.
void make_dev_keyring(const std::filesystem::path& dir);

// Client options trusting the dev CA, optionally with a merchant's client certificate.
ClientOptions client_options(const std::string& merchant = "");

// The port recorded for `listener` in a ready file's JSON text.
std::uint16_t port_from_ready(const std::string& ready_json, const std::string& listener);

// The processor simulator on 127.0.0.1, any free port.
class Simulator {
 public:
  // `extra` are more command-line options (fault modes, another certificate...).
  explicit Simulator(const std::filesystem::path& dir, const std::vector<std::string>& extra = {});
  std::uint16_t port() const { return port_; }
  std::uint16_t iso_port() const { return iso_port_; }  // its ISO 8583 endpoint (iso8583-1987-ascii, binary2)
  ChildProcess& process() { return *process_; }
  // Requests that reached it, and kept-alive connections it dropped (GET /sim/stats).
  std::uint64_t requests_received() const { return stat("requests"); }
  std::uint64_t connections_dropped() const { return stat("dropped"); }

 private:
  std::uint64_t stat(const std::string& name) const;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::uint16_t iso_port_ = 0;
};

// The gateway started with `config_yaml` written to DIR/paygate.yaml.
class GatewayProcess {
 public:
  GatewayProcess(const std::filesystem::path& dir, const std::string& config_yaml);
  std::uint16_t port(const std::string& listener = "merchants") const;
  ChildProcess& process() { return *process_; }
  std::string log() const { return read_file(process_->log()); }
  const std::filesystem::path& config_file() const { return config_file_; }

 private:
  std::filesystem::path config_file_;
  std::unique_ptr<ChildProcess> process_;
  std::string ready_;
};

// Settings for a standard test configuration: one HTTPS listener, the simulator as
// processor "sim", routes for payments and for each simulator fault.
struct TestConfig {
  std::uint16_t sim_port = 0;
  std::string limits;            // extra YAML lines under listeners[0].limits, indented 6
  std::string listener_tls;      // extra YAML lines under listeners[0].tls, indented 6
  std::string processor_extra;   // extra YAML lines under processors[0], indented 4
  std::string response_timeout = "2s";
  std::string connect_timeout = "1s";
  std::uint16_t dead_port = 0;   // a port where nothing listens, for "unreachable"
  int threads = 2;
  std::string logging = "{ format: text, level: info }";
  std::string listeners_extra;   // more listeners (YAML sequence items, indented 2)
  std::string processors_extra;  // more processors
  std::string routes_extra;      // more routes
};
std::string make_config(const TestConfig& settings);

// `paygate serve` with these options, plus --allow-root when the suite runs as root.
std::vector<std::string> serve_command_line(std::vector<std::string> options);
// The same as one shell command (quoted naively: test paths have no spaces).
inline std::string serve_shell_command(const std::vector<std::string>& options) {
  std::string text;
  for (const auto& part : serve_command_line(options)) text += (text.empty() ? "" : " ") + part;
  return text;
}

// Every record in an audit folder's .log files, concatenated (for substring checks).
std::string audit_records(const std::filesystem::path& audit_dir);

// A loopback port with nothing listening on it (bound, then released).
std::uint16_t unused_port();

}  // namespace paygate::test
