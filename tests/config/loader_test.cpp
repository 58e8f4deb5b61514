#include "config/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/e2e.h"
#include "tests/support/process.h"

namespace paygate::config {
namespace {

namespace fs = std::filesystem;

// A valid configuration; cases below edit it line by line, so line numbers are stable:
//   1 listeners          5 certificate      9 url          13 - name: payments
//   2 - name: merchants  6 private_key     10 tls          14 match
//   3 address            7 processors      11 ca           15 processor
//   4 tls                8 - name: sim     12 routes
std::string base_yaml() {
  const std::string certs = test::certs_dir().string();
  return "listeners:\n"
         "  - name: merchants\n"
         "    address: 127.0.0.1:8443\n"
         "    tls:\n"
         "      certificate: " + certs + "/gateway.pem\n"
         "      private_key: " + certs + "/gateway.key\n"
         "processors:\n"
         "  - name: sim\n"
         "    url: https://127.0.0.1:9443\n"
         "    tls:\n"
         "      ca: " + certs + "/processor-ca.pem\n"
         "routes:\n"
         "  - name: payments\n"
         "    match: { method: POST, path: /v1/payments }\n"
         "    processor: sim\n";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("no '" + from + "' in the base config");
  return text.replace(pos, from.size(), to);
}

// Errors as "name:line:column: path: message", with the directory cut off and the test
// certificates' folder written as CERTS.
std::vector<std::string> messages(const LoadResult& result) {
  std::vector<std::string> out;
  for (ConfigError e : result.errors) {
    e.file = fs::path(e.file).filename().string();
    std::string text = e.to_string();
    const std::string certs = test::certs_dir().string();
    for (auto pos = text.find(certs); pos != std::string::npos; pos = text.find(certs)) text.replace(pos, certs.size(), "CERTS");
    out.push_back(text);
  }
  return out;
}

LoadResult load_text(const std::string& yaml) { return load_from_string(yaml, "/etc/paygate/paygate.yaml"); }

TEST(ConfigLoader, LoadsTheBaseConfigWithDefaults) {
  auto result = load_text(base_yaml());
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const Config& c = *result.config;
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].address.port, 8443);
  EXPECT_EQ(c.listeners[0].limits.max_body, 64u * 1024);
  EXPECT_EQ(c.listeners[0].limits.header_timeout, Duration{5000});
  EXPECT_FALSE(c.listeners[0].tls.client_ca);
  ASSERT_EQ(c.processors.size(), 1u);
  EXPECT_EQ(c.processors[0].endpoint.port, 9443);
  EXPECT_EQ(c.processors[0].tls.server_name, "127.0.0.1");  // defaults to the URL host
  EXPECT_EQ(c.processors[0].base_path, "");
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].upstream_path, "/v1/payments");  // defaults to the matched path
  EXPECT_EQ(&c.processor_for(c.routes[0]), &c.processors[0]);
}

TEST(ConfigLoader, TheExampleConfigIsValid) {
  auto result = load(test::source_dir() / "config/examples/paygate.yaml");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const Config& c = *result.config;
  EXPECT_EQ(c.listeners[0].address.to_string(), "127.0.0.1:8443");
  EXPECT_EQ(c.processors[0].tls.server_name, "processor.local");
  const auto payments = std::find_if(c.routes.begin(), c.routes.end(), [](const Route& r) { return r.name == "payments"; });
  ASSERT_NE(payments, c.routes.end());
  EXPECT_EQ(payments->upstream_path, "/v1/authorizations");
  EXPECT_EQ(payments->fraud_profile, "standard");
  ASSERT_TRUE(c.fraud.profile("standard"));
  EXPECT_EQ(c.fraud.profile("standard")->rules.size(), 10u);  // the realistic profile the benchmark uses
  EXPECT_EQ(c.listeners[1].kind, ListenerKind::iso8583);
  EXPECT_EQ(c.logging.format, LogFormat::text);
  // Relative paths resolve against the config file's folder.
  EXPECT_EQ(c.listeners[0].tls.certificate, (test::source_dir() / "certs/out/gateway.pem").lexically_normal());
  EXPECT_TRUE(c.audit.enabled);
  EXPECT_EQ(c.audit.dir, (test::source_dir() / "var/audit").lexically_normal());
  EXPECT_EQ(c.audit.fsync, AuditConfig::Fsync::batch);
  EXPECT_EQ(c.audit.batch_interval, Duration{5});
  EXPECT_EQ(c.audit.on_full, AuditConfig::OnFull::block);
  EXPECT_EQ(c.audit.max_file_size, 64ull << 20);
}

