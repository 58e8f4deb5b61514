// Finding card numbers in text: the audit scanner's detector, the operational logs' last
// line of defence (mask_pans) and the guard on every answer a merchant receives. A
// candidate is a run of 12..19 digits, optionally in groups of 3..6 separated by one space
// or dash ("4111 1111 1111 1111"), that starts like a payment card (2..6, 81 UnionPay, 82
// RuPay; 1 for 15-digit UATP; 12 digits only in a brand range that issues 12, Maestro)
// and passes Luhn, and that either stands alone (no letter or digit touching it, except
// the track separators: 'B' before, 'D' or '=' after) or is glued to a word of letters
// only, one of them not a hex digit ("card4111…"), with a brand's prefix and length.
// Any standalone run equal to a known test PAN (a built-in list, plus
// PanScanOptions::known_pans) is reported too. Longer digit runs are not card numbers and
// are skipped whole. Known misses, kept for a low false-positive rate: numbers inside hex
// or base64 words, and a grouped number followed by a short group ("4111 1111 1111 1111
// 12"). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace paygate::card {

struct PanMatch {
  std::size_t offset = 0;  // in the text, of the first digit
  std::size_t length = 0;  // characters, separators included
  std::string masked;      // by card::mask (card/mask.h), e.g. "411111******1111"
};

struct PanScanOptions {
  // More digit strings reported even when they fail the Luhn or first-digit tests.
  std::unordered_set<std::string> known_pans;
};

std::vector<PanMatch> find_pans(std::string_view text, const PanScanOptions& options = {});

// `text` with the digits of every card number that the masking rule hides (card/mask.h)
// replaced by '*' (separators kept), so a line keeps its shape.
std::string mask_pans(std::string_view text);

}  // namespace paygate::card
