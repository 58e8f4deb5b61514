// Process hygiene of the running gateway: it never serves as root by accident, drops to
// a named user once its listeners are bound, leaves no core dump, keeps key bytes in
// locked memory the kernel will not dump, and refuses key and certificate files whose
// mode gives them away.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

namespace fs = std::filesystem;

std::string valid_config() {
  TestConfig settings;
  settings.sim_port = unused_port();
  return make_config(settings);
}

// The line of /proc/<pid>/<file> that starts with `key`.
std::string proc_line(pid_t pid, const std::string& file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return line;
  }
  return "";
}

// AddressSanitizer replaces mlock() with a no-op (its shadow memory cannot be locked):
// in a sanitizer build only the exclusion from core dumps can be checked.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool mlock_works = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool mlock_works = false;
#else
constexpr bool mlock_works = true;
#endif
#else
constexpr bool mlock_works = true;
#endif

// Whether some mapping of `pid` is excluded from core dumps (dd) and, where mlock works,
// locked (lo).
bool has_locked_undumpable_mapping(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmFlags:", 0) != 0) continue;
    std::istringstream flags(line.substr(8));
    bool locked = false, no_dump = false;
    for (std::string f; flags >> f;) {
      locked = locked || f == "lo";
      no_dump = no_dump || f == "dd";
    }
    if ((locked || !mlock_works) && no_dump) return true;
  }
  return false;
}

void chown_tree(const fs::path& dir, uid_t uid, gid_t gid) {
  ASSERT_EQ(::chown(dir.c_str(), uid, gid), 0);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
  }
}

TEST(ProcessHygiene, RootIsRefusedUnlessItDropsPrivilegesOrIsAllowed) {
  auto dir = make_temp_dir("hygiene");
  std::ofstream(dir / "paygate.yaml") << valid_config();
  const std::string serve = binary("paygate").string() + " serve --config " + (dir / "paygate.yaml").string();
  if (::geteuid() == 0) {
    auto r = run_command(serve);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("refusing to run as root"), std::string::npos) << r.output;
    auto both = run_command(serve + " --user nobody --allow-root");
    EXPECT_EQ(both.exit_code, 1);
    EXPECT_NE(both.output.find("contradict"), std::string::npos) << both.output;
    auto root = run_command(serve + " --user root");
    EXPECT_EQ(root.exit_code, 1);
    EXPECT_NE(root.output.find("--user names root"), std::string::npos) << root.output;
  } else {
    auto r = run_command(serve + " --user nobody");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("needs the gateway to be started as root"), std::string::npos) << r.output;
  }
}

// Started as root with --user nobody: it binds, drops, and then serves a payment whose
// vault row and audit record it writes as nobody.
TEST(ProcessHygiene, DropsToTheNamedUserAndServesWithoutCoreDumpsAndWithLockedKeys) {
  if (::geteuid() != 0) GTEST_SKIP() << "dropping privileges needs the suite to run as root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  auto dir = make_temp_dir("hygiene-drop");
  make_dev_keyring(dir);
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.processor_extra = "    jwe: { public_key: " + (certs_dir() / "processor-jwe.pub.pem").string() + " }\n";
  std::string yaml = make_config(settings);
  yaml.insert(yaml.find("logging:"),
              "  - name: pay\n    match: { method: POST, path: /v2/payments }\n    processor: sim\n"
              "    upstream_path: /v1/authorizations\n    message: authorization\n    token_profile: cards\n"
              "    request: { \"$.card.number\": [issue_token, encrypt_for_processor], \"$.card.cvv\": encrypt_for_processor }\n"
              "    response: { \"$.card.number\": tokenize }\n");
  yaml += "token_profiles:\n  cards: { kind: vault }\nvault: { store: sqlite, path: vault.db }\n"
          "keys: { keyring: keys/keyring.yaml }\naudit: { dir: audit, fsync: always }\n";
  std::ofstream(dir / "paygate.yaml") << yaml;
  // The service user owns what it writes; key files stay 0600 (readable at start, as root).
  chown_tree(dir, nobody->pw_uid, nobody->pw_gid);

  ChildProcess gateway({binary("paygate").string(), "serve", "--config", (dir / "paygate.yaml").string(),
                        "--ready-file", (dir / "gateway.ready").string(), "--user", "nobody"},
                       dir / "gateway.log");
  auto ready = wait_for_ready_file(dir / "gateway.ready", gateway);
  ASSERT_TRUE(ready) << read_file(dir / "gateway.log");
  const std::string uids = proc_line(gateway.pid(), "status", "Uid:");
  EXPECT_TRUE(std::regex_search(uids, std::regex("^Uid:\\s+65534\\s+65534\\s+65534\\s+65534$"))) << uids;
  EXPECT_TRUE(std::regex_search(proc_line(gateway.pid(), "status", "Gid:"),
                                std::regex("^Gid:\\s+65534\\s+65534\\s+65534\\s+65534$")));
  EXPECT_TRUE(std::regex_search(proc_line(gateway.pid(), "limits", "Max core file size"),
                                std::regex("Max core file size\\s+0\\s+0\\s"))) << proc_line(gateway.pid(), "limits", "Max core");
  EXPECT_TRUE(has_locked_undumpable_mapping(gateway.pid()));
  EXPECT_NE(read_file(dir / "gateway.log").find("privileges dropped user=nobody"), std::string::npos);

  HttpsClient client(port_from_ready(*ready, "merchants"), client_options());
  auto answer = client.request("POST", "/v2/payments",
                               R"({"merchant_reference":"o-1","amount":{"value":1299,"currency":"EUR"},)"
                               R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cvv":"737"}})",
                               {{"content-type", "application/json"}});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_NE(audit_records(dir / "audit").find(R"("route":"pay")"), std::string::npos);
  EXPECT_EQ(gateway.stop(SIGTERM), 0);
}

TEST(ProcessHygiene, KeyAndCertificateFilesWithLooseModesAreRefused) {
  auto dir = make_temp_dir("hygiene-modes");
  fs::copy_file(certs_dir() / "gateway.key", dir / "gateway.key");
  fs::copy_file(certs_dir() / "gateway.pem", dir / "gateway.pem");
  std::string yaml = valid_config();
  auto use_local = [&](const std::string& name) {
    const std::string from = (certs_dir() / name).string();
    yaml.replace(yaml.find(from), from.size(), (dir / name).string());
  };
  use_local("gateway.key");
  use_local("gateway.pem");
  std::ofstream(dir / "paygate.yaml") << yaml;
  const std::string serve = serve_shell_command({"--config", (dir / "paygate.yaml").string()});

  fs::permissions(dir / "gateway.key", fs::perms(0640));
  auto readable_key = run_command(serve);
  EXPECT_EQ(readable_key.exit_code, 1);
  EXPECT_NE(readable_key.output.find("listeners[0].tls.private_key: private key file is accessible by group or others (mode 0640)"), std::string::npos)
      << readable_key.output;
  EXPECT_EQ(readable_key.output.find("BEGIN"), std::string::npos);

  fs::permissions(dir / "gateway.key", fs::perms(0600));
  fs::permissions(dir / "gateway.pem", fs::perms(0666));
  auto writable_certificate = run_command(serve);
  EXPECT_EQ(writable_certificate.exit_code, 1);
  EXPECT_NE(writable_certificate.output.find("listeners[0].tls.certificate: file is writable by group or others (mode 0666)"),
            std::string::npos) << writable_certificate.output;
}

}  // namespace
}  // namespace paygate::test
