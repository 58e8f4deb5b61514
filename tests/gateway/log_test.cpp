// Operational logs: a card number passed to a log call by mistake leaves masked, in text
// and in JSON format, and ordinary lines are untouched.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

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
      log::error("upstream said: card {} declined", "4111111111111111");
      log::warn("body {}", R"({"number":"5555 5555 5555 4444"})");
      log::info("request_id=3f1c9a2e latency_us=1764456000123 ok");
    });
    EXPECT_EQ(out.find("4111111111111111"), std::string::npos) << out;
    EXPECT_EQ(out.find("5555 5555 5555 4444"), std::string::npos) << out;
    EXPECT_NE(out.find("411111******1111"), std::string::npos) << out;
    EXPECT_NE(out.find("5555 55** **** 4444"), std::string::npos) << out;
    EXPECT_NE(out.find("request_id=3f1c9a2e latency_us=1764456000123 ok"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace paygate
