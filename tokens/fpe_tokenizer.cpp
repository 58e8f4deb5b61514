#include "tokens/fpe_tokenizer.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "card/luhn.h"

namespace paygate::tokens {
namespace {

// A walk needs ~10 steps on average (1 in 10 middles is Luhn-valid); 1,000 steps fail
// with probability 0.9^1000 ~ 10^-46. The bound only stops a walk over a forged token.
constexpr int max_walk = 1000;

std::vector<std::uint8_t> tweak_for(std::string_view front, std::string_view back,
                                    std::string_view merchant) {
  std::vector<std::uint8_t> tweak;
  tweak.reserve(front.size() + back.size() + 1 + merchant.size());
  tweak.insert(tweak.end(), front.begin(), front.end());
  tweak.insert(tweak.end(), back.begin(), back.end());
  tweak.push_back('|');
  tweak.insert(tweak.end(), merchant.begin(), merchant.end());
  return tweak;
}

// Luhn weights for the middle digits only. The middle's last digit sits `back` places
// from the right end of the number, which fixes where the doubling starts.
int middle_luhn_sum(std::uint64_t middle, int digits, int back) {
  int sum = 0;
  bool doubled = back % 2 == 1;
  for (int i = 0; i < digits; ++i) {
    const int d = static_cast<int>(middle % 10);
    middle /= 10;
    sum += doubled ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
    doubled = !doubled;
  }
  return sum;
}

// Walks FF1 (encrypting or decrypting) from `middle` until the whole number is Luhn-valid.
// `fixed` is the Luhn sum of the kept digits. Returns nullopt when the bound is reached.
std::optional<std::uint64_t> walk(const crypto::Ff1Decimal& engine,
                                  const crypto::Ff1Decimal::Prepared& prepared, std::uint64_t middle,
                                  int fixed, const TokenLayout& layout, bool encrypting) {
  for (int step = 0; step < max_walk; ++step) {
    middle = encrypting ? engine.encrypt_number(prepared, middle) : engine.decrypt_number(prepared, middle);
    if ((fixed + middle_luhn_sum(middle, layout.middle, layout.back)) % 10 == 0) return middle;
  }
  return std::nullopt;
}

// The Luhn sum of the kept digits: the number with its middle zeroed (a zero weighs 0).
int kept_luhn_sum(std::string number, const TokenLayout& layout) {
  std::fill_n(number.begin() + layout.front, layout.middle, '0');
  return card::luhn_residue(number);
}

}  // namespace

FpeTokenizer::FpeTokenizer(std::shared_ptr<const crypto::KeyRing> keyring) : keyring_(std::move(keyring)) {
  for (const crypto::Key& key : keyring_->keys()) {
    if (key.use() != crypto::KeyUse::fpe || key.state() == crypto::KeyState::retired) continue;
    auto engine = crypto::Ff1Decimal::create(key.material());
    if (engine) engines_.emplace(key.id(), std::move(engine).value());
  }
}

const crypto::Ff1Decimal* FpeTokenizer::engine_for(const crypto::Key& key) const {
  auto it = engines_.find(key.id());
  return it == engines_.end() ? nullptr : &it->second;
}

crypto::Result<std::string> FpeTokenizer::tokenize(std::string_view merchant_id, std::string_view pan,
                                                   const TokenProfile& profile, KeysUsed* used) const {
  if (auto s = check_pan(profile, pan); !s) return s.error();
  if (!card::luhn_valid(pan))
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "card number fails the Luhn check");
  const crypto::Key* key = keyring_->primary(crypto::KeyUse::fpe);
  if (!key) return crypto::make_error(crypto::ErrorCode::unknown_key, "the keyring has no primary fpe key");
  const crypto::Ff1Decimal* engine = engine_for(*key);
  if (!engine) return crypto::make_error(crypto::ErrorCode::internal, "fpe key has no engine");
  const TokenLayout layout = *layout_for(profile, static_cast<int>(pan.size()));

  std::string token(pan);
  const std::string_view front = pan.substr(0, static_cast<std::size_t>(layout.front));
  const std::string_view back = pan.substr(static_cast<std::size_t>(layout.front + layout.middle));
  auto prepared =
      engine->prepare(static_cast<std::size_t>(layout.middle), tweak_for(front, back, merchant_id));
  if (!prepared) return prepared.error();
  const std::string_view middle =
      pan.substr(static_cast<std::size_t>(layout.front), static_cast<std::size_t>(layout.middle));
  auto walked = walk(*engine, prepared.value(), crypto::Ff1Decimal::to_number(middle),
                     kept_luhn_sum(token, layout), layout, true);
  if (!walked) return crypto::make_error(crypto::ErrorCode::internal, "FF1 cycle walk did not end");
  crypto::Ff1Decimal::to_digits(
      *walked, std::span<char>(token.data() + layout.front, static_cast<std::size_t>(layout.middle)));
  // The middle's last digit carries the key version: residue = slot.
  const std::size_t marker = static_cast<std::size_t>(layout.front + layout.middle - 1);
  token[marker] = card::luhn_digit_for(token, marker, key->fpe_slot());
  note_key(used, key->id());
  return token;
}

crypto::Result<std::string> FpeTokenizer::detokenize(std::string_view merchant_id, std::string_view token,
                                                     const TokenProfile& profile, KeysUsed* used) const {
  const int length = static_cast<int>(token.size());
  if (!card::all_digits(token) || length < profile.min_length || length > profile.max_length) {
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "not a token of this profile");
  }
  const int slot = card::luhn_residue(token);
  if (slot == 0)
    return crypto::make_error(crypto::ErrorCode::invalid_argument, "a Luhn-valid number is not a token");
  auto key = keyring_->fpe_for_slot(slot);
  if (!key) return key.error();
  const crypto::Ff1Decimal* engine = engine_for(*key.value());
  if (!engine) return crypto::make_error(crypto::ErrorCode::internal, "fpe key has no engine");
  const TokenLayout layout = *layout_for(profile, length);

  std::string pan(token);
  const std::size_t marker = static_cast<std::size_t>(layout.front + layout.middle - 1);
  pan[marker] = card::luhn_digit_for(pan, marker, 0);
  const std::string_view front = std::string_view(pan).substr(0, static_cast<std::size_t>(layout.front));
  const std::string_view back =
      std::string_view(pan).substr(static_cast<std::size_t>(layout.front + layout.middle));
  auto prepared =
      engine->prepare(static_cast<std::size_t>(layout.middle), tweak_for(front, back, merchant_id));
  if (!prepared) return prepared.error();
  std::span<char> middle(pan.data() + layout.front, static_cast<std::size_t>(layout.middle));
  auto walked = walk(*engine, prepared.value(),
                     crypto::Ff1Decimal::to_number(std::string_view(middle.data(), middle.size())),
                     kept_luhn_sum(pan, layout), layout, false);
  if (!walked) return crypto::make_error(crypto::ErrorCode::internal, "FF1 cycle walk did not end");
  crypto::Ff1Decimal::to_digits(*walked, middle);
  note_key(used, key.value()->id());
  return pan;
}

}  // namespace paygate::tokens
