#include "tokens/token_cache.h"

#include <algorithm>

namespace paygate::tokens {

std::string TokenCache::key_of(std::string_view merchant, std::string_view fingerprint) {
  std::string key;
  key.reserve(merchant.size() + 1 + fingerprint.size());
  key.append(merchant).append(1, '\0').append(fingerprint);  // a merchant id holds no NUL
  return key;
}

std::optional<TokenCache::Entry> TokenCache::find_locked(const std::string& key, std::int64_t now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_at && *it->second.expires_at <= now) {
    entries_.erase(it);  // the vault decides what an expired token becomes
    return std::nullopt;
  }
  return it->second;
}

std::optional<TokenCache::Entry> TokenCache::find(std::string_view merchant, std::string_view fingerprint,
                                                  std::int64_t now) {
  if (!enabled()) return std::nullopt;
  const std::string key = key_of(merchant, fingerprint);
  std::lock_guard lock(mutex_);
  return find_locked(key, now);
}

std::optional<TokenCache::Entry> TokenCache::find_if_checked(std::string_view merchant, std::string_view fingerprint,
                                                             std::int64_t now,
                                                             std::chrono::steady_clock::time_point steady,
                                                             std::chrono::milliseconds recheck) {
  if (!enabled()) return std::nullopt;
  const std::string key = key_of(merchant, fingerprint);
  std::lock_guard lock(mutex_);
  if (!deletions_ || steady - checked_ >= recheck) return std::nullopt;
  return find_locked(key, now);
}

std::uint64_t TokenCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void TokenCache::put(std::string_view merchant, std::string_view fingerprint, Entry entry, std::uint64_t generation) {
  if (!enabled()) return;
  std::string key = key_of(merchant, fingerprint);
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;
  if (entries_.size() >= capacity_ && !entries_.contains(key)) {
    // Full: drop an arbitrary eighth (at least one). Cheaper than keeping LRU order on
    // every hit, and a miss only costs the vault query the cache saves.
    std::size_t drop = std::max<std::size_t>(1, capacity_ / 8);
    for (auto it = entries_.begin(); it != entries_.end() && drop > 0; --drop) it = entries_.erase(it);
  }
  entries_.insert_or_assign(std::move(key), std::move(entry));
}

void TokenCache::touched(std::string_view merchant, std::string_view fingerprint, std::int64_t now) {
  if (!enabled()) return;
  const std::string key = key_of(merchant, fingerprint);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) it->second.last_used_at = now;
}

void TokenCache::forget_token(std::string_view token) {
  std::lock_guard lock(mutex_);
  ++generation_;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.token == token; });
}

bool TokenCache::observe_deletions(std::int64_t deletions) {
  std::lock_guard lock(mutex_);
  const bool changed = deletions_ && *deletions_ != deletions;
  if (changed) {
    entries_.clear();
    ++generation_;
  }
  deletions_ = deletions;
  return changed;
}

bool TokenCache::deletions_due(std::chrono::steady_clock::time_point now, std::chrono::milliseconds recheck) {
  std::lock_guard lock(mutex_);
  if (deletions_ && now - checked_ < recheck) return false;
  checked_ = now;
  return true;
}

std::size_t TokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace paygate::tokens
