// Operational logs: a card number passed to a log call by mistake leaves masked, in text
// and in JSON format, and ordinary lines are untouched.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "gateway/log.h"
#include "tests/support/process.h"

namespace paygate {
namespace {

// Runs `body` with stderr going to a file; returns what was written.
template <class Body>
std::string capture_stderr(Body body) {
  const auto file = test::make_temp_dir("log-capture") / "stderr.txt";
  const int saved = ::dup(STDERR_FILENO);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  body();
  log::flush();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  return test::read_file(file);
}

TEST(OperationalLog, MasksCardNumbersAsALastLineOfDefence) {
  for (auto format : {config::LogFormat::text, config::LogFormat::json}) {
    config::Logging logging;
    logging.format = format;
    logging.level = config::LogLevel::info;
    log::configure(logging);
    const std::string out = capture_stderr([] {
      log::error("upstream said", {{"detail", "card 4111111111111111 declined"}});
      log::warn("body", {{"body", R"({"number":"5555 5555 5555 4444"})"}});
      log::info("ok", {{"request_id", "3f1c9a2e"}, {"latency_us", 1764456000123}});
    });
    EXPECT_EQ(out.find("4111111111111111"), std::string::npos) << out;
    EXPECT_EQ(out.find("5555 5555 5555 4444"), std::string::npos) << out;
    EXPECT_NE(out.find("411111******1111"), std::string::npos) << out;
    EXPECT_NE(out.find("5555 55** **** 4444"), std::string::npos) << out;
    EXPECT_NE(out.find(format == config::LogFormat::text ? "ok request_id=3f1c9a2e latency_us=1764456000123"
                                                          : R"("event":"ok","request_id":"3f1c9a2e","latency_us":1764456000123)"),
              std::string::npos)
        << out;
  }
}

// With format: json every field is a member of its own — not text inside a message — and
// the level words are the configuration's.
TEST(OperationalLog, JsonLinesCarryEveryFieldAsAMember) {
  config::Logging logging;
  logging.format = config::LogFormat::json;
  logging.level = config::LogLevel::debug;
  log::configure(logging);
  const std::string out = capture_stderr([] {
    log::info("listening", {{"listener", "merchants"}, {"address", "127.0.0.1:8443"}});
    log::warn("processor exchange failed", {{"request_id", "r-1"}, {"fault", "timeout"}, {"attempt", 2}, {"retried", true}});
    log::debug("quote \" and\nnewline", {{"why", "tab\there"}});
  });
  std::istringstream lines(out);
  std::string line;
  std::vector<boost::json::object> parsed;
  while (std::getline(lines, line)) parsed.push_back(boost::json::parse(line).as_object());
  ASSERT_EQ(parsed.size(), 3u) << out;
  EXPECT_EQ(parsed[0].at("level"), "info");
  EXPECT_EQ(parsed[0].at("event"), "listening");
  EXPECT_EQ(parsed[0].at("listener"), "merchants");
  EXPECT_EQ(parsed[0].at("address"), "127.0.0.1:8443");
  EXPECT_TRUE(parsed[0].contains("ts"));
  EXPECT_FALSE(parsed[0].contains("msg"));
  EXPECT_EQ(parsed[1].at("level"), "warn") << "the config's word, not spdlog's";
  EXPECT_EQ(parsed[1].at("attempt"), 2);
  EXPECT_EQ(parsed[1].at("retried"), true);
  EXPECT_EQ(parsed[2].at("level"), "debug");
  EXPECT_EQ(parsed[2].at("event"), "quote \" and\nnewline");
  EXPECT_EQ(parsed[2].at("why"), "tab\there");
  logging.format = config::LogFormat::text;
  log::configure(logging);
  const std::string text = capture_stderr([] { log::warn("drain time over", {{"open", 3}}); });
  EXPECT_NE(text.find(" warn drain time over open=3\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace paygate
