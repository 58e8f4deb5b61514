#include "tests/support/softhsm.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "tests/support/process.h"

namespace paygate::test {

namespace fs = std::filesystem;

SoftHsmToken::SoftHsmToken(const fs::path& dir, const std::string& label) : label_(label) {
  fs::create_directories(dir);
  token_dir_ = dir / "tokens";
  fs::create_directories(token_dir_);
  const fs::path conf = dir / "softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << token_dir_.string()
                      << "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n";
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  auto init = run_command("softhsm2-util --init-token --free --label " + label + " --so-pin 12345678 --pin " +
                          softhsm_user_pin + " 2>&1");
  if (init.exit_code != 0) throw std::runtime_error("softhsm2-util --init-token failed: " + init.output);
  pin_file_ = dir / "hsm.pin";
  std::ofstream(pin_file_) << softhsm_user_pin << "\n";
  fs::permissions(pin_file_, fs::perms::owner_read | fs::perms::owner_write);
}

std::string SoftHsmToken::keyring_block(const std::string& key_label, int indent) const {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  return pad + "pkcs11:\n" + pad + "  module: " + softhsm_module + "\n" + pad + "  token: " + label_ + "\n" + pad +
         "  key_label: " + key_label + "\n" + pad + "  pin_file: " + pin_file_.string() + "\n";
}

}  // namespace paygate::test
