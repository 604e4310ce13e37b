#include "key_set.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace chat::auth {
namespace {

constexpr std::size_t kInitialSlots = 64;

// A key of up to 7 bytes as one word: its bytes, and its length in the top
// byte (never 0, so 0 can mean "a long key"). Two short keys are equal
// exactly when their words are.
constexpr std::size_t kShortKey = 7;
std::uint64_t short_word(std::string_view key) {
  const std::size_t n = key.size();
  if (n > kShortKey) return 0;
  // Fixed-size pieces (4, 2, 1 bytes) in disjoint bits: no call to memcpy
  // for a variable length, and the same bytes always give the same word.
  const char* p = key.data();
  std::uint64_t word = 0;
  unsigned shift = 0;
  if ((n & 4) != 0) {
    std::uint32_t piece = 0;
    std::memcpy(&piece, p, sizeof piece);
    word = piece;
    p += 4;
    shift = 32;
  }
  if ((n & 2) != 0) {
    std::uint16_t piece = 0;
    std::memcpy(&piece, p, sizeof piece);
    word |= static_cast<std::uint64_t>(piece) << shift;
    p += 2;
    shift += 16;
  }
  if ((n & 1) != 0) word |= static_cast<std::uint64_t>(static_cast<unsigned char>(*p)) << shift;
  return word | (static_cast<std::uint64_t>(n + 1) << 56);
}

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

std::uint64_t KeySet::hash(std::uint64_t object_seed, std::string_view key, std::uint64_t word) {
  if (word != 0) return mix(object_seed ^ word);
  std::uint64_t h = mix(object_seed ^ key.size());
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, key.data() + i, sizeof chunk);
    h = mix(h ^ chunk);
  }
  if (i < key.size()) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, key.data() + i, key.size() - i);
    h = mix(h ^ chunk);
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
  in_table_ = 0;
  bytes_.clear();
}

void KeySet::open_object() { open_.push_back(OpenObject{next_object_++, kNone, 0, false, 0}); }

void KeySet::close_object() {
  // The closed object's entries stay (no other object matches them); they go
  // at the next clear(). A document has at most one entry per key it holds.
  if (!open_.empty()) open_.pop_back();
}

bool KeySet::same(const Entry& entry, std::uint32_t object, std::string_view key, std::uint64_t word) const {
  if (entry.object != object || entry.word != word) return false;
  return word != 0 ||
         (entry.length == key.size() && std::memcmp(bytes_.data() + entry.offset, key.data(), key.size()) == 0);
}

bool KeySet::add(std::string_view key) {
  if (open_.empty()) return true;
  OpenObject& object = open_.back();
  const std::uint64_t word = short_word(key);
  const auto index = static_cast<std::uint32_t>(entries_.size());
  Entry entry{0, word, object.number, 0, 0, object.last, false};
  if (word == 0) {
    entry.offset = static_cast<std::uint32_t>(bytes_.size());
    entry.length = static_cast<std::uint32_t>(key.size());
  }
  if (!object.hashed && object.keys < kSmallObject) {
    for (std::uint32_t i = object.last; i != kNone; i = entries_[i].previous) {
      ++probes_;
      if (same(entries_[i], object.number, key, word)) return false;
    }
  } else {
    if (!object.hashed) hash_object(object);
    const std::uint64_t h = hash(object.seed, key, word);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      ++probes_;
      const Slot& slot = slots_[i];
      if (slot.generation != generation_) break;  // empty: not there, and its place
      const Entry& other = entries_[slot.entry];
      if (other.hash == h && same(other, object.number, key, word)) return false;
    }
    entry.hash = h;
    entry.in_table = true;
    entries_.push_back(entry);
    if (word == 0) bytes_.append(key);
    object.last = index;
    ++object.keys;
    if (++in_table_ * 2 > slots_.size()) {
      grow();  // places every entry of the table, this one too
    } else {
      slots_[i] = Slot{generation_, index};
    }
    return true;
  }
  entries_.push_back(entry);
  if (word == 0) bytes_.append(key);
  object.last = index;
  ++object.keys;
  return true;
}

void KeySet::hash_object(OpenObject& object) {
  object.seed = mix(seed_ ^ object.number);
  object.hashed = true;
  for (std::uint32_t i = object.last; i != kNone; i = entries_[i].previous) {
    Entry& entry = entries_[i];
    // A short key's hash needs only its word; a long key's bytes are in bytes_.
    const std::string_view long_key =
        entry.word != 0 ? std::string_view() : std::string_view(bytes_).substr(entry.offset, entry.length);
    entry.hash = hash(object.seed, long_key, entry.word);
    entry.in_table = true;
    insert(i);
  }
}

void KeySet::insert(std::uint32_t entry_index) {
  ++in_table_;
  if (in_table_ * 2 > slots_.size()) {
    grow();  // places every entry of the table, this one too
  } else {
    place(entry_index);
  }
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
  for (std::uint32_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].in_table) place(i);
  }
}

}  // namespace chat::auth
