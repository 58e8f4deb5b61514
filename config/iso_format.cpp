#include "config/internal/iso_format.h"

#include <algorithm>
#include <cctype>

#include "config/iso8583_spec_loader.h"

namespace paygate::config::internal {

std::shared_ptr<const protocol::iso8583::MessageSpec> read_spec(MapReader& r, std::string& name,
                                                                Context& ctx) {
  if (!r.string("spec", name, Presence::required)) return nullptr;
  std::filesystem::path file = iso8583_spec_path(name);
  if (file.is_relative() && name.find('/') != std::string::npos) file = ctx.base_dir / file;
  auto loaded = load_iso8583_spec(file);
  if (!loaded.ok()) {
    r.error_at("spec", "cannot use ISO 8583 spec " + file.string());
    for (auto& e : loaded.errors) ctx.diagnostics.add_foreign(std::move(e));
  }
  return loaded.spec;
}

bool response_code(const std::string& code) {
  return code.size() == 2 && std::all_of(code.begin(), code.end(),
                                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace paygate::config::internal
