#include "tests/support/postgres.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "tests/support/e2e.h"
#include "tests/support/process.h"

namespace paygate::test {
namespace {

std::string bin_dir() {
  auto r = run_command("pg_config --bindir");
  std::string dir = r.output.substr(0, r.output.find('\n'));
  if (r.exit_code == 0 && std::filesystem::exists(dir + "/initdb")) return dir;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    if (std::filesystem::exists(entry.path() / "bin/initdb")) return (entry.path() / "bin").string();
  }
  throw std::runtime_error("PostgreSQL server binaries not found (package postgresql)");
}

// Runs a server command as the postgres user when we are root.
std::string as_server_user(const std::string& command) {
  if (::geteuid() != 0) return command;
  return "runuser -u postgres -- " + command;
}

}  // namespace

PostgresServer& PostgresServer::instance() {
  static PostgresServer server;
  return server;
}

PostgresServer::PostgresServer() {
  const std::string bin = bin_dir();
  dir_ = make_temp_dir("postgres").string();
  if (::geteuid() == 0) {
    run_command("chown postgres " + dir_ + " && chmod 700 " + dir_);
  }
  const std::string data = dir_ + "/data";
  auto init = run_command(as_server_user(bin + "/initdb -D " + data + " --auth=trust --username=postgres -E UTF8 --no-sync"));
  if (init.exit_code != 0) throw std::runtime_error("initdb failed: " + init.output);
  port_ = unused_port();
  // TLS on, with the dev gateway certificate (127.0.0.1 and localhost, by the dev CA): the
  // vault's verify-full is tested against the real server. The key must belong to the
  // server's user and be 0600, or PostgreSQL refuses it.
  std::filesystem::copy_file(certs_dir() / "gateway.pem", data + "/server.crt");
  std::filesystem::copy_file(certs_dir() / "gateway.key", data + "/server.key");
  run_command("chmod 600 " + data + "/server.key" + (::geteuid() == 0 ? " && chown postgres " + data + "/server.crt " + data + "/server.key" : ""));
  auto start = run_command(as_server_user(bin + "/pg_ctl -D " + data + " -l " + dir_ + "/server.log -w -t 30 -o \"-p " +
                                          std::to_string(port_) + " -k '' -c listen_addresses=127.0.0.1 -c fsync=on -c ssl=on\" start"));
  if (start.exit_code != 0) throw std::runtime_error("PostgreSQL did not start: " + start.output + read_file(dir_ + "/server.log"));
}

PostgresServer::~PostgresServer() {
  run_command(as_server_user(bin_dir() + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop"));
  std::filesystem::remove_all(dir_);
}

std::string PostgresServer::dsn(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database + " connect_timeout=5";
}

std::string PostgresServer::create_database() {
  const std::string name = "paygate_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  auto r = run_command("psql \"" + dsn() + "\" -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE " + name + "'");
  if (r.exit_code != 0) throw std::runtime_error("CREATE DATABASE failed: " + r.output);
  return dsn(name);
}

}  // namespace paygate::test
