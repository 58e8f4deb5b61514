#include <openssl/opensslv.h>

#include <boost/version.hpp>
#include <cstdio>

#include "cli/command.h"
#include "gateway/version.h"

namespace paygate::cli {

Command version_command() {
  return {{"version", "Print the paygate version and the versions of the libraries it uses.", "", {}},
          [](const Args&) {
            std::printf("paygate %s\nboost %d.%d.%d\n%s\n", paygate::version,
                        BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100,
                        OPENSSL_VERSION_TEXT);
            return exit_ok;
          }};
}

}  // namespace paygate::cli
