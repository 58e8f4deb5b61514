// A KEK split into components (crypto/kek_components.h): generated, written by custodians,
// recombined with every check value; each wrong, missing or exposed component named.
#include "crypto/kek_components.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/encoding.h"
#include "crypto/key_wrap.h"
#include "tests/support/e2e.h"

namespace paygate::crypto {
namespace {

namespace fs = std::filesystem;

fs::path write_component(const fs::path& dir, const std::string& name, const SecretBytes& material,
                         fs::perms extra = fs::perms::none) {
  const fs::path p = dir / name;
  std::ofstream(p) << hex_encode(reveal_secret(material)) << "\n";
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | extra);
  return p;
}

TEST(KekComponents, GeneratedComponentsRecombineIntoTheKekTheirCheckValuesName) {
  const auto dir = paygate::test::make_temp_dir("kek-components");
  for (std::size_t count : {2u, 3u}) {
    auto generated = generate_kek_components(count);
    ASSERT_TRUE(generated);
    std::vector<KekComponent> parts;
    for (std::size_t i = 0; i < count; ++i) {
      parts.push_back({write_component(dir, "c" + std::to_string(count) + std::to_string(i), generated.value().components[i]).string(),
                       generated.value().check_values[i]});
    }
    auto kek = combine_kek_components(parts, generated.value().kek_check_value);
    ASSERT_TRUE(kek) << kek.error().to_string();
    EXPECT_EQ(aes_check_value(kek.value()), generated.value().kek_check_value);
    // No component alone is the KEK.
    for (const auto& c : generated.value().components) EXPECT_NE(aes_check_value(c), generated.value().kek_check_value);
    // It wraps and unwraps like any KEK.
    const SecretBytes data_key(*hex_decode_secret(std::string(64, '7')));
    auto split = make_memory_kek("kek-split", kek.value()).value();
    auto file = wrap_key_file(*split, KeyAlgorithm::aes_256_gcm, data_key);
    ASSERT_TRUE(file);
    EXPECT_TRUE(unwrap_key_file(file.value(), *split));
  }
}

TEST(KekComponents, EachWrongMissingOrExposedComponentIsNamed) {
  const auto dir = paygate::test::make_temp_dir("kek-components-bad");
  auto g = generate_kek_components(2).value();
  const auto c1 = write_component(dir, "c1", g.components[0]).string();
  const auto c2 = write_component(dir, "c2", g.components[1]).string();
  const auto expect = [&](std::vector<KekComponent> parts, std::string_view kek_kcv, const std::string& message) {
    auto r = combine_kek_components(parts, kek_kcv);
    ASSERT_FALSE(r) << message;
    EXPECT_NE(r.error().reason.find(message), std::string::npos) << r.error().reason;
  };
  expect({{c1, g.check_values[0]}}, g.kek_check_value, "2 or 3 components, not 1");
  expect({{c1, g.check_values[0]}, {c2, "000000"}}, g.kek_check_value,
         "KEK component 2 (" + c2 + ") has check value " + g.check_values[1] + ", its custodian recorded 000000");
  expect({{c1, g.check_values[0]}, {(dir / "absent").string(), g.check_values[1]}}, g.kek_check_value,
         "KEK component 2 (" + (dir / "absent").string() + ")");
  const auto loose = write_component(dir, "loose", g.components[1], fs::perms::others_read).string();
  expect({{c1, g.check_values[0]}, {loose, g.check_values[1]}}, g.kek_check_value, "KEK component 2 (" + loose + "):");
  expect({{c1, g.check_values[0]}, {c2, g.check_values[1]}}, "ABCDEF", "the combined KEK has check value " + g.kek_check_value);
  // A component swapped for another KEK's: its own check value gives it away.
  auto other = generate_kek_components(2).value();
  const auto swapped = write_component(dir, "swapped", other.components[0]).string();
  expect({{swapped, g.check_values[0]}, {c2, g.check_values[1]}}, g.kek_check_value, "KEK component 1");
}

}  // namespace
}  // namespace paygate::crypto
