// ISO 8583 interop with a peer nobody here wrote (npm iso_8583), through the
// `paygate iso8583 pack|describe` commands, plus describe on the shared samples.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>

#include "tests/support/e2e.h"
#include "tests/support/vectors.h"

namespace paygate::test {
namespace {

CommandResult pipe(const std::string& input, const std::string& command) {
  static int n = 0;
  static const auto dir = make_temp_dir("iso-interop");
  const auto file = dir / ("in-" + std::to_string(++n));
  std::ofstream(file) << input;
  return run_command(command + " < " + file.string());
}

std::string paygate() { return binary("paygate").string(); }
std::string npm() { return "node " + (source_dir() / "tests/interop/iso8583_npm.js").string(); }

const std::string message =
    R"({"0":"0100","2":"4111111111111111","3":"000000","4":"000000001000","7":"1129201500","11":"123456",)"
    R"("12":"201500","13":"1129","32":"123456","41":"TERM0001","42":"MERCHANT0000001","49":"978"})";

TEST(Iso8583Interop, PaygateUnpacksWhatTheNpmPackagePacks) {
  auto packed = pipe(message, npm() + " pack");
  ASSERT_EQ(packed.exit_code, 0) << packed.output;
  auto described = pipe(packed.output, paygate() + " iso8583 describe --spec iso8583-npm --framing binary2 --hex --json --unmasked");
  ASSERT_EQ(described.exit_code, 0) << described.output;
  EXPECT_EQ(boost::json::parse(described.output), boost::json::parse(message));
}

TEST(Iso8583Interop, TheNpmPackageUnpacksWhatPaygatePacks) {
  auto packed = pipe(message, paygate() + " iso8583 pack --spec iso8583-npm --framing binary2");
  ASSERT_EQ(packed.exit_code, 0) << packed.output;
  auto unpacked = pipe(packed.output, npm() + " unpack");
  ASSERT_EQ(unpacked.exit_code, 0) << unpacked.output;
  EXPECT_EQ(boost::json::parse(unpacked.output), boost::json::parse(message));
}

TEST(Iso8583Describe, EverySampleDescribesMaskedByDefault) {
  const auto file = load_vectors("iso8583_samples.json");
  for (const auto& item : file.as_array()) {
    const auto& v = item.as_object();
    auto r = pipe(std::string(v.at("packed_hex").as_string()), paygate() + " iso8583 describe --spec iso8583-1987-ascii --hex --json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto described = boost::json::parse(r.output).as_object();
    EXPECT_EQ(described.at("0"), v.at("fields").at("0"));
    if (v.at("fields").as_object().contains("2")) {
      const std::string pan(v.at("fields").at("2").as_string());
      EXPECT_EQ(r.output.find(pan), std::string::npos) << "PAN printed in clear";
      EXPECT_NE(std::string(described.at("2").as_string()).find('*'), std::string::npos);
    }
  }
  auto bad = pipe("0100zz", paygate() + " iso8583 describe --spec iso8583-1987-ascii --hex");
  EXPECT_EQ(bad.exit_code, 1);
  auto truncated = pipe("3031303037303030303030303030303030303030313634323432", paygate() + " iso8583 describe --spec iso8583-1987-ascii --hex");
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_NE(truncated.output.find("truncated (field 2)"), std::string::npos) << truncated.output;
}

}  // namespace
}  // namespace paygate::test
