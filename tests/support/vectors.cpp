#include "tests/support/vectors.h"

#include <boost/json/parse.hpp>

#include <stdexcept>

#include "tests/support/process.h"

namespace paygate::test {

std::filesystem::path vectors_dir() { return PAYGATE_VECTORS_DIR; }

boost::json::value load_vectors(const std::string& relative) {
  auto path = vectors_dir() / relative;
  if (!std::filesystem::exists(path)) throw std::runtime_error("missing test vectors: " + path.string());
  return boost::json::parse(read_file(path));
}

}  // namespace paygate::test