TEST(ConfigLoader, ReadsEveryOptionalSection) {
  std::string yaml = replace(base_yaml(), "    tls:\n      certificate",
                             "    limits: { max_body: 1MiB, max_header: 8KiB, header_timeout: 250ms, body_timeout: 2s,\n"
                             "              idle_timeout: 1m, write_timeout: 3s, max_connections: 7,\n"
                             "              send_buffer: 32KiB }\n"
                             "    tls:\n      certificate");
  yaml = replace(yaml, "url: https://127.0.0.1:9443", "url: https://proc.example:8443/api/\n"
                 "    timeouts: { connect: 100ms, response: 1h }\n"
                 "    pool: { max_connections: 3, max_waiting: 0, idle_timeout: 10s }\n"
                 "    max_response: 2MiB");
  yaml += "    upstream_path: /authorize\nthreads: 4\nlogging: { format: json, level: warn, access_log: false }\n";
  auto result = load_text(yaml);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const Config& c = *result.config;
  const auto& l = c.listeners[0].limits;
  EXPECT_EQ(l.max_body, 1u << 20);
  EXPECT_EQ(l.max_header, 8u * 1024);
  EXPECT_EQ(l.header_timeout, Duration{250});
  EXPECT_EQ(l.body_timeout, Duration{2000});
  EXPECT_EQ(l.idle_timeout, Duration{60000});
  EXPECT_EQ(l.write_timeout, Duration{3000});
  EXPECT_EQ(l.max_connections, 7u);
  EXPECT_EQ(l.send_buffer, 32u * 1024);
  const auto& p = c.processors[0];
  EXPECT_EQ(p.endpoint.host, "proc.example");
  EXPECT_EQ(p.endpoint.port, 8443);
  EXPECT_EQ(p.base_path, "/api");
  EXPECT_EQ(p.timeouts.connect, Duration{100});
  EXPECT_EQ(p.timeouts.response, Duration{3600000});
  EXPECT_EQ(p.pool.max_connections, 3u);
  EXPECT_EQ(p.pool.max_waiting, 0u);
  EXPECT_EQ(p.pool.idle_timeout, Duration{10000});
  EXPECT_EQ(p.max_response, 2u << 20);
  EXPECT_EQ(c.routes[0].upstream_path, "/authorize");
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.logging.format, LogFormat::json);
  EXPECT_EQ(c.logging.level, LogLevel::warn);
  EXPECT_FALSE(c.logging.access_log);
}

struct BadCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected;
};

