#include "crypto/tokens/fpe_tokenizer.h"

#include <vector>

#include "crypto/tokens/luhn.h"

namespace paygate::crypto {
namespace {

// A walk needs ~10 steps on average (1 in 10 middles is Luhn-valid); 1,000 steps fail
// with probability 0.9^1000 ~ 10^-46. The bound only stops a walk over a forged token.
constexpr int max_walk = 1000;

std::vector<std::uint8_t> tweak_for(std::string_view front, std::string_view back, std::string_view merchant) {
  std::vector<std::uint8_t> tweak;
  tweak.reserve(front.size() + back.size() + 1 + merchant.size());
  tweak.insert(tweak.end(), front.begin(), front.end());
  tweak.insert(tweak.end(), back.begin(), back.end());
  tweak.push_back('|');
  tweak.insert(tweak.end(), merchant.begin(), merchant.end());
  return tweak;
}

}  // namespace

FpeTokenizer::FpeTokenizer(std::shared_ptr<const KeyRing> keyring) : keyring_(std::move(keyring)) {
  for (const Key& key : keyring_->keys()) {
    if (key.use() != KeyUse::fpe || key.state() == KeyState::retired) continue;
    auto engine = Ff1Decimal::create(key.material());
    if (engine) engines_.emplace(key.id(), std::move(engine).value());
  }
}

const Ff1Decimal* FpeTokenizer::engine_for(const Key& key) const {
  auto it = engines_.find(key.id());
  return it == engines_.end() ? nullptr : &it->second;
}

Result<std::string> FpeTokenizer::tokenize(std::string_view merchant_id, std::string_view pan,
                                           const TokenProfile& profile) const {
  if (auto s = check_pan(profile, pan); !s) return s.error();
  if (!luhn_valid(pan)) return make_error(ErrorCode::invalid_argument, "card number fails the Luhn check");
  const Key* key = keyring_->primary(KeyUse::fpe);
  if (!key) return make_error(ErrorCode::unknown_key, "the keyring has no primary fpe key");
  const Ff1Decimal* engine = engine_for(*key);
  if (!engine) return make_error(ErrorCode::internal, "fpe key has no engine");
  const TokenLayout layout = *layout_for(profile, static_cast<int>(pan.size()));

  std::string token(pan);
  const std::string_view front = pan.substr(0, static_cast<std::size_t>(layout.front));
  const std::string_view back = pan.substr(static_cast<std::size_t>(layout.front + layout.middle));
  auto prepared = engine->prepare(static_cast<std::size_t>(layout.middle), tweak_for(front, back, merchant_id));
  if (!prepared) return prepared.error();
  std::span<char> middle(token.data() + layout.front, static_cast<std::size_t>(layout.middle));
  std::string current(pan.substr(static_cast<std::size_t>(layout.front), static_cast<std::size_t>(layout.middle)));
  for (int step = 0;; ++step) {
    if (step == max_walk) return make_error(ErrorCode::internal, "FF1 cycle walk did not end");
    if (auto s = engine->encrypt(prepared.value(), current, middle); !s) return s.error();
    if (luhn_valid(token)) break;
    current.assign(middle.begin(), middle.end());
  }
  // The middle's last digit carries the key version: residue = slot.
  const std::size_t marker = static_cast<std::size_t>(layout.front + layout.middle - 1);
  token[marker] = luhn_digit_for(token, marker, key->fpe_slot());
  return token;
}

Result<std::string> FpeTokenizer::detokenize(std::string_view merchant_id, std::string_view token,
                                             const TokenProfile& profile) const {
  const int length = static_cast<int>(token.size());
  if (!all_digits(token) || length < profile.min_length || length > profile.max_length) {
    return make_error(ErrorCode::invalid_argument, "not a token of this profile");
  }
  const int slot = luhn_residue(token);
  if (slot == 0) return make_error(ErrorCode::invalid_argument, "a Luhn-valid number is not a token");
  auto key = keyring_->fpe_for_slot(slot);
  if (!key) return key.error();
  const Ff1Decimal* engine = engine_for(*key.value());
  if (!engine) return make_error(ErrorCode::internal, "fpe key has no engine");
  const TokenLayout layout = *layout_for(profile, length);

  std::string pan(token);
  const std::size_t marker = static_cast<std::size_t>(layout.front + layout.middle - 1);
  pan[marker] = luhn_digit_for(pan, marker, 0);
  const std::string_view front = std::string_view(pan).substr(0, static_cast<std::size_t>(layout.front));
  const std::string_view back = std::string_view(pan).substr(static_cast<std::size_t>(layout.front + layout.middle));
  auto prepared = engine->prepare(static_cast<std::size_t>(layout.middle), tweak_for(front, back, merchant_id));
  if (!prepared) return prepared.error();
  std::span<char> middle(pan.data() + layout.front, static_cast<std::size_t>(layout.middle));
  std::string current(middle.begin(), middle.end());
  for (int step = 0;; ++step) {
    if (step == max_walk) return make_error(ErrorCode::internal, "FF1 cycle walk did not end");
    if (auto s = engine->decrypt(prepared.value(), current, middle); !s) return s.error();
    if (luhn_valid(pan)) break;
    current.assign(middle.begin(), middle.end());
  }
  return pan;
}

}  // namespace paygate::crypto
