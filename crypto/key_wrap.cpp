#include "crypto/key_wrap.h"

#include <botan/block_cipher.h>
#include <botan/exceptn.h>
#include <botan/nist_keywrap.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "crypto/encoding.h"
#include "crypto/file_mode.h"

namespace paygate::crypto {
namespace {

std::unique_ptr<Botan::BlockCipher> aes_for(const SecretBytes& kek) {
  const char* name = kek.size() == 16 ? "AES-128" : kek.size() == 24 ? "AES-192" : kek.size() == 32 ? "AES-256" : nullptr;
  if (!name) return nullptr;
  auto aes = Botan::BlockCipher::create_or_throw(name);
  aes->set_key(reveal_secret(kek));
  return aes;
}

bool kcv_shaped(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The key check value a Key of `algorithm` would show for this material.
Result<std::string> check_value_of(KeyAlgorithm algorithm, const SecretBytes& material) {
  auto key = Key::create("kcv", KeyUse::data, algorithm, KeyState::active, 0, material);
  if (!key) return key.error();
  return key.value().check_value();
}

}  // namespace

Result<std::vector<std::uint8_t>> wrap_key(const SecretBytes& kek, std::span<const std::uint8_t> key) {
  auto aes = aes_for(kek);
  if (!aes) return make_error(ErrorCode::invalid_argument, "a KEK is 16, 24 or 32 bytes");
  if (key.empty()) return make_error(ErrorCode::invalid_argument, "nothing to wrap");
  return Botan::nist_key_wrap_padded(key.data(), key.size(), *aes);
}

Result<SecretBytes> unwrap_key(const SecretBytes& kek, std::span<const std::uint8_t> wrapped) {
  auto aes = aes_for(kek);
  if (!aes) return make_error(ErrorCode::invalid_argument, "a KEK is 16, 24 or 32 bytes");
  try {
    return SecretBytes(Botan::nist_key_unwrap_padded(wrapped.data(), wrapped.size(), *aes));
  } catch (const Botan::Exception&) {  // Botan signals a failed integrity check by throwing
    return make_error(ErrorCode::authentication_failed, "the wrapped key does not open under this KEK (wrong KEK or tampered)");
  }
}

std::string aes_check_value(const SecretBytes& key) {
  auto aes = aes_for(key);
  if (!aes) return {};
  std::array<std::uint8_t, 16> block{};
  aes->encrypt(block.data());
  return check_value_text(hex_encode(std::span(block).first(3)));
}

std::string check_value_text(std::string_view hex) {
  std::string out(hex);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string WrappedKeyFile::serialize() const {
  return "paygate-wrapped-key: 1\nkek: " + kek_id + "\nkek_kcv: " + kek_check_value +
         "\nalgorithm: " + std::string(to_string(algorithm)) + "\nkey_kcv: " + key_check_value +
         "\nwrapped: " + hex_encode(wrapped) + "\n";
}

Result<WrappedKeyFile> WrappedKeyFile::parse(std::string_view text) {
  // Exactly these lines, in this order: a file that is anything else is refused whole.
  static constexpr std::array<std::string_view, 6> names{"paygate-wrapped-key", "kek", "kek_kcv", "algorithm",
                                                         "key_kcv", "wrapped"};
  std::array<std::string_view, 6> values;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return make_error(ErrorCode::malformed, "not a wrapped key file (truncated)");
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (!line.starts_with(names[i]) || line.substr(names[i].size(), 2) != ": ")
      return make_error(ErrorCode::malformed, "not a wrapped key file (expected " + std::string(names[i]) + ")");
    values[i] = line.substr(names[i].size() + 2);
  }
  if (!text.empty()) return make_error(ErrorCode::malformed, "not a wrapped key file (trailing content)");
  if (values[0] != "1") return make_error(ErrorCode::malformed, "wrapped key file version is not 1");
  WrappedKeyFile f;
  f.kek_id = values[1];
  const auto algorithm = parse_key_algorithm(values[3]);
  auto wrapped = hex_decode(values[5]);
  if (f.kek_id.empty() || !kcv_shaped(values[2]) || !kcv_shaped(values[4]) || !algorithm || !wrapped ||
      wrapped->size() < 16 || wrapped->size() % 8 != 0)
    return make_error(ErrorCode::malformed, "wrapped key file has a bad kek, check value, algorithm or wrapped value");
  f.kek_check_value = check_value_text(values[2]);
  f.algorithm = *algorithm;
  f.key_check_value = check_value_text(values[4]);
  f.wrapped = std::move(*wrapped);
  return f;
}

namespace {

class MemoryKek final : public Kek {
 public:
  MemoryKek(std::string id, SecretBytes material)
      : Kek(std::move(id), aes_check_value(material)), material_(std::move(material)) {}
  Result<std::vector<std::uint8_t>> wrap(const SecretBytes& key) const override {
    return wrap_key(material_, reveal_secret(key));
  }
  Result<SecretBytes> unwrap(std::span<const std::uint8_t> wrapped) const override {
    return unwrap_key(material_, wrapped);
  }