std::vector<BadCase> bad_cases() {
  const std::string base = base_yaml();
  return {
      {"unknown key with a suggestion",
       replace(base, "      certificate:", "      certficate:"),
       {"paygate.yaml:5:7: listeners[0].tls.certificate: required key is missing",
        "paygate.yaml:5:7: listeners[0].tls.certficate: unknown key (did you mean \"certificate\"?)"}},
      {"unknown key without a close match",
       base + "colour: blue\n",
       {"paygate.yaml:16:1: colour: unknown key"}},
      {"missing certificate file",
       replace(base, "/gateway.pem", "/missing.pem"),
       {"paygate.yaml:5:20: listeners[0].tls.certificate: file not found: CERTS/missing.pem"}},
      {"a sequence where a value belongs",
       replace(base, "address: 127.0.0.1:8443", "address: [1, 2]"),
       {"paygate.yaml:3:14: listeners[0].address: expected a value, found a sequence"}},
      {"bad host:port",
       replace(base, "address: 127.0.0.1:8443", "address: 127.0.0.1"),
       {"paygate.yaml:3:14: listeners[0].address: expected host:port, e.g. 127.0.0.1:8443 or [::1]:8443"}},
      {"duration without a unit",
       replace(base, "    tls:\n      certificate", "    limits: { header_timeout: 5 }\n    tls:\n      certificate"),
       {"paygate.yaml:4:31: listeners[0].limits.header_timeout: expected a duration such as 250ms, 5s, 2m or 1h"}},
      {"size with a wrong unit",
       replace(base, "    tls:\n      certificate", "    limits: { max_body: 64KB }\n    tls:\n      certificate"),
       {"paygate.yaml:4:25: listeners[0].limits.max_body: expected a size such as 512, 64KiB or 1MiB"}},
      {"size out of range",
       replace(base, "    tls:\n      certificate", "    limits: { max_header: 1GiB }\n    tls:\n      certificate"),
       {"paygate.yaml:4:27: listeners[0].limits.max_header: must be from 1024 to 1048576 bytes"}},
      {"count out of range",
       base + "threads: 1000\n",
       {"paygate.yaml:16:10: threads: expected a whole number from 0 to 256"}},
      {"route names a processor that does not exist",
       replace(base, "processor: sim", "processor: simm"),
       {"paygate.yaml:15:16: routes[0].processor: no processor named \"simm\""}},
      {"missing top-level key",
       base.substr(0, base.find("routes:")),
       {"paygate.yaml:1:1: routes: required key is missing"}},
      {"processor url must be https",
       replace(base, "url: https://127.0.0.1:9443", "url: http://127.0.0.1:9443"),
       {"paygate.yaml:9:10: processors[0].url: expected https://host[:port][/path], or tls://host:port for ISO 8583"}},
      {"unknown listener kind",
       replace(base, "    address:", "    kind: http\n    address:"),
       {"paygate.yaml:3:11: listeners[0].kind: expected one of: https, iso8583"}},
      {"boolean spelled the YAML 1.1 way",
       base + "logging: { access_log: yes }\n",
       {"paygate.yaml:16:24: logging.access_log: expected true or false"}},
      {"duplicate key",
       replace(base, "  - name: sim\n", "  - name: sim\n    name: other\n"),
       {"paygate.yaml:9:5: processors[0].name: duplicate key"}},
      {"duplicate route",
       base + "  - name: payments\n    match: { method: POST, path: /v1/payments }\n    processor: sim\n",
       {"paygate.yaml:16:5: routes[1]: duplicate route name payments",
        "paygate.yaml:16:5: routes[1]: duplicate route for POST /v1/payments"}},
      {"bad method and path",
       replace(base, "{ method: POST, path: /v1/payments }", "{ method: post, path: v1 }"),
       {"paygate.yaml:14:22: routes[0].match.method: expected one of: GET, POST, PUT, PATCH, DELETE",
        "paygate.yaml:14:34: routes[0].match.path: expected an absolute path such as /v1/payments"}},
      {"audit: a bad choice, a bad duration, and no keyring for its key",
       base + "audit: { dir: /tmp, fsync: sometimes, batch_interval: 5 }\n",
       {"paygate.yaml:16:8: audit: the audit log needs keys.keyring (its primary audit key)",
        "paygate.yaml:16:28: audit.fsync: expected one of: always, batch",
        "paygate.yaml:16:55: audit.batch_interval: expected a duration such as 250ms, 5s, 2m or 1h"}},
      {"audit: a folder whose parent does not exist, an unknown policy",
       base + "audit: { dir: /nonexistent/a/b, on_full: drop }\n",
       {"paygate.yaml:16:8: audit: the audit log needs keys.keyring (its primary audit key)",
        "paygate.yaml:16:15: audit.dir: neither the folder nor its parent exists (/nonexistent/a/b)",
        "paygate.yaml:16:42: audit.on_full: expected one of: block, fail_closed"}},
      {"route actions need what performs them",
       replace(base, "    processor: sim\n", "    processor: sim\n    request: { \"$.card.number\": [tokenize, encrypt_for_processor] }\n"),
       {"paygate.yaml:13:5: routes[0]: token actions need token_profile",
        "paygate.yaml:13:5: routes[0]: encrypt_for_processor needs processors[sim].jwe.public_key"}},
      {"the anonymous merchant id is reserved",
       base + "merchants:\n  - { id: anonymous, api_key_sha256: [ " + std::string(64, 'a') + " ] }\n",
       {"paygate.yaml:17:11: merchants[0].id: \"anonymous\" is reserved for requests where no merchants are configured"}},
      {"an action where it cannot be used",
       replace(base, "    processor: sim\n", "    processor: sim\n    request: { \"$.card.number\": decrypt_from_processor }\n"),
       {"paygate.yaml:16:33: routes[0].request[$.card.number]: decrypt_from_processor is not a request action; expected "
        "one of: tokenize, issue_token, detokenize, encrypt_for_processor, encrypt, drop, mask_in_logs"}},
      {"top level is not a mapping",
       "- listeners\n",
       {"paygate.yaml:1:1: (top level): expected a mapping, found a sequence"}},
      {"YAML syntax error",
       "listeners: [\n",
       {"paygate.yaml:2:1: (syntax): end of sequence flow not found"}},
      {"every problem is reported at once",
       replace(replace(replace(base, "address: 127.0.0.1:8443", "address: nowhere"), "/processor-ca.pem", "/nope.pem"),
               "processor: sim", "processor: other"),
       {"paygate.yaml:3:14: listeners[0].address: expected host:port, e.g. 127.0.0.1:8443 or [::1]:8443",
        "paygate.yaml:11:11: processors[0].tls.ca: file not found: CERTS/nope.pem",
        "paygate.yaml:15:16: routes[0].processor: no processor named \"other\""}},
  };
}

