#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "config/loader.h"
#include "crypto/file_mode.h"
#include "audit/files.h"
#include "gateway/audit_setup.h"
#include "cli/command.h"
#include "cli/ready_file.h"
#include "gateway/service_notify.h"
#include "gateway/log.h"
#include "gateway/process_hygiene.h"
#include "gateway/server.h"
#include "gateway/version.h"

namespace paygate::cli {
namespace {

int serve(const Args& args) {
  const std::string file = *args.value("config");
  // Before the configuration brings any key into this process's memory.
  if (auto failed = gateway::forbid_core_dumps()) {
    std::fprintf(stderr, "paygate serve: cannot forbid core dumps: %s\n", failed->c_str());
    return exit_failure;
  }
  gateway::PrivilegePlan plan;
  if (auto user = args.value("user")) plan.run_as = std::string(*user);
  plan.allow_root = args.flag("allow-root");
  if (auto refused = gateway::check_privilege_plan(plan, ::geteuid() == 0)) {
    std::fprintf(stderr, "paygate serve: %s\n", refused->c_str());
    return exit_failure;
  }
  if (plan.run_as) {
    auto uid = gateway::user_id(*plan.run_as);
    if (!uid) {
      std::fprintf(stderr, "paygate serve: no such user: %s\n", plan.run_as->c_str());
      return exit_failure;
    }
    crypto::allow_secret_file_owner(*uid);  // its key files, read now as root and on reloads as it
  }
  auto loaded = config::load(file);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "paygate serve: refusing to start: %zu configuration problem%s\n",
                 loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
    return exit_failure;
  }
  log::configure(loaded.config->logging);

  if (plan.allow_root) log::warn("running as root", {{"option", "--allow-root"}});
  for (const auto& w : config::warnings(*loaded.config)) log::warn("configuration", {{"warning", w}});
  log::info("descriptor limit", {{"limit", gateway::raise_descriptor_limit()}});

  // Signals are taken by this thread alone (sigwait); the network threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // OpenSSL writes merchant sockets itself (net/socket_tls_stream.h) with write(2):
  // a peer gone mid-write must be an error code, not a signal that ends the process.
  ::signal(SIGPIPE, SIG_IGN);

  // The audit log opens first: a gateway that cannot audit does not serve. Its start
  // record is written now, its stop record when it closes (after the listeners stop).
  std::unique_ptr<audit::AuditLog> audit_log;
  if (loaded.config->audit.enabled) {
    auto opened = gateway::open_audit_log(*loaded.config, std::string(audit::gateway_stream));
    if (!opened) {
      log::error("audit log cannot open", {{"reason", opened.error().to_string()}});
      log::flush();
      return exit_failure;
    }
    audit_log = std::move(opened).value();
    log::info("audit log", {{"file", audit_log->current_file().string()}});
  }

  std::unique_ptr<gateway::Gateway> server;
  try {
    server = gateway::Gateway::start(loaded.config, audit_log.get(), [&plan] {
      if (!plan.run_as) return;
      if (auto failed = gateway::drop_privileges(*plan.run_as)) throw std::runtime_error(*failed);
      log::info("privileges dropped", {{"user", *plan.run_as}});
    });
  } catch (const std::exception& e) {
    log::error("start failed", {{"reason", e.what()}});
    log::flush();
    return exit_failure;
  }
  for (const auto& [name, endpoint] : server->listening()) {
    log::info("listening", {{"listener", name}, {"address", endpoint.to_string()}});
  }
  log::info("serving", {{"version", paygate::version}, {"config", loaded.config->source.string()},
                       {"locked_key_memory", gateway::locked_key_memory()}});
  if (auto ready = args.value("ready-file"); ready && !write_ready_file(*ready, server->listening())) {
    log::error("cannot write ready file", {{"file", *ready}});
    server->stop();
    server->wait();
    return exit_failure;
  }
  service::ready("serving generation 1");
  // systemd's watchdog: a keep-alive only while every network thread still runs what is
  // posted to it; a stuck thread stops them and systemd restarts the service.
  std::atomic<bool> stopping{false};
  std::thread keep_alive;
  if (const auto interval = service::watchdog_interval()) {
    keep_alive = std::thread([&stopping, &server, interval = *interval] {
      while (!stopping.load()) {
        if (server->responsive(std::chrono::duration_cast<std::chrono::milliseconds>(interval))) service::watchdog();
        for (auto slept = std::chrono::microseconds(0); slept < interval && !stopping.load();
             slept += std::chrono::milliseconds(10)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
    });
  }

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      log::info("SIGHUP received: reloading", {{"config", loaded.config->source.string()}});
      (void)server->reload("signal:SIGHUP");  // logs, counts and audits its outcome
      continue;
    }
    break;
  }
  // The drain time of the configuration serving now (a reload may have changed it).
  const auto drain_timeout = server->config()->drain_timeout;
  log::info("signal received: draining", {{"drain_ms", drain_timeout.count()}});
  const bool drained = server->drain(drain_timeout);
  if (!drained) log::warn("drain time over: closing the connections still open");
  server->stop();
  server->wait();
  stopping.store(true);
  if (keep_alive.joinable()) keep_alive.join();
  audit_log.reset();  // the stop record, synced
  log::info("stopped");
  log::flush();
  return exit_ok;
}

}  // namespace

Command serve_command() {
  return {{"serve",
           "Run the gateway with a configuration file until SIGTERM or SIGINT; SIGHUP reloads it.",
           "",
           {{"config", "FILE", "configuration file", true},
            {"ready-file", "FILE", "write the bound addresses as JSON here once listening", false},
            {"user", "NAME", "started as root: drop to this user once the listeners are bound", false},
            {"allow-root", "", "started as root: keep running as root (refused otherwise)", false}}},
          serve};
}

}  // namespace paygate::cli
