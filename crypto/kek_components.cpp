#include "crypto/kek_components.h"

#include "crypto/key_wrap.h"
#include "crypto/keyring.h"
#include "crypto/random.h"

namespace paygate::crypto {
namespace {

constexpr std::size_t component_bytes = 32;  // AES-256

Result<bool> check_count(std::size_t count) {
  if (count < 2 || count > 3)
    return make_error(ErrorCode::invalid_argument, "a KEK is split into 2 or 3 components, not " + std::to_string(count));
  return true;
}

}  // namespace

Result<SecretBytes> combine_kek_components(std::span<const KekComponent> components, std::string_view kek_check_value) {
  if (auto ok = check_count(components.size()); !ok) return ok.error();
  Botan::secure_vector<std::uint8_t> kek(component_bytes, 0);
  for (std::size_t i = 0; i < components.size(); ++i) {
    const std::string which = "KEK component " + std::to_string(i + 1) + " (" + components[i].path + ")";
    auto material = read_key_material({KeySource::Kind::file, components[i].path}, KeyAlgorithm::aes_256_gcm);
    if (!material) return make_error(ErrorCode::key_file, which + ": " + material.error().reason);
    const std::string kcv = aes_check_value(material.value());
    if (kcv != check_value_text(components[i].check_value))
      return make_error(ErrorCode::key_file, which + " has check value " + kcv + ", its custodian recorded " +
                                                 check_value_text(components[i].check_value));
    const auto& bytes = reveal_secret(material.value());
    for (std::size_t b = 0; b < component_bytes; ++b) kek[b] ^= bytes[b];
  }
  SecretBytes combined(std::move(kek));
  const std::string kcv = aes_check_value(combined);
  if (kcv != check_value_text(kek_check_value))
    return make_error(ErrorCode::key_file, "the combined KEK has check value " + kcv + ", the config expects " +
                                               check_value_text(kek_check_value));
  return combined;
}

Result<GeneratedComponents> generate_kek_components(std::size_t count) {
  if (auto ok = check_count(count); !ok) return ok.error();
  GeneratedComponents out;
  Botan::secure_vector<std::uint8_t> kek(component_bytes, 0);
  for (std::size_t i = 0; i < count; ++i) {
    Botan::secure_vector<std::uint8_t> component(component_bytes);
    random_bytes(component);
    for (std::size_t b = 0; b < component_bytes; ++b) kek[b] ^= component[b];
    out.components.emplace_back(std::move(component));
    out.check_values.push_back(aes_check_value(out.components.back()));
  }
  out.kek_check_value = aes_check_value(SecretBytes(std::move(kek)));
  return out;
}

}  // namespace paygate::crypto