// An ISO 8583 listener, processor and route, as docs/iso8583.md shows them.
std::string iso_yaml() {
  return base_yaml() +
         "  - name: iso-auth\n    match: { mti: \"0100\", processing_code: \"00\" }\n    processor: host\n"
         "    token_profile: cards\n    request: { \"DE2\": detokenize, \"45\": drop }\n    response: { \"2\": tokenize }\n"
         "token_profiles:\n  cards: { kind: fpe }\n"
         "keys: { keyring: " + (test::source_dir() / "var/keys/keyring.yaml").string() + " }\n";
}

std::string with_iso(std::string yaml) {
  const std::string certs = test::certs_dir().string();
  yaml = replace(yaml, "processors:\n",
                 "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:8583\n    tls:\n"
                 "      certificate: " + certs + "/gateway.pem\n      private_key: " + certs + "/gateway.key\n"
                 "    iso8583: { spec: iso8583-1987-ascii, framing: bcd2, max_frame: 4096, max_age: 10m, format_error_code: \"30\" }\n"
                 "processors:\n"
                 "  - name: host\n    url: tls://127.0.0.1:5000\n    tls: { ca: " + certs + "/processor-ca.pem }\n"
                 "    iso8583: { spec: iso8583-1987-ascii, links: 3, match: [11, 41], timeout_code: \"91\", echo_interval: 5s,\n"
                 "               reconnect: { min: 50ms, max: 2s } }\n");
  return yaml;
}

// JWE content-key reuse (issue #21) is opt-in per processor, bounded by count and age
// (both required), and only for RSA keys; absent, no processor reuses a content key.
TEST(ConfigLoader, ContentKeyReuseIsOptInBoundedAndForRsaKeysOnly) {
  const std::string certs = test::certs_dir().string();
  const std::string with_key =
      replace(base_yaml(), "      ca: " + certs + "/processor-ca.pem\n",
              "      ca: " + certs + "/processor-ca.pem\n    jwe:\n      public_key: " + certs + "/processor-jwe.pub.pem\n");
  auto plain = load_text(with_key);
  ASSERT_TRUE(plain.ok()) << ::testing::PrintToString(messages(plain));
  EXPECT_EQ(plain.config->processors[0].jwe.reuse_messages, 0u);  // off by default
  auto on = load_text(with_key.substr(0, with_key.find("routes:")) +
                      "      content_key_reuse: { messages: 1000, max_age: 30s }\n" +
                      with_key.substr(with_key.find("routes:")));
  ASSERT_TRUE(on.ok()) << ::testing::PrintToString(messages(on));
  EXPECT_EQ(on.config->processors[0].jwe.reuse_messages, 1000u);
  EXPECT_EQ(on.config->processors[0].jwe.reuse_max_age, Duration{30000});
  auto bad = load_text(with_key.substr(0, with_key.find("routes:")) +
                       "      content_key_reuse: { messages: 1, max_age: 2h }\n" +
                       with_key.substr(with_key.find("routes:")));
  EXPECT_EQ(messages(bad), (std::vector<std::string>{
                               "paygate.yaml:14:38: processors[0].jwe.content_key_reuse.messages: expected a whole number from 2 to 100000",
                               "paygate.yaml:14:50: processors[0].jwe.content_key_reuse.max_age: must be from 1000ms to 3600000ms"}));
  auto missing = load_text(with_key.substr(0, with_key.find("routes:")) + "      content_key_reuse: { messages: 10 }\n" +
                           with_key.substr(with_key.find("routes:")));
  ASSERT_EQ(messages(missing).size(), 1u);
  EXPECT_NE(messages(missing)[0].find("content_key_reuse.max_age"), std::string::npos);
}

