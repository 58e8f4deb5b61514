#include "tokens/fpe_tokenizer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

#include "card/luhn.h"
#include "tests/crypto/test_keys.h"
#include "tests/support/vectors.h"

namespace paygate::tokens {
using namespace paygate::crypto;
namespace {

using crypto::test::key;
using crypto::test::ring;

std::vector<TokenProfile> every_fpe_profile() {
  std::vector<TokenProfile> out;
  for (int front : {0, 4, 6, 8}) {
    for (int back : {0, 4}) {
      TokenProfile p;
      p.name = "fpe-" + std::to_string(front) + "-" + std::to_string(back);
      p.kind = TokenKind::fpe;
      p.keep_front = front;
      p.keep_back = back;
      out.push_back(p);
    }
  }
  return out;
}

TEST(Luhn, ResiduesAndRepairDigits) {
  EXPECT_TRUE(card::luhn_valid("4111111111111111"));
  EXPECT_FALSE(card::luhn_valid("4111111111111112"));
  EXPECT_EQ(card::luhn_residue("4111111111111112"), 1);
  for (int target = 0; target <= 9; ++target) {
    for (std::size_t index : {0u, 7u, 15u}) {
      std::string s = "4111111111111111";
      s[index] = card::luhn_digit_for(s, index, target);
      EXPECT_EQ(card::luhn_residue(s), target);
    }
  }
}

TEST(TokenProfile, ShortPansGiveUpFrontDigitsByTheDocumentedRule) {
  TokenProfile p;
  p.keep_front = 8;
  p.keep_back = 4;
  auto at = [&](int length) {
    auto l = layout_for(p, length).value();
    return std::to_string(l.front) + "+" + std::to_string(l.middle) + "+" + std::to_string(l.back);
  };
  EXPECT_EQ(at(19), "8+7+4");
  EXPECT_EQ(at(18), "8+6+4");
  EXPECT_EQ(at(17), "6+7+4");
  EXPECT_EQ(at(16), "6+6+4");
  EXPECT_EQ(at(15), "4+7+4");
  EXPECT_EQ(at(14), "4+6+4");
  EXPECT_EQ(at(13), "0+9+4");
  EXPECT_EQ(at(12), "0+8+4");
  EXPECT_FALSE(layout_for(p, 11));
  EXPECT_FALSE(layout_for(p, 20));
  for (const auto& profile : every_fpe_profile()) {
    for (int length = 12; length <= 19; ++length) EXPECT_GE(layout_for(profile, length)->middle, 6);
  }
  p.keep_front = 5;
  EXPECT_FALSE(p.validate());
  p.keep_front = 6;
  p.kind = TokenKind::fpe;
  p.allow_luhn_invalid = true;
  EXPECT_FALSE(p.validate());
}

TEST(FpeTokens, EveryTestPanRoundTripsUnderEveryProfile) {
  FpeTokenizer tokenizer(ring({key("fpe-1", KeyUse::fpe, KeyState::primary, 1, 1)}));
  const auto file = paygate::test::load_vectors("test_pans.json");
  int round_trips = 0, refused = 0;
  for (const auto& profile : every_fpe_profile()) {
    for (const auto& item : file.as_array()) {
      const std::string pan(item.at("pan").as_string());
      auto token = tokenizer.tokenize("acme", pan, profile);
      const bool tokenizable = item.at("luhn_valid").as_bool() && pan.size() >= 12 && pan.size() <= 19;
      if (!tokenizable) {
        ASSERT_FALSE(token) << pan;
        EXPECT_EQ(token.error().code, ErrorCode::invalid_argument);
        EXPECT_EQ(token.error().reason.find(pan), std::string::npos);
        ++refused;
        continue;
      }
      ASSERT_TRUE(token) << profile.name << ": " << token.error().to_string();
      const std::string& t = token.value();
      const auto layout = *layout_for(profile, static_cast<int>(pan.size()));
      ASSERT_EQ(t.size(), pan.size());
      EXPECT_EQ(t.substr(0, static_cast<std::size_t>(layout.front)),
                pan.substr(0, static_cast<std::size_t>(layout.front)));
      EXPECT_EQ(t.substr(t.size() - static_cast<std::size_t>(layout.back)),
                pan.substr(pan.size() - static_cast<std::size_t>(layout.back)));
      EXPECT_EQ(card::luhn_residue(t), 1) << "residue must carry the slot";
      EXPECT_NE(t, pan);
      auto back = tokenizer.detokenize("acme", t, profile);
      ASSERT_TRUE(back) << back.error().to_string();
      EXPECT_EQ(back.value(), pan);
      ++round_trips;
    }
  }
  EXPECT_EQ(round_trips, 8 * 92);  // 94 Luhn-valid PANs, 2 of them 24 digits long
  EXPECT_EQ(refused, 8 * 6);       // those 2 and the 4 Luhn-invalid ones
}

TEST(FpeTokens, TwoKeyVersionsLiveAtOnceBothDetokenizeAndRetiredSlotsAreRefused) {
  TokenProfile profile;
  profile.kind = TokenKind::fpe;
  const std::string pan = "4242424242424242";
  const std::string old_token = FpeTokenizer(ring({key("fpe-1", KeyUse::fpe, KeyState::primary, 1, 1)}))
                                    .tokenize("m", pan, profile)
                                    .value();
  FpeTokenizer rotated(ring({key("fpe-1", KeyUse::fpe, KeyState::active, 1, 1),
                             key("fpe-2", KeyUse::fpe, KeyState::primary, 2, 2)}));
  const std::string new_token = rotated.tokenize("m", pan, profile).value();
  EXPECT_EQ(card::luhn_residue(old_token), 1);
  EXPECT_EQ(card::luhn_residue(new_token), 2);
  EXPECT_NE(old_token, new_token);
  EXPECT_EQ(rotated.detokenize("m", old_token, profile).value(), pan);
  EXPECT_EQ(rotated.detokenize("m", new_token, profile).value(), pan);

  FpeTokenizer retired(ring({key("fpe-1", KeyUse::fpe, KeyState::retired, 1, 1),
                             key("fpe-2", KeyUse::fpe, KeyState::primary, 2, 2)}));
  EXPECT_EQ(retired.detokenize("m", old_token, profile).error().code, ErrorCode::retired_key);
  std::string unknown_slot = new_token;
  unknown_slot[9] = card::luhn_digit_for(unknown_slot, 9, 7);
  EXPECT_EQ(retired.detokenize("m", unknown_slot, profile).error().code, ErrorCode::unknown_key);
  EXPECT_EQ(retired.detokenize("m", pan, profile).error().code,
            ErrorCode::invalid_argument);  // a PAN is no token
}

TEST(FpeTokens, DependOnTheMerchant) {
  TokenProfile profile;
  profile.kind = TokenKind::fpe;
  FpeTokenizer t(ring({key("fpe-1", KeyUse::fpe, KeyState::primary, 1, 1)}));
  EXPECT_EQ(t.tokenize("acme", "4242424242424242", profile).value(),
            t.tokenize("acme", "4242424242424242", profile).value());
  EXPECT_NE(t.tokenize("acme", "4242424242424242", profile).value(),
            t.tokenize("globex", "4242424242424242", profile).value());
}

TEST(FpeTokens, AreABijectionOnAWholeSmallDomain) {
  // 16 digits kept 6+4: the middle has 6 digits; with the front and back fixed, exactly
  // 100,000 middles make a Luhn-valid PAN. Tokenize all of them.
  TokenProfile profile;
  profile.kind = TokenKind::fpe;
  FpeTokenizer t(ring({key("fpe-3", KeyUse::fpe, KeyState::primary, 5, 3)}));
  std::set<std::string> tokens;
  int pans = 0;
  char middle[7];
  for (int m = 0; m < 1'000'000; ++m) {
    std::snprintf(middle, sizeof middle, "%06d", m);
    const std::string pan = std::string("411111") + middle + "1111";
    if (!card::luhn_valid(pan)) continue;
    ++pans;
    auto token = t.tokenize("acme", pan, profile);
    ASSERT_TRUE(token);
    ASSERT_FALSE(card::luhn_valid(token.value()));
    ASSERT_TRUE(tokens.insert(token.value()).second) << "two PANs share a token";
    ASSERT_EQ(t.detokenize("acme", token.value(), profile).value(), pan);
  }
  EXPECT_EQ(pans, 100'000);
  EXPECT_EQ(tokens.size(), 100'000u);
}

}  // namespace
}  // namespace paygate::tokens
