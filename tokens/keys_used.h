// The ids of the keys one token operation used (data, fingerprint, fpe), for the audit
// record and the key-use metrics: an auditor can see which key protected what. Ids only,
// never material; in the order they were used, without repeats.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace paygate::tokens {

class KeysUsed {
 public:
  void add(const std::string& key_id) {
    if (std::find(ids_.begin(), ids_.end(), key_id) == ids_.end()) ids_.push_back(key_id);
  }
  const std::vector<std::string>& ids() const { return ids_; }

 private:
  std::vector<std::string> ids_;
};

// Records into `used` when the caller asked for it.
inline void note_key(KeysUsed* used, const std::string& key_id) {
  if (used) used->add(key_id);
}

}  // namespace paygate::tokens
