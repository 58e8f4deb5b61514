#include "card/detect.h"

#include "card/brand.h"
#include "card/luhn.h"
#include "card/mask.h"

namespace paygate::card {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_separator(char c) { return c == ' ' || c == '-'; }

constexpr std::size_t min_digits = 12;  // Maestro; 12 only where a brand issues 12
constexpr std::size_t max_digits = 19;
constexpr std::size_t min_group = 3;
constexpr std::size_t max_group = 6;

// One run of digits starting at `begin`: its end, its digits, and whether its shape can
// be a card number (groups of 3..6 when separated, 13..19 digits in all).
struct Run {
  std::size_t end = 0;
  std::string digits;
  bool well_formed = true;
};

Run read_run(std::string_view text, std::size_t begin) {
  Run run;
  std::size_t i = begin;
  std::size_t group = 0;
  bool separated = false;
  while (i < text.size()) {
    if (is_digit(text[i])) {
      run.digits.push_back(text[i]);
      ++group;
      ++i;
      continue;
    }
    // One separator between two digits continues the run.
    if (is_separator(text[i]) && i + 1 < text.size() && is_digit(text[i + 1])) {
      if (group < min_group || group > max_group) break;  // "12 34 56": not card grouping
      separated = true;
      group = 0;
      ++i;
      continue;
    }
    break;
  }
  run.end = i;
  if (separated && (group < min_group || group > max_group)) run.well_formed = false;
  if (run.digits.size() < min_digits || run.digits.size() > max_digits) run.well_formed = false;
  return run;
}

// Card numbers published for testing (card networks, processors' sandboxes) that the
// first-digit rule alone would miss or that are worth naming anyway.
const std::unordered_set<std::string>& builtin_known_test_pans() {
  static const std::unordered_set<std::string> pans{
      "4111111111111111",    "4242424242424242", "4000056655665556", "4012888888881881",
      "4222222222222",       "4242424242424241", "5555555555554444", "5105105105105100",
      "5200828282828210",    "2223003122003222", "2222400010000008", "378282246310005",
      "371449635398431",     "378734493671000",  "6011111111111117", "6011000990139424",
      "30569309025904",      "38520000023237",   "36227206271667",   "3530111333300000",
      "3566002020360505",    "6200000000000005", "6250941006528599", "1000000000000008",
      "8171999900000000021", "8171999927660000", "6759649826438453", "6799990100000000019",
  };
  return pans;
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex_letter(char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Payment cards start with 2..6 (ISO/IEC 7812 major industry identifiers for banking and
// travel cards), or 81 / 82 (UnionPay, RuPay); 15-digit numbers starting with 1 are UATP
// airline cards. 12 digits only in a brand range that issues 12 (Maestro).
bool card_like(const std::string& digits) {
  const bool prefix = (digits[0] >= '2' && digits[0] <= '6') || (digits[0] == '1' && digits.size() == 15) ||
                      (digits[0] == '8' && (digits[1] == '1' || digits[1] == '2'));
  if (!prefix || !luhn_valid(digits)) return false;
  if (digits.size() < 13) {
    const CardBrand brand = card_brand(digits);
    return brand != CardBrand::unknown && brand_length_ok(brand, digits.size());
  }
  return true;
}

// A run glued to letters ("card4111…", "…1111exp") counts when the word around it is
// letters, then the run, then letters (no other digits: hex and base64 mix them), at
// least one letter is not a hex digit, and the digits are a brand's number of a length
// that brand issues. Hex strings never qualify, so the false-positive rate stays put.
bool glued_card(std::string_view text, std::size_t begin, std::size_t end, const std::string& digits) {
  std::size_t word_begin = begin;
  while (word_begin > 0 && is_alnum(text[word_begin - 1])) --word_begin;
  std::size_t word_end = end;
  while (word_end < text.size() && is_alnum(text[word_end])) ++word_end;
  bool non_hex = false;
  for (std::size_t k = word_begin; k < word_end; ++k) {
    if (k == begin) k = end;  // the run itself (its separators are not letters)
    if (k >= word_end) break;
    if (!is_letter(text[k])) return false;
    non_hex = non_hex || !is_hex_letter(text[k]);
  }
  const CardBrand brand = card_brand(digits);
  return non_hex && brand != CardBrand::unknown && brand_length_ok(brand, digits.size());
}

}  // namespace

std::vector<PanMatch> find_pans(std::string_view text, const PanScanOptions& options) {
  std::vector<PanMatch> matches;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    // Track 1 puts 'B' before the PAN; in track 2, what follows "<PAN>=" is the expiry and
    // discretionary data, never a card number.
    const bool after_track_separator = i >= 2 && text[i - 1] == '=' && is_digit(text[i - 2]);
    const bool starts_alone =
        (i == 0 || !is_alnum(text[i - 1]) || text[i - 1] == 'B') && !after_track_separator;
    Run run = read_run(text, i);
    const bool ends_alone =
        run.end == text.size() || !is_alnum(text[run.end]) || text[run.end] == 'D';  // track 2
    // Only a run of a card number's length is looked up: every published test number has
    // 13..19 digits, and the short runs of a text (dates, counters, amounts) are most of
    // its runs — hashing each was ~2 % of a request's CPU (issue #21).
    const bool card_length = run.digits.size() >= min_digits && run.digits.size() <= max_digits;
    const bool known = (card_length && builtin_known_test_pans().contains(run.digits)) ||
                       (!options.known_pans.empty() && run.digits.size() <= max_digits &&
                        options.known_pans.contains(run.digits));
    const bool shaped = run.well_formed && card_like(run.digits);
    const bool alone = starts_alone && ends_alone;
    if ((alone && (known || shaped)) ||
        (!alone && !after_track_separator && shaped && glued_card(text, i, run.end, run.digits))) {
      matches.push_back(PanMatch{i, run.end - i, mask(run.digits)});
    }
    i = run.end;
    // A digit run that touched a letter is skipped to its end with the letters around it.
    while (i < text.size() && is_alnum(text[i]) && !is_digit(text[i])) ++i;
  }
  return matches;
}

std::string mask_pans(std::string_view text) {
  std::string out(text);
  // Until nothing is found: masking one number can expose another that overlapped it
  // ("…2465555-5555-5555-4444" holds two candidates; the fuzzer found this). Each round
  // masks at least one digit, so this ends.
  for (auto matches = find_pans(out); !matches.empty(); matches = find_pans(out)) {
    for (const PanMatch& m : matches) {
      // Count digits inside the match; keep what the masking rule keeps.
      std::size_t total = 0;
      for (std::size_t k = m.offset; k < m.offset + m.length; ++k) total += is_digit(out[k]) ? 1u : 0u;
      const KeptDigits kept = kept_digits(static_cast<int>(total));
      const auto front = static_cast<std::size_t>(kept.front);
      const auto back = static_cast<std::size_t>(kept.back);
      std::size_t seen = 0;
      bool changed = false;
      for (std::size_t k = m.offset; k < m.offset + m.length; ++k) {
        if (!is_digit(out[k])) continue;
        if (seen >= front && seen + back < total) {
          out[k] = '*';
          changed = true;
        }
        ++seen;
      }
      if (!changed) {  // a match whose middle is already masked: mask it whole
        for (std::size_t k = m.offset; k < m.offset + m.length; ++k) {
          if (is_digit(out[k])) out[k] = '*';
        }
      }
    }
  }
  return out;
}

}  // namespace paygate::card
