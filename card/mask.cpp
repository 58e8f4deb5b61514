#include "card/mask.h"

namespace paygate::card {

std::string mask(std::string_view digits) {
  std::string out(digits);
  for (std::size_t i = 6; i + 4 < out.size(); ++i) out[i] = '*';
  return out;
}

}  // namespace paygate::card
