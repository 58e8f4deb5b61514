#include "crypto/kek_source.h"

namespace paygate::crypto {

Result<std::unique_ptr<Kek>> open_kek(const KekSpec& spec) {
  if (const auto* token = std::get_if<Pkcs11KekLocation>(&spec.source)) {
    auto kek = open_pkcs11_kek(spec.id, *token);
    if (!kek) return make_error(kek.error().code, "KEK " + spec.id + ": " + kek.error().reason);
    return kek;
  }
  const auto& components = std::get<KekComponentsSource>(spec.source);
  auto material = combine_kek_components(components.parts, components.check_value);
  if (!material) return make_error(material.error().code, "KEK " + spec.id + ": " + material.error().reason);
  return make_memory_kek(spec.id, std::move(material).value());
}

}  // namespace paygate::crypto
