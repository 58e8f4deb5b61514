#include "fraud/memory_store.h"

#include <algorithm>

namespace paygate::fraud {
namespace {

// What the IP's remembered cards say about this card; with `record`, remembers it.
DistinctResult distinct_cards(Entry& e, std::uint64_t card, bool record, std::int64_t now) {
  if (!e.recent_cards) e.recent_cards = std::make_unique<std::vector<Entry::Seen>>();
  auto& seen = *e.recent_cards;
  std::erase_if(seen, [&](const Entry::Seen& s) { return now - s.at >= 3600; });
  DistinctResult out;
  out.before = seen.size();
  if (card == 0) return out;
  // 16-bit tags of the card keys: enough to see card testing, bounded whatever the
  // attacker does.
  const auto tag = static_cast<std::uint16_t>(card >> 48);
  auto it = std::find_if(seen.begin(), seen.end(), [&](const Entry::Seen& s) { return s.card == tag; });
  out.seen_before = it != seen.end();
  if (!record) return out;
  if (it != seen.end()) {
    it->at = now;
  } else {
    if (seen.size() >= distinct_remembered) seen.erase(seen.begin());
    seen.push_back({tag, now});
  }
  return out;
}

}  // namespace

bool MemoryStore::apply(std::span<const WindowRead> reads, const DistinctCards* distinct, bool record,
                        std::int64_t now, std::span<std::uint64_t> before, DistinctResult& distinct_result) {
  const auto windows = tracked_windows();
  // Reads of one key come one after the other (tracked_windows() is grouped by key):
  // each key is looked up, and locked, once.
  for (std::size_t i = 0; i < reads.size();) {
    const KeyKind kind = windows[reads[i].window].key;
    std::size_t end = i + 1;
    while (end < reads.size() && windows[reads[end].window].key == kind && reads[end].key == reads[i].key)
      ++end;
    const std::uint64_t key = make_key(kind, reads[i].key);
    auto visit = [&](Entry* e) {
      for (std::size_t r = i; r < end; ++r) {
        auto w = e ? e->window(reads[r].window) : std::nullopt;
        before[r] = w ? w->total(now) : 0;
        if (record && w && reads[r].add > 0) w->add(now, reads[r].add);
      }
      return 0;
    };
    if (record) {
      state_.with(kind, key, [&](Entry& e, bool) { return visit(&e); });
    } else {
      state_.peek(key, visit);
    }
    i = end;
  }
  if (distinct && !distinct->ip.empty()) {
    const std::uint64_t card = distinct->card_key.empty() ? 0 : make_key(KeyKind::card, distinct->card_key);
    const std::uint64_t ip = make_key(KeyKind::ip, distinct->ip);
    if (record) {
      distinct_result =
          state_.with(KeyKind::ip, ip, [&](Entry& e, bool) { return distinct_cards(e, card, true, now); });
    } else {
      distinct_result = state_.peek(ip, [&](Entry* e) {
        if (!e || !e->recent_cards) return DistinctResult{};
        // A copy: peeking never prunes or records.
        Entry copy;
        copy.recent_cards = std::make_unique<std::vector<Entry::Seen>>(*e->recent_cards);
        return distinct_cards(copy, card, false, now);
      });
    }
  }
  return true;
}

}  // namespace paygate::fraud
