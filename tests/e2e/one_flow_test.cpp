// The one payment flow, end to end: the same decision on HTTPS and ISO 8583 where the two
// paths used to differ. Here the reported defect itself: a merchant removed by a reload
// kept trading on an ISO 8583 connection it already had open, as "anonymous" with no route
// restriction. Now a keep-alive HTTPS connection and an ISO 8583 connection opened before
// the reload are both refused after it, and the ISO 8583 connection is closed.
#include <gtest/gtest.h>

#include <fstream>

#include "config/iso8583_spec_loader.h"
#include "tests/support/e2e.h"
#include "tests/support/iso_client.h"

namespace paygate::test {
namespace {

namespace iso = protocol::iso8583;

std::string config_yaml(const Simulator& sim, bool with_acme) {
  const std::string certs = certs_dir().string();
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.listeners_extra =
      "  - name: acquirers\n    kind: iso8583\n    address: 127.0.0.1:0\n"
      "    tls: { certificate: " + certs + "/gateway.pem, private_key: " + certs + "/gateway.key, client_ca: " + certs +
      "/ca.pem, require_client_certificate: true }\n"
      "    iso8583: { spec: iso8583-1987-ascii, framing: binary2 }\n";
  settings.listener_tls = "      client_ca: " + certs + "/ca.pem\n";
  settings.processors_extra =
      "  - name: iso-sim\n    url: tls://127.0.0.1:" + std::to_string(sim.iso_port()) + "\n"
      "    tls: { ca: " + certs + "/processor-ca.pem, server_name: processor.local }\n"
      "    iso8583: { spec: iso8583-1987-ascii, framing: binary2 }\n";
  settings.routes_extra =
      "  - name: iso-auth\n    match: { mti: \"0100\" }\n    processor: iso-sim\n    token_profile: cards\n"
      "    response: { \"2\": tokenize }\n";
  std::string yaml = make_config(settings);
  yaml += "merchants:\n";
  if (with_acme) yaml += "  - id: acme\n    certificates: [ { san_uri: \"spiffe://merchants/acme\" } ]\n";
  yaml += "  - id: globex\n    certificates: [ { san_uri: \"spiffe://merchants/globex\" } ]\n";
  yaml += "token_profiles:\n  cards: { kind: vault }\n";
  yaml += "vault: { store: sqlite, path: vault.db }\n";
  yaml += "keys: { keyring: keys/keyring.yaml }\n";
  yaml += "audit: { dir: audit, fsync: batch }\n";
  yaml += "admin: { address: 127.0.0.1:0 }\n";
  return yaml;
}

TEST(OneFlow, AMerchantRemovedByAReloadIsRefusedOnConnectionsOpenedBeforeIt) {
  const auto dir = make_temp_dir("one-flow");
  make_dev_keyring(dir);
  Simulator sim(dir);
  GatewayProcess gateway(dir, config_yaml(sim, true));
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-ascii")).spec;
  ASSERT_TRUE(spec);

  HttpsClient https(gateway.port("merchants"), client_options("acme"));
  IsoClient iso(gateway.port("acquirers"), client_options("acme"), *spec);
  const std::string payment = R"({"merchant_reference":"order-1","amount":{"value":1299,"currency":"EUR"},)"
                              R"("card":{"number":"4111111111111111","expiry_month":12,"expiry_year":2030}})";
  auto before = https.request("POST", "/v1/payments", payment, {{"Content-Type", "application/json"}});
  ASSERT_EQ(before.status, 200u) << before.body;
  ASSERT_TRUE(before.keep_alive);
  iso.send(iso_request("0100", 1, "4111111111111111"));
  auto iso_before = iso.receive();
  ASSERT_TRUE(iso_before);
  ASSERT_EQ(iso_before->fields.get(39), "00");

  std::ofstream(gateway.config_file()) << config_yaml(sim, false);
  auto reload = run_command("curl -sS -X POST http://127.0.0.1:" + std::to_string(gateway.port("admin")) + "/admin/reload");
  ASSERT_NE(reload.output.find("\"reloaded\":true"), std::string::npos) << reload.output;

  auto after = https.request("POST", "/v1/payments", payment, {{"Content-Type", "application/json"}});
  EXPECT_EQ(after.status, 401u) << after.body;
  iso.send(iso_request("0100", 2, "4111111111111111"));
  auto iso_after = iso.receive();
  ASSERT_TRUE(iso_after);
  EXPECT_EQ(iso_after->fields.get(39), "63");
  EXPECT_TRUE(iso.closed_within(std::chrono::seconds(5)));

  // Both refusals are audited as authentication failures; nothing ran as "anonymous".
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string records = audit_records(dir / "audit");
  std::size_t failures = 0;
  for (auto at = records.find("\"type\":\"authentication_failure\""); at != std::string::npos;
       at = records.find("\"type\":\"authentication_failure\"", at + 1)) {
    ++failures;
  }
  EXPECT_EQ(failures, 2u) << records;
  EXPECT_EQ(records.find("\"merchant\":\"anonymous\""), std::string::npos);
}

}  // namespace
}  // namespace paygate::test