TEST(ConfigLoader, ReadsIso8583ListenersProcessorsAndRoutes) {
  auto result = load_text(with_iso(iso_yaml()));
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(messages(result));
  const Config& c = *result.config;
  ASSERT_TRUE(c.listeners[1].iso);
  EXPECT_EQ(c.listeners[1].kind, ListenerKind::iso8583);
  EXPECT_EQ(c.listeners[1].iso->framing, protocol::iso8583::Framing::bcd2);
  EXPECT_EQ(c.listeners[1].iso->max_frame, 4096u);
  EXPECT_EQ(c.listeners[1].iso->max_age, Duration{600000});
  ASSERT_TRUE(c.listeners[1].iso->spec);
  const auto& host = c.processors[0];
  ASSERT_TRUE(host.iso);
  EXPECT_EQ(host.iso->links, 3u);
  EXPECT_EQ(host.iso->match_fields, (std::vector<int>{11, 41}));
  EXPECT_EQ(host.iso->reconnect_min, Duration{50});
  EXPECT_EQ(host.endpoint.port, 5000);
  const auto& route = c.routes[1];
  EXPECT_TRUE(route.is_iso8583());
  EXPECT_EQ(route.match.processing_code, "00");
  ASSERT_EQ(route.iso_request_policy.size(), 2u);
  EXPECT_EQ(route.iso_request_policy[0].field, 2);
  EXPECT_EQ(route.iso_request_policy[1].field, 45);
  EXPECT_EQ(route.iso_response_policy[0].actions, (std::vector<protocol::FieldAction>{protocol::FieldAction::tokenize}));
}

TEST(ConfigLoader, Iso8583MistakesAreNamedByTheirPath) {
  struct Case {
    std::string name, from, to, expected;
  };
  const std::vector<Case> cases = {
      {"a PIN block rule", "\"45\": drop", "\"52\": drop", "routes[1].request[52]: DE 52 (PIN block) and DE 55 (EMV data) pass through untouched"},
      {"tokenizing an amount", "\"45\": drop", "\"4\": tokenize", "tokenize and detokenize apply to DE 2 and DE 35"},
      {"not a field", "\"45\": drop", "\"$.card\": drop", "expected a field number 2..128"},
      {"an MTI that is not one", "mti: \"0100\"", "mti: \"01x0\"", "routes[1].match.mti: expected four digits"},
      {"an unknown spec", "spec: iso8583-1987-ascii, links", "spec: no-such-spec, links", "processors[0].iso8583.spec: cannot use ISO 8583 spec"},
      {"a bad response code", "timeout_code: \"91\"", "timeout_code: \"911\"", "processors[0].iso8583.timeout_code: expected a two-character"},
      {"an ISO route to an HTTPS processor", "processor: host\n", "processor: sim\n", "an ISO 8583 route (match.mti) needs an ISO 8583 processor"},
      {"an HTTPS route to an ISO processor", "    processor: sim\n", "    processor: host\n", "speaks ISO 8583: routes to it match on mti"},
  };
  for (const auto& c : cases) {
    auto result = load_text(replace(with_iso(iso_yaml()), c.from, c.to));
    EXPECT_FALSE(result.ok()) << c.name;
    const std::string all = ::testing::PrintToString(messages(result));
    EXPECT_NE(all.find(c.expected), std::string::npos) << c.name << ": " << all;
  }
  auto no_section = load_text(replace(with_iso(iso_yaml()),
                                      "    iso8583: { spec: iso8583-1987-ascii, framing: bcd2, max_frame: 4096, max_age: 10m, format_error_code: \"30\" }\n", ""));
  EXPECT_NE(::testing::PrintToString(messages(no_section)).find("an iso8583 listener needs an iso8583 section"), std::string::npos);
}

