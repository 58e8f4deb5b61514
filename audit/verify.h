// Checking an audit chain: every record's MAC against the previous one, sequence numbers,
// and the links between rotated files. Findings name the file, line and record number
// and say what happened: a record modified, deleted, inserted or reordered, a file
// missing from the series, a key that is not the one that signed, a torn last line (a
// crash, not tampering). Damage is localized: after a finding the check resynchronizes
// on the stored MACs, so one edit is one finding and everything around it still counts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/chain_mac.h"
#include "crypto/keyring.h"

namespace paygate::audit {

enum class FindingKind {
  modified,      // the record's bytes changed after it was sealed
  deleted,       // records missing inside a file (sequence gap)
  inserted,      // a record that the chain does not contain (forged or replayed)
  reordered,     // records out of order
  missing_file,  // a file of the rotated series is absent
  wrong_key,     // the keyring's key of that id is not the one that signed
  unknown_key,   // no usable key of that id (unknown or retired) in the keyring
  malformed,     // a line that is not a record
  torn_tail,     // the last line of a file was cut by a crash (not tampering)
  // A run of the writer began after one that did not end with its stop record: a crash,
  // or the newest records or files were removed while it was stopped. Not proven intact
  // (audit verify exits 3, as for a crash) until an anchor kept off-host settles which.
  unclean_predecessor,
  anchor_missing,  // the anchor's record (seq and MAC, kept off-host) is not in the chain
};

std::string_view to_string(FindingKind kind);

struct Finding {
  FindingKind kind;
  std::string file;       // file name
  std::size_t line = 0;   // 1-based
  std::uint64_t seq = 0;  // the record's number, when known
  std::string detail;
};

struct VerifyReport {
  std::uint64_t records = 0;   // complete lines read
  std::uint64_t verified = 0;  // records whose MAC verified in place
  std::vector<Finding> findings;
  // Where the chain ends (the last record that verified): a writer continues from here.
  std::uint64_t last_seq = 0;
  crypto::ChainTag last_tag{};
  std::string last_key_id;
  std::string last_type;  // of the last record that verified ("stop" after a clean shutdown)
  bool last_file_torn = false;

  bool tampered() const;  // any finding but torn_tail and unclean_predecessor
  // A run ended without its stop record: a crash, or truncation while stopped. Not
  // proven intact: an anchor kept off-host tells which (anchor_missing is tampering).
  bool unclean() const;
  bool torn() const;      // a torn_tail finding
};

// A record of the chain, noted elsewhere (off-host) to prove later that nothing up to it
// was cut: `paygate audit anchor` prints one, `audit verify --anchor` checks it.
struct ChainAnchor {
  std::uint64_t seq = 0;
  crypto::ChainTag tag{};
};

// `files` in chain order (one stream). With `from_chain_start`, the first file must
// begin the chain (its predecessor is reported missing otherwise). With `anchor`, the
// chain must hold that record with that MAC (anchor_missing otherwise).
VerifyReport verify_chain(const std::vector<std::filesystem::path>& files, const crypto::KeyRing& keyring,
                          bool from_chain_start = true, const std::optional<ChainAnchor>& anchor = std::nullopt);

}  // namespace paygate::audit
