// End to end: JSON log lines are valid JSON with the documented fields, and no card data
// reaches them whatever the request.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <signal.h>

#include <sstream>
#include <thread>

#include "tests/support/e2e.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

TEST(JsonLogs, EveryLineIsJsonAndAccessLinesHaveTheirFields) {
  auto dir = make_temp_dir("jsonlog");
  Simulator sim(dir);
  TestConfig settings;
  settings.sim_port = sim.port();
  settings.logging = "{ format: json, level: info }";
  GatewayProcess gateway(dir, make_config(settings));
  std::vector<std::string> ids;
  {
    HttpsClient c(gateway.port(), client_options());
    const std::string pan_body = R"({"amount":{"value":1000,"currency":"EUR"},"card":{"number":"5555555555554444","cvv":"737"}})";
    ids.push_back(c.request("POST", "/v1/payments", pan_body).header("x-request-id"));
    ids.push_back(c.request("POST", "/v1/missing/5555555555554444", pan_body).header("x-request-id"));
    ids.push_back(c.request("POST", "/test/unreachable", pan_body).header("x-request-id"));
  }
  ASSERT_EQ(gateway.process().stop(SIGTERM), 0);

  std::istringstream lines(gateway.log());
  std::string line;
  int access_lines = 0;
  int listening_lines = 0;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    auto& o = value.as_object();
    ASSERT_TRUE(o.contains("ts")) << line;
    ASSERT_TRUE(o.contains("event")) << line;
    const std::string level(o.at("level").as_string());
    EXPECT_TRUE(level == "info" || level == "warn" || level == "error" || level == "debug") << line;
    EXPECT_FALSE(o.contains("msg")) << "fields are members, not text: " << line;
    if (o["event"] == "listening") {
      ++listening_lines;
      EXPECT_TRUE(o.contains("listener") && o.contains("address")) << line;
    }
    if (o["event"] == "access") {
      ++access_lines;
      for (const char* field : {"request_id", "listener", "route", "method", "status", "bytes_in", "bytes_out",
                                "latency_us", "merchant", "upstream", "client_ip", "trace_id",
                                "merchant_reference"}) {
        EXPECT_TRUE(o.contains(field)) << field << " missing in " << line;
      }
    }
    EXPECT_EQ(line.find("5555555555554444"), std::string::npos) << line;
    EXPECT_EQ(line.find("cvv"), std::string::npos) << line;  // no part of the body
  }
  EXPECT_EQ(access_lines, 3);
  EXPECT_EQ(listening_lines, 1);
  for (const auto& id : ids) EXPECT_NE(gateway.log().find(id), std::string::npos) << id;
}

}  // namespace
}  // namespace paygate::test