 private:
  SecretBytes material_;
};

}  // namespace

Result<std::unique_ptr<Kek>> make_memory_kek(std::string id, SecretBytes material) {
  if (!aes_for(material)) return make_error(ErrorCode::invalid_argument, "a KEK is 16, 24 or 32 bytes");
  return std::unique_ptr<Kek>(std::make_unique<MemoryKek>(std::move(id), std::move(material)));
}

Result<WrappedKeyFile> wrap_key_file(const Kek& kek, KeyAlgorithm algorithm, const SecretBytes& key) {
  auto key_kcv = check_value_of(algorithm, key);
  if (!key_kcv) return key_kcv.error();
  auto wrapped = kek.wrap(key);
  if (!wrapped) return wrapped.error();
  return WrappedKeyFile{kek.id(), kek.check_value(), algorithm, key_kcv.value(), std::move(wrapped).value()};
}

Result<SecretBytes> unwrap_key_file(const WrappedKeyFile& file, const Kek& kek) {
  if (file.kek_id != kek.id())
    return make_error(ErrorCode::invalid_argument, "wrapped under KEK " + file.kek_id + ", not " + kek.id());
  if (kek.check_value() != file.kek_check_value)
    return make_error(ErrorCode::invalid_argument, "KEK " + kek.id() + " has check value " + kek.check_value() +
                                                       ", the file expects " + file.kek_check_value);
  auto key = kek.unwrap(file.wrapped);
  if (!key) return key.error();
  auto kcv = check_value_of(file.algorithm, key.value());
  if (!kcv) return make_error(ErrorCode::key_file, "the unwrapped key's length does not fit " +
                                                       std::string(to_string(file.algorithm)));
  if (kcv.value() != file.key_check_value)
    return make_error(ErrorCode::key_file, "the unwrapped key's check value is " + kcv.value() + ", the file says " +
                                               file.key_check_value);
  return key;
}

Result<WrappedKeyFile> read_wrapped_key_file(const std::string& path) {
  if (auto problem = private_file_problem(path, "wrapped key file")) return make_error(ErrorCode::key_file, *problem);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return make_error(ErrorCode::key_file, "wrapped key file cannot be read: " + path);
  auto parsed = WrappedKeyFile::parse(text.str());
  if (!parsed) return make_error(parsed.error().code, "wrapped key file " + path + ": " + parsed.error().reason);
  return parsed;
}

Status write_wrapped_key_file(const std::string& path, const WrappedKeyFile& file, bool replace) {
  namespace fs = std::filesystem;
  const auto fail = [&](const std::string& what) {
    return make_error(ErrorCode::key_file, "wrapped key file " + path + ": " + what + ": " + std::strerror(errno));
  };
  std::error_code ec;
  if (!replace && fs::exists(path, ec)) {
    errno = EEXIST;
    return fail("refusing to overwrite");
  }
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());  // a leftover of an interrupted write: never the live file
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create " + temporary);
  const std::string text = file.serialize();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return fail("cannot write");
  }
  if (!replace && ::link(temporary.c_str(), path.c_str()) != 0) {  // atomic, and never over a file
    ::unlink(temporary.c_str());
    return fail("cannot create");
  }
  if ((replace ? ::rename(temporary.c_str(), path.c_str()) : ::unlink(temporary.c_str())) != 0) {
    ::unlink(temporary.c_str());
    return fail("cannot rename into place");
  }
  const std::string folder = fs::path(path).parent_path().empty() ? "." : fs::path(path).parent_path().string();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace paygate::crypto
