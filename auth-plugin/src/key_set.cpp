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
  size_changed();
}

void KeySet::size_changed() {
  mask_ = slots_.size() - 1;
  grow_at_ = slots_.size() / 2;
}

// `bytes` are the key's bytes (only read for a long key). A short key's hash
// is one mix of its word, inlined where keys are added.
[[gnu::always_inline]] inline std::uint64_t KeySet::hash(std::uint64_t object_seed, const Key& key,
                                                         std::string_view bytes) {
  if (key.word != 0) return mix(object_seed ^ key.word);
  return long_hash(object_seed, bytes);
}

std::uint64_t KeySet::long_hash(std::uint64_t object_seed, std::string_view bytes) {
  std::uint64_t h = mix(object_seed ^ bytes.size());
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + i, sizeof chunk);
    h = mix(h ^ chunk);
  }
  if (i < bytes.size()) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + i, bytes.size() - i);
    h = mix(h ^ chunk);
  }
  return h;
}

// Whether the key held as `held` is `key`, whose bytes are `bytes`: one
// comparison of words for short keys.
[[gnu::always_inline]] inline bool KeySet::same(const Key& held, const Key& key, std::string_view bytes) const {
  if (held.word != key.word) return false;
  return key.word != 0 || same_long(held, bytes);
}

bool KeySet::same_long(const Key& held, std::string_view bytes) const {
  return held.length == bytes.size() && std::memcmp(bytes_.data() + held.offset, bytes.data(), bytes.size()) == 0;
}

void KeySet::clear() {
  if (++generation_ == 0) {  // wrapped: old stamps could look current again
    std::fill(slots_.begin(), slots_.end(), Slot{});
    generation_ = 1;
  }
  next_object_ = 0;
  probes_ = 0;
  depth_ = 0;
  in_table_ = 0;
  bytes_.clear();
}

void KeySet::hold_long(Key& held, std::string_view key) {
  held.offset = static_cast<std::uint32_t>(bytes_.size());
  held.length = static_cast<std::uint32_t>(key.size());
  bytes_.append(key);
}

bool KeySet::add_hashed(OpenObject& object, std::string_view key) {
  Key held{short_word(key), 0, 0};
  if (!object.hashed) hash_object(object);
  std::size_t i = hash(object.seed, held, key) & mask_;
  for (;; i = (i + 1) & mask_) {
    ++probes_;
    const Slot& slot = slots_[i];
    if (slot.generation != generation_) break;  // empty: not there, and its place
    if (slot.object == object.number && same(slot.key, held, key)) return false;
  }
  if (held.word == 0) hold_long(held, key);
  ++object.keys;
  const Slot slot{held, object.number, generation_};
  if (++in_table_ > grow_at_) {
    grow();
    place(slot);
  } else {
    slots_[i] = slot;
  }
  return true;
}

void KeySet::hash_object(OpenObject& object) {
  object.seed = mix(seed_ ^ object.number);
  object.hashed = true;
  for (std::uint32_t k = 0; k < object.keys; ++k) {
    const Slot slot{object.first[k], object.number, generation_};
    if (++in_table_ > grow_at_) grow();
    place(slot);
  }
}

// Puts a key that is not in the table yet into its first free slot.
void KeySet::place(const Slot& slot) {
  const std::string_view bytes =
      slot.key.word != 0 ? std::string_view() : std::string_view(bytes_).substr(slot.key.offset, slot.key.length);
  for (std::size_t i = hash(mix(seed_ ^ slot.object), slot.key, bytes) & mask_;; i = (i + 1) & mask_) {
    if (slots_[i].generation != generation_) {
      slots_[i] = slot;
      return;
    }
  }
}

void KeySet::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_changed();
  for (const Slot& slot : old) {
    if (slot.generation == generation_) place(slot);
  }
}

}  // namespace chat::auth
