#include "key_set.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace chat::auth {
namespace {

constexpr std::size_t kInitialSlots = 64;

// MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

KeySet::KeySet() : seed_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()) {
  slots_.resize(kInitialSlots);
}

std::uint64_t KeySet::hash(std::uint32_t object, std::string_view key) const {
  std::uint64_t h = mix(seed_ ^ (static_cast<std::uint64_t>(object) << 32) ^ key.size());
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, key.data() + i, sizeof word);
    h = mix(h ^ word);
  }
  if (i < key.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, key.data() + i, key.size() - i);
    h = mix(h ^ word);
  }
  return h;
}

void KeySet::clear() {
  if (++generation_ == 0) {  // wrapped: old stamps could look current again
    std::fill(slots_.begin(), slots_.end(), Slot{});
    generation_ = 1;
  }
  next_object_ = 0;
  probes_ = 0;
  open_.clear();
  entries_.clear();
  bytes_.clear();
}

void KeySet::open_object() { open_.push_back(next_object_++); }

void KeySet::close_object() {
  // The closed object's entries stay (no other object matches them); they go
  // at the next clear(). A document has at most one entry per key it holds.
  if (!open_.empty()) open_.pop_back();
}

bool KeySet::same(const Entry& entry, std::uint32_t object, std::string_view key) const {
  return entry.object == object && entry.length == key.size() &&
         std::memcmp(bytes_.data() + entry.offset, key.data(), key.size()) == 0;
}

bool KeySet::add(std::string_view key) {
  if (open_.empty()) return true;
  const std::uint32_t object = open_.back();
  const std::uint64_t h = hash(object, key);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    ++probes_;
    const Slot& slot = slots_[i];
    if (slot.generation != generation_) break;  // empty: not there
    const Entry& entry = entries_[slot.entry];
    if (entry.hash == h && same(entry, object, key)) return false;
  }
  entries_.push_back(Entry{object, static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(key.size()), h});
  bytes_.append(key);
  if (entries_.size() * 2 > slots_.size()) {
    grow();  // places every entry, the new one too
  } else {
    place(static_cast<std::uint32_t>(entries_.size() - 1));
  }
  return true;
}

void KeySet::place(std::uint32_t entry_index) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = entries_[entry_index].hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      slot = Slot{generation_, entry_index};
      return;
    }
  }
}

void KeySet::grow() {
  slots_.assign(slots_.size() * 2, Slot{});
  for (std::uint32_t i = 0; i < entries_.size(); ++i) place(i);
}

}  // namespace chat::auth
