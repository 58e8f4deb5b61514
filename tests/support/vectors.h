// Test support: the third-party test vectors vendored in tests/vectors/, read as JSON.
#pragma once

#include <boost/json/value.hpp>

#include <filesystem>
#include <string>

namespace paygate::test {

std::filesystem::path vectors_dir();
// Parses vectors_dir()/relative; throws when missing or not JSON.
boost::json::value load_vectors(const std::string& relative);

}  // namespace paygate::test
