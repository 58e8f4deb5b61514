#include "audit/verify.h"

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "audit/record.h"

namespace paygate::audit {
namespace {

struct Entry {
  std::size_t file_index = 0;
  std::size_t line = 0;
  bool first_in_file = false;
  bool torn = false;  // the file's last line, without its newline
  std::optional<ParsedRecord> record;
};

std::string string_member(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

class Verifier {
 public:
  Verifier(const std::vector<std::filesystem::path>& files, const crypto::KeyRing& keyring,
           const std::optional<ChainAnchor>& chain_anchor)
      : files_(files), keyring_(keyring), chain_anchor_(chain_anchor) {}

  VerifyReport run(bool from_chain_start) {
    load();
    std::size_t i = 0;
    // Skip to the first record to anchor the chain on.
    while (i < entries_.size() && !entries_[i].record) {
      note_unreadable(entries_[i]);
      ++i;
    }
    if (i < entries_.size()) anchor(entries_[i], from_chain_start);
    for (; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      if (!e.record) {
        note_unreadable(e);
        continue;
      }
      i += check(i);
    }
    collapse_wrong_keys();
    if (chain_anchor_ && !anchor_seen_) {
      report_.findings.push_back(Finding{FindingKind::anchor_missing, files_.empty() ? "" : file_name(files_.size() - 1), 0,
                                         chain_anchor_->seq,
                                         "the anchor's record " + std::to_string(chain_anchor_->seq) +
                                             " with MAC " + tag_hex(chain_anchor_->tag) +
                                             " is not in the chain: records up to it were removed or replaced"});
    }
    report_.last_type = last_type_;
    report_.last_seq = expected_ - 1;
    report_.last_tag = previous_;
    report_.last_key_id = last_key_id_;
    report_.last_file_torn = !entries_.empty() && entries_.back().torn;
    return std::move(report_);
  }

 private:
  void load() {
    for (std::size_t f = 0; f < files_.size(); ++f) {
      std::ifstream in(files_[f], std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string content = buffer.str();
      std::size_t start = 0, line = 0;
      bool first = true;
      while (start < content.size()) {
        const std::size_t end = content.find('\n', start);
        Entry e;
        e.file_index = f;
        e.line = ++line;
        e.first_in_file = first;
        first = false;
        const std::string_view text =
            std::string_view(content).substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (end == std::string::npos) {
          e.torn = true;
        } else {
          ++report_.records;
          e.record = parse_record(text);
        }
        entries_.push_back(std::move(e));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
  }

  std::string file_name(std::size_t index) const { return files_[index].filename().string(); }

  void add(FindingKind kind, const Entry& e, std::string detail) {
    report_.findings.push_back(Finding{kind, file_name(e.file_index), e.line, e.record ? e.record->seq : 0, std::move(detail)});
  }

  void note_unreadable(const Entry& e) {
    if (e.torn) {
      const bool last_file = e.file_index + 1 == files_.size();
      add(FindingKind::torn_tail, e,
          last_file ? "the last line was cut short (a crash while writing); everything before it is checked"
                    : "a cut last line inside the series");
      return;
    }
    add(FindingKind::malformed, e, "not an audit record");
  }

  // The chain starts from the first file's file_start record: its stated predecessor.
  void anchor(const Entry& e, bool from_chain_start) {
    const auto& r = *e.record;
    expected_ = r.seq;
    if (r.type == "file_start") {
      if (auto tag = tag_from_hex(string_member(r.object, "prev_mac"))) previous_ = *tag;
      const std::string prev_file = string_member(r.object, "prev_file");
      if (from_chain_start && !prev_file.empty()) {
        add(FindingKind::missing_file, e, "the series starts after " + prev_file + ", which is not here");
      }
    } else if (from_chain_start) {
      add(FindingKind::missing_file, e, "the first file does not start with a file_start record");
    }
  }

  const crypto::ChainMac* mac_for(const std::string& key_id) {
    auto it = macs_.find(key_id);
    if (it == macs_.end()) {
      auto mac = crypto::ChainMac::for_verifying(keyring_, key_id);
      it = macs_.emplace(key_id, mac ? std::optional<crypto::ChainMac>(std::move(mac).value()) : std::nullopt).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  bool verifies(const crypto::ChainTag& previous, const ParsedRecord& r) {
    const crypto::ChainMac* mac = mac_for(r.key_id);
    return mac && mac->verify(previous, r.canonical, r.tag);
  }

  void accept(const ParsedRecord& r) {
    previous_ = r.tag;
    expected_ = r.seq + 1;
    last_key_id_ = r.key_id;
    last_type_ = r.type;
    if (chain_anchor_ && r.seq == chain_anchor_->seq && r.tag == chain_anchor_->tag) anchor_seen_ = true;
  }

  // A file_start that says the run before it did not stop cleanly.
  void note_unclean_start(const Entry& e) {
    const auto& r = *e.record;
    const auto* flag = r.object.if_contains("unclean_predecessor");
    if (r.type == "file_start" && flag && flag->is_bool() && flag->get_bool()) {
      add(FindingKind::unclean_predecessor, e,
          "the run that wrote records up to " + std::to_string(r.seq - 1) +
              " ended without a stop record: a crash, or its newest records or files were removed while stopped");
    }
  }

  // The next entry with a record, if it is the very next line of the chain.
  const ParsedRecord* next_record(std::size_t i) const {
    return i + 1 < entries_.size() && entries_[i + 1].record ? &*entries_[i + 1].record : nullptr;
  }

  // Checks entry i; returns how many following entries it consumed too.
  std::size_t check(std::size_t i) {
    const Entry& e = entries_[i];
    const ParsedRecord& r = *e.record;
    note_unclean_start(e);
    if (!mac_for(r.key_id)) {
      if (unknown_keys_.insert(r.key_id).second) {
        add(FindingKind::unknown_key, e, "no usable key " + r.key_id + " in the keyring (unknown or retired)");
      }
      accept(r);
      return 0;
    }
    if (e.first_in_file && e.file_index > 0) check_file_link(e);
    if (verifies(previous_, r)) {
      ++report_.verified;
      ++verified_by_key_[r.key_id];
      accept(r);
      return 0;
    }
    // A file's first record that names another predecessor: files are missing between.
    if (e.first_in_file && r.type == "file_start" && missing_file_reported_for_ == i) {
      if (auto tag = tag_from_hex(string_member(r.object, "prev_mac"))) previous_ = *tag;
      if (verifies(previous_, r)) {
        ++report_.verified;
        ++verified_by_key_[r.key_id];
        accept(r);
        return 0;
      }
    }
    const ParsedRecord* next = next_record(i);
    if (next && r.seq == expected_ + 1 && next->seq == expected_ && verifies(previous_, *next)) {
      add(FindingKind::reordered, e,
          "records " + std::to_string(next->seq) + " and " + std::to_string(r.seq) + " are in each other's place");
      // Both are authentic, only out of place.
      for (const ParsedRecord* authentic : {next, &r}) {
        if (!verifies(previous_, *authentic)) break;
        ++report_.verified;
        ++verified_by_key_[authentic->key_id];
        accept(*authentic);
      }
      return 1;
    }
    if (next && verifies(previous_, *next)) {
      add(FindingKind::inserted, e, "this record is not part of the chain");
      return 0;
    }
    if (r.seq > expected_) {
      add(FindingKind::deleted, e,
          "records " + std::to_string(expected_) + ".." + std::to_string(r.seq - 1) + " are missing before this one");
    } else if (r.seq < expected_) {
      add(FindingKind::inserted, e, "record " + std::to_string(r.seq) + " again, after record " + std::to_string(expected_ - 1));
      return 0;
    } else {
      add(FindingKind::modified, e, "the record's content does not match its MAC");
      modified_by_key_[r.key_id].push_back(report_.findings.size() - 1);
    }
    accept(r);
    return 0;
  }

  // A rotated file must name the file before it; otherwise files are missing.
  void check_file_link(const Entry& e) {
    const ParsedRecord& r = *e.record;
    const std::string expected_prev = file_name(e.file_index - 1);
    const std::string prev_file = string_member(r.object, "prev_file");
    if (r.type != "file_start") {
      add(FindingKind::missing_file, e, "file does not start with a file_start record");
    } else if (prev_file != expected_prev) {
      add(FindingKind::missing_file, e,
          "the file before this one should be " + (prev_file.empty() ? std::string("none") : prev_file) + ", not " +
              expected_prev + " (records " + std::to_string(expected_) + ".." + std::to_string(r.seq - 1) +
              " are in the missing file)");
      missing_file_reported_for_ = static_cast<std::size_t>(&e - entries_.data());
    }
  }

  // Every record of a key failing (and none verifying) is one wrong key, not tampering
  // with each record.
  void collapse_wrong_keys() {
    std::set<std::size_t> drop;
    std::vector<Finding> wrong;
    for (const auto& [key_id, indices] : modified_by_key_) {
      if (verified_by_key_[key_id] > 0 || indices.size() < 1) continue;
      Finding first = report_.findings[indices.front()];
      first.kind = FindingKind::wrong_key;
      first.detail = "none of the " + std::to_string(indices.size()) + " records signed by " + key_id +
                     " verifies: the keyring's " + key_id + " is not the key that signed them";
      wrong.push_back(std::move(first));
      drop.insert(indices.begin(), indices.end());
    }
    if (drop.empty()) return;
    std::vector<Finding> kept;
    for (std::size_t k = 0; k < report_.findings.size(); ++k) {
      if (!drop.contains(k)) kept.push_back(std::move(report_.findings[k]));
    }
    for (auto& w : wrong) kept.push_back(std::move(w));
    report_.findings = std::move(kept);
  }

  const std::vector<std::filesystem::path>& files_;
  const crypto::KeyRing& keyring_;
  std::vector<Entry> entries_;
  VerifyReport report_;
  crypto::ChainTag previous_{};
  std::uint64_t expected_ = 1;
  std::string last_key_id_;
  std::string last_type_;
  std::optional<ChainAnchor> chain_anchor_;
  bool anchor_seen_ = false;
  std::map<std::string, std::optional<crypto::ChainMac>> macs_;
  std::set<std::string> unknown_keys_;
  std::map<std::string, std::uint64_t> verified_by_key_;
  std::map<std::string, std::vector<std::size_t>> modified_by_key_;
  std::size_t missing_file_reported_for_ = static_cast<std::size_t>(-1);
};

}  // namespace

std::string_view to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::modified: return "modified";
    case FindingKind::deleted: return "deleted";
    case FindingKind::inserted: return "inserted";
    case FindingKind::reordered: return "reordered";
    case FindingKind::missing_file: return "missing_file";
    case FindingKind::wrong_key: return "wrong_key";
    case FindingKind::unknown_key: return "unknown_key";
    case FindingKind::malformed: return "malformed";
    case FindingKind::torn_tail: return "torn_tail";
    case FindingKind::unclean_predecessor: return "unclean_predecessor";
    case FindingKind::anchor_missing: return "anchor_missing";
  }
  return "unknown";
}

bool VerifyReport::unclean() const {
  for (const auto& f : findings) {
    if (f.kind == FindingKind::unclean_predecessor) return true;
  }
  return false;
}

bool VerifyReport::tampered() const {
  for (const auto& f : findings) {
    if (f.kind != FindingKind::torn_tail && f.kind != FindingKind::unclean_predecessor) return true;
  }
  return false;
}

bool VerifyReport::torn() const {
  for (const auto& f : findings) {
    if (f.kind == FindingKind::torn_tail) return true;
  }
  return false;
}

VerifyReport verify_chain(const std::vector<std::filesystem::path>& files, const crypto::KeyRing& keyring,
                          bool from_chain_start, const std::optional<ChainAnchor>& anchor) {
  return Verifier(files, keyring, anchor).run(from_chain_start);
}

}  // namespace paygate::audit
