// paygate iso8583 describe | pack: look inside a packed message (masked by default), or
// pack one from JSON — for operators and for interop tests with other implementations.
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "config/iso8583_spec_loader.h"
#include "crypto/encoding.h"
#include "cli/command.h"
#include "cli/iso8583_json.h"
#include "protocol/iso8583/codec.h"
#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/printer.h"

namespace paygate::cli {
namespace {

namespace iso = protocol::iso8583;

std::shared_ptr<const iso::MessageSpec> load_spec(const Args& args) {
  auto loaded = config::load_iso8583_spec(config::iso8583_spec_path(*args.value("spec")));
  for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  return loaded.spec;
}

std::optional<iso::Framing> framing_of(const Args& args, bool& ok) {
  ok = true;
  auto name = args.value("framing");
  if (!name) return std::nullopt;
  auto f = iso::parse_framing(*name);
  if (!f) {
    std::fprintf(stderr, "paygate iso8583: --framing must be binary2, bcd2 or ascii4\n");
    ok = false;
  }
  return f;
}

// What both commands read first: the spec, the framing, and standard input.
struct Inputs {
  std::shared_ptr<const iso::MessageSpec> spec;
  std::optional<iso::Framing> framing;
  std::string input;
};

// nullopt, with `exit_code` set, when the spec or the framing is wrong.
std::optional<Inputs> read_inputs(const Args& args, int& exit_code) {
  Inputs in;
  in.spec = load_spec(args);
  if (!in.spec) {
    exit_code = exit_failure;
    return std::nullopt;
  }
  bool framing_ok = true;
  in.framing = framing_of(args, framing_ok);
  if (!framing_ok) {
    exit_code = exit_usage;
    return std::nullopt;
  }
  in.input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  return in;
}

}  // namespace

bool message_from_json(const std::string& text, iso::Message& message, const char* command) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    std::fprintf(stderr, "paygate iso8583 %s: expected a JSON object {\"0\": MTI, \"2\": ...}\n", command);
    return false;
  }
  for (const auto& [key, v] : value.as_object()) {
    if (!v.is_string()) {
      std::fprintf(stderr, "paygate iso8583 %s: field %s must be a string\n", command, std::string(key).c_str());
      return false;
    }
    if (key == "0") {
      message.mti = std::string(v.as_string());
      continue;
    }
    const int number = std::atoi(std::string(key).c_str());
    if (number < 2 || number > iso::Fields::max_field || std::to_string(number) != key) {
      std::fprintf(stderr, "paygate iso8583 %s: \"%s\" is not a field number (2..128)\n", command,
                   std::string(key).c_str());
      return false;
    }
    message.fields.set(number, v.as_string());
  }
  return true;
}

namespace {

int describe(const Args& args) {
  int exit_code = exit_ok;
  auto in = read_inputs(args, exit_code);
  if (!in) return exit_code;
  const auto& spec = in->spec;
  const auto& framing = in->framing;
  const std::string& input = in->input;
  std::vector<std::uint8_t> bytes;
  if (args.flag("hex")) {
    std::string digits;
    for (char c : input) {
      if (!std::isspace(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    auto decoded = crypto::hex_decode(digits);
    if (!decoded) {
      std::fprintf(stderr, "paygate iso8583 describe: input is not hex\n");
      return exit_failure;
    }
    bytes = std::move(*decoded);
  } else {
    bytes.assign(input.begin(), input.end());
  }
  std::span<const std::uint8_t> message(bytes);
  if (framing) {
    const std::size_t header = iso::header_size(*framing);
    auto length = message.size() >= header ? iso::read_header(*framing, message.first(header)) : std::nullopt;
    if (!length || *length != message.size() - header) {
      std::fprintf(stderr, "paygate iso8583 describe: the frame header does not match the message length\n");
      return exit_failure;
    }
    message = message.subspan(header);
  }
  auto unpacked = iso::unpack(*spec, message);
  if (!unpacked.ok()) {
    std::fprintf(stderr, "paygate iso8583 describe: %s\n", unpacked.error->to_string().c_str());
    return exit_failure;
  }
  const auto masking = args.flag("unmasked") ? iso::Masking::unmasked : iso::Masking::masked;
  const std::string out = args.flag("json") ? iso::describe_json(*spec, unpacked.value, masking) + "\n"
                                            : iso::describe_text(*spec, unpacked.value, masking);
  std::fputs(out.c_str(), stdout);
  return exit_ok;
}

int pack(const Args& args) {
  int exit_code = exit_ok;
  auto in = read_inputs(args, exit_code);
  if (!in) return exit_code;
  const auto& spec = in->spec;
  const auto& framing = in->framing;
  iso::Message message;
  if (!message_from_json(in->input, message, "pack")) return exit_failure;
  auto packed = iso::pack(*spec, message);
  if (!packed.ok()) {
    std::fprintf(stderr, "paygate iso8583 pack: %s\n", packed.error->to_string().c_str());
    return exit_failure;
  }
  std::vector<std::uint8_t> out;
  if (framing && !iso::write_header(*framing, packed.value.size(), out)) {
    std::fprintf(stderr, "paygate iso8583 pack: message too long for the framing\n");
    return exit_failure;
  }
  out.insert(out.end(), packed.value.begin(), packed.value.end());
  std::printf("%s\n", crypto::hex_encode(out).c_str());
  return exit_ok;
}

}  // namespace

Command iso8583_describe_command() {
  return {{"iso8583 describe",
           "Read one packed ISO 8583 message on stdin and print its MTI and fields, masked as logs mask them.",
           "",
           {{"spec", "NAME|FILE", "message spec: a shipped name (iso8583-1987-ascii, iso8583-1987-bcd, iso8583-npm) or a YAML file", true},
            {"hex", "", "the input is hex text, not raw bytes", false},
            {"json", "", "print {\"0\": MTI, \"2\": ...}", false},
            {"unmasked", "", "print sensitive fields in clear (test data only)", false},
            {"framing", "F", "the input starts with a length header: binary2, bcd2 or ascii4", false}}},
          describe};
}

Command iso8583_pack_command() {
  return {{"iso8583 pack",
           "Read {\"0\": MTI, \"2\": ...} JSON on stdin and print the packed message as hex.",
           "",
           {{"spec", "NAME|FILE", "message spec (as for describe)", true},
            {"framing", "F", "prefix a length header: binary2, bcd2 or ascii4", false}}},
          pack};
}

}  // namespace paygate::cli