TEST(ConfigLoader, RejectsEachBadFileWithItsExactMessages) {
  for (const auto& c : bad_cases()) {
    auto result = load_text(c.yaml);
    EXPECT_FALSE(result.ok()) << c.name;
    EXPECT_EQ(messages(result), c.expected) << c.name;
  }
}

TEST(ConfigLoader, RequireClientCertificateNeedsAClientCa) {
  auto yaml = replace(base_yaml(), "/gateway.key\n", "/gateway.key\n      require_client_certificate: true\n");
  auto result = load_text(yaml);
  EXPECT_EQ(messages(result), std::vector<std::string>{"paygate.yaml:7:35: listeners[0].tls.require_client_certificate: "
                                                       "needs client_ca to verify client certificates against"});
}

TEST(ConfigLoader, RefusesAPrivateKeyOthersCanRead) {
  fs::path dir = test::make_temp_dir("config");
  fs::copy_file(test::certs_dir() / "gateway.key", dir / "loose.key");
  fs::permissions(dir / "loose.key", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                         fs::perms::others_read);
  auto yaml = replace(base_yaml(), test::certs_dir().string() + "/gateway.key", (dir / "loose.key").string());
  auto result = load_text(yaml);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(),
            "/etc/paygate/paygate.yaml:6:20: listeners[0].tls.private_key: private key file is accessible by "
            "group or others (mode 0644); run chmod 600: " + (dir / "loose.key").string());
  fs::remove_all(dir);
}

// fraud.state.redis.tls reads the same client TLS section as a processor's (server_name
// defaults to the host); a Redis off loopback without it is a warning that names what
// would cross the network in the clear.
TEST(ConfigLoader, RedisTlsAndTheWarningForAPlainRedisOffLoopback) {
  const std::string certs = test::certs_dir().string();
  const auto with_redis = [&](const std::string& redis) {
    return load_text(base_yaml() + "fraud:\n  state:\n    store: redis\n    redis: " + redis +
                     "\n  profiles:\n    p:\n      rules:\n        - { name: r, when: { card_attempts_1m: { above: 3 } }, "
                     "outcome: block }\n");
  };
  auto plain_remote = with_redis("{ address: 10.1.2.3:6379 }");
  ASSERT_TRUE(plain_remote.ok()) << messages(plain_remote)[0];
  ASSERT_EQ(warnings(*plain_remote.config).size(), 1u);
  EXPECT_NE(warnings(*plain_remote.config)[0].find("fraud.state.redis.tls: not set"), std::string::npos);
  auto plain_loopback = with_redis("{ address: 127.0.0.1:6379 }");
  ASSERT_TRUE(plain_loopback.ok());
  EXPECT_TRUE(warnings(*plain_loopback.config).empty());
  auto verified = with_redis("{ address: redis.internal:6380, tls: { ca: " + certs + "/ca.pem } }");
  ASSERT_TRUE(verified.ok()) << messages(verified)[0];
  EXPECT_TRUE(warnings(*verified.config).empty());
  ASSERT_TRUE(verified.config->fraud.redis_tls);
  EXPECT_EQ(verified.config->fraud.redis_tls->server_name, "redis.internal");
  EXPECT_EQ(verified.config->fraud.redis_tls->ca, certs + "/ca.pem");
  EXPECT_EQ(messages(with_redis("{ address: 127.0.0.1:6380, tls: { server_name: r } }")),
            std::vector<std::string>{"paygate.yaml:19:44: fraud.state.redis.tls.ca: required key is missing"});
  EXPECT_EQ(messages(with_redis("{ address: 127.0.0.1:6380, tls: { ca: " + certs + "/ca.pem, certificate: " + certs +
                                "/admin-ops.pem } }")),
            std::vector<std::string>{"paygate.yaml:19:44: fraud.state.redis.tls.private_key: certificate and "
                                     "private_key go together"});
}

TEST(ConfigLoader, AnUnreadableFileIsOneError) {
  auto result = load("/nonexistent/paygate.yaml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(), "/nonexistent/paygate.yaml: cannot read the file");
}

TEST(ConfigLoader, AnEmptyFileIsNotAConfig) {
  auto result = load_text("");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message, "expected a mapping, found nothing");
}

}  // namespace
}  // namespace paygate::config
