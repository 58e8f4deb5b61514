#include "config/iso8583_spec_loader.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cstdlib>

#include "config/internal/yaml_reader.h"

namespace paygate::config {
namespace {

namespace iso = protocol::iso8583;
using internal::Context;
using internal::MapReader;
using internal::Presence;

constexpr std::array<std::pair<std::string_view, iso::Encoding>, 4> encodings{
    {{"ascii", iso::Encoding::ascii},
     {"ebcdic", iso::Encoding::ebcdic},
     {"bcd", iso::Encoding::bcd},
     {"binary", iso::Encoding::binary}}};
constexpr std::array<std::pair<std::string_view, iso::FieldType>, 5> types{{{"n", iso::FieldType::n},
                                                                            {"an", iso::FieldType::an},
                                                                            {"ans", iso::FieldType::ans},
                                                                            {"z", iso::FieldType::z},
                                                                            {"b", iso::FieldType::b}}};
constexpr std::array<std::pair<std::string_view, iso::LengthKind>, 3> variable{
    {{"ll", iso::LengthKind::llvar}, {"lll", iso::LengthKind::lllvar}, {"llll", iso::LengthKind::llllvar}}};
constexpr std::array<std::pair<std::string_view, iso::BitmapEncoding>, 2> bitmaps{
    {{"hex", iso::BitmapEncoding::hex}, {"binary", iso::BitmapEncoding::binary}}};

iso::FieldSpec read_field(int number, const YAML::Node& node, const std::string& path, Context& ctx) {
  iso::FieldSpec f;
  f.number = number;
  MapReader r(node, path, ctx);
  r.choice<iso::FieldType>("type", f.type, types, Presence::required);
  std::uint32_t length = 0;
  const bool fixed = r.count("length", length, 1, 9999);
  const bool var = r.choice<iso::LengthKind>("var", f.length_kind, variable);
  std::uint32_t max = 0;
  const bool has_max = r.count("max", max, 0, 9999);
  if (fixed == var) {
    r.error_at("length", "give either length (fixed) or var and max (variable)");
  } else if (fixed) {
    f.length = length;
  } else if (!has_max) {
    r.error_at("max", "variable fields need max");
  } else {
    f.length = max;
    const std::uint32_t limit = f.length_kind == iso::LengthKind::llvar    ? 99
                                : f.length_kind == iso::LengthKind::lllvar ? 999
                                                                           : 9999;
    if (max > limit)
      r.error_at("max", "exceeds what the length prefix can express (" + std::to_string(limit) + ")");
  }
  r.choice<iso::Encoding>("encoding", f.encoding, encodings);
  r.choice<iso::Encoding>("length_encoding", f.length_encoding, encodings);
  r.boolean("emv_tlv", f.emv_tlv);
  r.string("description", f.description);
  if (f.encoding == iso::Encoding::bcd && f.type != iso::FieldType::n && f.type != iso::FieldType::z) {
    r.error_at("encoding", "bcd holds digits only: use it for n or z fields");
  }
  if (f.emv_tlv && f.type != iso::FieldType::b) r.error_at("emv_tlv", "EMV data is binary: type b");
  r.finish();
  return f;
}

std::shared_ptr<const iso::MessageSpec> read_spec(const YAML::Node& root, Context& ctx) {
  auto spec = std::make_shared<iso::MessageSpec>();
  MapReader r(root, "", ctx);
  r.string("name", spec->name, Presence::required);
  r.choice<iso::Encoding>("mti", spec->mti_encoding, encodings, Presence::required);
  r.choice<iso::BitmapEncoding>("bitmap", spec->bitmap, bitmaps, Presence::required);
  r.choice<iso::Encoding>("bitmap_text", spec->bitmap_text_encoding, encodings);
  r.boolean("always_secondary_bitmap", spec->always_secondary);
  r.entries("fields", Presence::required,
            [&](const std::string& key, const YAML::Node& node, const std::string& path) {
              int number = 0;
              auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), number);
              if (ec != std::errc{} || ptr != key.data() + key.size() || number < 2 || number > 128) {
                ctx.diagnostics.add(node.Mark(), path, "field numbers are 2..128");
                return;
              }
              if (spec->fields[static_cast<std::size_t>(number)])
                ctx.diagnostics.add(node.Mark(), path, "field defined twice");
              spec->fields[static_cast<std::size_t>(number)] = read_field(number, node, path, ctx);
            });
  r.entries("required", Presence::optional,
            [&](const std::string& mti, const YAML::Node& node, const std::string& path) {
              if (mti.size() != 4 ||
                  !std::all_of(mti.begin(), mti.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                ctx.diagnostics.add(node.Mark(), path, "MTIs are four digits");
                return;
              }
              if (!node.IsSequence()) {
                ctx.diagnostics.add(node.Mark(), path, "expected a list of field numbers");
                return;
              }
              std::vector<int> list;
              for (const auto& item : node) {
                int number = 0;
                const std::string text = item.IsScalar() ? item.Scalar() : "";
                auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
                if (ec != std::errc{} || ptr != text.data() + text.size() || number < 2 || number > 128 ||
                    !spec->fields[static_cast<std::size_t>(number)]) {
                  ctx.diagnostics.add(item.Mark(), path, "not a field this spec defines");
                  continue;
                }
                list.push_back(number);
              }
              spec->required[mti] = std::move(list);
            });
  r.finish();
  return spec;
}

SpecLoadResult parse(std::string_view yaml, const std::filesystem::path& file) {
  auto [spec, errors] = internal::read_document<iso::MessageSpec>(yaml, file, read_spec);
  return SpecLoadResult{std::move(spec), std::move(errors)};
}

}  // namespace

SpecLoadResult load_iso8583_spec_from_string(std::string_view yaml, const std::filesystem::path& file) {
  return parse(yaml, std::filesystem::absolute(file).lexically_normal());
}

SpecLoadResult load_iso8583_spec(const std::filesystem::path& file) {
  return internal::load_file<SpecLoadResult>(file, parse);
}

std::filesystem::path iso8583_spec_path(const std::string& name_or_file) {
  if (name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".yaml")) return name_or_file;
  const char* dir = std::getenv("PAYGATE_SPEC_DIR");
  return std::filesystem::path(dir ? dir : PAYGATE_SPEC_DIR) / (name_or_file + ".yaml");
}

}  // namespace paygate::config
