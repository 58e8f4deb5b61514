#include "tokens/vault_tokenizer.h"

#include <array>

#include "card/luhn.h"
#include "crypto/random.h"

namespace paygate::tokens {
namespace {

constexpr int max_token_attempts = 16;
// last_used_at is bookkeeping, not security: refresh it at most hourly, so that a
// detokenization stays a read.
constexpr std::int64_t touch_interval = 3600;

std::string envelope_field(std::string_view token) { return "vault:" + std::string(token); }

crypto::Error unavailable(const crypto::Error& e) {
  return crypto::make_error(crypto::ErrorCode::unavailable, "vault store: " + e.reason);
}

}  // namespace

VaultTokenizer::VaultTokenizer(std::shared_ptr<const crypto::KeyRing> keyring,
                               std::shared_ptr<VaultStore> store, Clock clock, std::size_t cache_entries)
    : keyring_(keyring),
      store_(std::move(store)),
      envelopes_(keyring),
      fingerprints_(keyring),
      clock_(clock ? std::move(clock) : Clock([] {
        return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
      })),
      cache_(cache_entries) {}

void VaultTokenizer::notice_erasures() {
  if (!cache_.enabled() || !cache_.deletions_due(std::chrono::steady_clock::now(), cache_recheck)) return;
  // A failed read empties the cache too: what it cannot check, it does not trust.
  auto deletions = store_->deletions();
  cache_.observe_deletions(deletions ? deletions.value() : -1);
}

std::string VaultTokenizer::random_token(std::string_view pan, const TokenLayout& layout) const {
  std::string token(pan);
  std::array<std::uint8_t, 64> pool{};
  std::size_t used = pool.size();
  auto next_digit = [&]() -> char {
    for (;;) {
      if (used == pool.size()) {
        crypto::random_bytes(pool);
        used = 0;
      }
      const std::uint8_t b = pool[used++];
      if (b < 250) return static_cast<char>('0' + b % 10);  // rejection keeps digits uniform
    }
  };
  do {
    for (int i = 0; i < layout.middle; ++i) token[static_cast<std::size_t>(layout.front + i)] = next_digit();
  } while (card::luhn_valid(token) || token == pan);  // never Luhn-valid, never the PAN itself
  return token;
}

crypto::Result<std::optional<VaultRow>> VaultTokenizer::find_existing(std::string_view merchant_id,
                                                                      std::string_view pan,
                                                                      const crypto::Fingerprint& primary) {
  // The primary fingerprint first (the caller has it), then every other live key's: rows
  // made before a fingerprint key rotation (and not yet rewrapped) are still found.
  auto row = store_->find_by_fingerprint(merchant_id, primary.hex());
  if (!row) return unavailable(row.error());
  if (row.value()) return row;
  for (const crypto::Key& key : keyring_->keys()) {
    if (key.use() != crypto::KeyUse::fingerprint || key.state() != crypto::KeyState::active) continue;
    auto fp = fingerprints_.fingerprint_with(key.id(), merchant_id, pan);
    if (!fp) return fp.error();
    row = store_->find_by_fingerprint(merchant_id, fp.value().hex());
    if (!row) return unavailable(row.error());
    if (row.value()) return row;
  }
  return std::optional<VaultRow>();
}

crypto::Result<std::string> VaultTokenizer::tokenize(std::string_view merchant_id, std::string_view pan,
                                                     const TokenProfile& profile,
                                                     std::optional<std::chrono::seconds> ttl,
                                                     KeysUsed* used) {
  if (auto s = check_pan(profile, pan); !s) return s.error();
  const crypto::Key* data_key = keyring_->primary(crypto::KeyUse::data);
  if (!data_key)
    return crypto::make_error(crypto::ErrorCode::unknown_key, "the keyring has no primary data key");
  auto fp = fingerprints_.fingerprint(merchant_id, pan);
  if (!fp) return fp.error();
  const std::int64_t now = clock_();
  const std::string fingerprint = fp.value().hex();
  notice_erasures();
  if (auto hit = cache_.find(merchant_id, fingerprint, now)) {
    if (now - hit->last_used_at >= touch_interval) {
      (void)store_->touch(hit->token, now);
      cache_.touched(merchant_id, fingerprint, now);
    }
    note_key(used, hit->fingerprint_key_id);
    return hit->token;
  }
  // Taken before the vault is asked: a row erased meanwhile is not cached back.
  const std::uint64_t generation = cache_.generation();

  for (int attempt = 0; attempt < max_token_attempts; ++attempt) {
    auto existing = find_existing(merchant_id, pan, fp.value());
    if (!existing) return existing.error();
    if (const auto& row = existing.value()) {
      if (!row->expires_at || *row->expires_at > now) {
        std::int64_t last_used = row->last_used_at;
        if (now - row->last_used_at >= touch_interval && store_->touch(row->token, now).ok()) last_used = now;
        note_key(used, row->fingerprint_key_id);
        cache_.put(merchant_id, fingerprint, {row->token, row->fingerprint_key_id, row->expires_at, last_used},
                   generation);
        return row->token;
      }
      // Expired: the PAN gets a fresh token.
      cache_.forget_token(row->token);
      if (auto erased = store_->erase(merchant_id, row->token); !erased) return unavailable(erased.error());
    }
    VaultRow row;
    row.token = random_token(pan, *layout_for(profile, static_cast<int>(pan.size())));
    row.merchant = std::string(merchant_id);
    row.fingerprint = fp.value().hex();
    row.fingerprint_key_id = fp.value().key_id;
    auto envelope = envelopes_.seal(pan, envelope_field(row.token), merchant_id);
    if (!envelope) return envelope.error();
    row.pan_envelope = std::move(envelope).value();
    row.data_key_id = data_key->id();
    row.created_at = now;
    row.last_used_at = now;
    if (ttl) row.expires_at = now + ttl->count();
    auto inserted = store_->insert(row);
    if (!inserted) return unavailable(inserted.error());
    switch (inserted.value()) {
      case InsertOutcome::inserted:
        note_key(used, row.fingerprint_key_id);
        note_key(used, row.data_key_id);
        cache_.put(merchant_id, fingerprint, {row.token, row.fingerprint_key_id, row.expires_at, now}, generation);
        return row.token;
      case InsertOutcome::token_taken:
        continue;  // another PAN has that token: draw again
      case InsertOutcome::fingerprint_taken:
        continue;  // a concurrent tokenization won: use its row
    }
  }
  return crypto::make_error(crypto::ErrorCode::unavailable, "could not settle on a token; retry");
}

std::optional<std::string> VaultTokenizer::cached_token(std::string_view merchant_id, std::string_view pan,
                                                       const TokenProfile& profile, KeysUsed* used) {
  if (!cache_.enabled() || !check_pan(profile, pan) || !keyring_->primary(crypto::KeyUse::data)) return std::nullopt;
  auto fp = fingerprints_.fingerprint(merchant_id, pan);
  if (!fp) return std::nullopt;
  const std::int64_t now = clock_();
  auto hit = cache_.find_if_checked(merchant_id, fp.value().hex(), now, std::chrono::steady_clock::now(), cache_recheck);
  if (!hit || now - hit->last_used_at >= touch_interval) return std::nullopt;
  note_key(used, hit->fingerprint_key_id);
  return std::move(hit->token);
}

crypto::Result<std::string> VaultTokenizer::detokenize(std::string_view merchant_id, std::string_view token,
                                                       KeysUsed* used) {
  auto found = store_->find_by_token(token);
  if (!found) return unavailable(found.error());
  const auto& row = found.value();
  // Another merchant's token is indistinguishable from a token that does not exist.
  if (!row || row->merchant != merchant_id)
    return crypto::make_error(crypto::ErrorCode::not_found, "no such token");
  const std::int64_t now = clock_();
  if (row->expires_at && *row->expires_at <= now)
    return crypto::make_error(crypto::ErrorCode::not_found, "no such token (expired)");
  auto pan = envelopes_.open(row->pan_envelope, envelope_field(row->token), merchant_id);
  if (!pan) return pan.error();
  note_key(used, row->data_key_id);
  if (now - row->last_used_at >= touch_interval) (void)store_->touch(row->token, now);
  return std::string(pan.value().begin(), pan.value().end());
}

crypto::Result<bool> VaultTokenizer::erase(std::string_view merchant_id, std::string_view token) {
  auto erased = store_->erase(merchant_id, token);
  cache_.forget_token(token);  // whatever the store said: never answer it from memory again
  if (!erased) return unavailable(erased.error());
  return erased.value();
}

crypto::Result<VaultTokenizer::RewrapBatch> VaultTokenizer::rewrap_batch(std::string_view after_token,
                                                                         std::size_t limit) {
  const crypto::Key* data_key = keyring_->primary(crypto::KeyUse::data);
  const crypto::Key* fp_key = keyring_->primary(crypto::KeyUse::fingerprint);
  if (!data_key || !fp_key)
    return crypto::make_error(crypto::ErrorCode::unknown_key,
                              "rewrap needs primary data and fingerprint keys");
  auto rows = store_->stale_rows(data_key->id(), fp_key->id(), after_token, limit);
  if (!rows) return unavailable(rows.error());
  RewrapBatch batch;
  batch.last_token = std::string(after_token);
  batch.done = rows.value().size() < limit;
  for (const VaultRow& row : rows.value()) {
    batch.last_token = row.token;
    auto pan = envelopes_.open(row.pan_envelope, envelope_field(row.token), row.merchant);
    if (!pan) {
      ++batch.failed;
      continue;
    }
    const std::string_view pan_text(reinterpret_cast<const char*>(pan.value().data()), pan.value().size());
    VaultRow updated = row;
    auto envelope = envelopes_.seal(pan_text, envelope_field(row.token), row.merchant);
    auto fp = fingerprints_.fingerprint(row.merchant, pan_text);
    if (!envelope || !fp) {
      ++batch.failed;
      continue;
    }
    updated.pan_envelope = std::move(envelope).value();
    updated.data_key_id = data_key->id();
    updated.fingerprint = fp.value().hex();
    updated.fingerprint_key_id = fp.value().key_id;
    auto changed = store_->rewrap(updated, row.pan_envelope);
    if (!changed) return unavailable(changed.error());
    changed.value() ? ++batch.rewrapped : ++batch.skipped;
  }
  return batch;
}

}  // namespace paygate::tokens
