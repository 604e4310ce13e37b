#include "key_set.hpp"

#include <algorithm>
#include <cstring>
#include <random>

namespace chat::auth {
namespace {

constexpr std::size_t kInitialSlots = 64;

}  // namespace

KeySet::KeySet() : seed_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()) {
  control_.assign(kInitialSlots, kEmpty);
  size_changed();
}

void KeySet::size_changed() {
  slot_entry_.assign(control_.size(), 0);
  group_mask_ = control_.size() / kGroup - 1;
  grow_at_ = control_.size() / 2;
  entries_.resize(grow_at_ + 1);
}

// A key's hash within its object. A long key's bytes are read 8 at a time.
std::uint64_t KeySet::hash(std::uint64_t object_seed, const Key& key) const {
  if (key.word != 0) return short_hash(object_seed, key.word);
  const std::string_view bytes = long_bytes(key);
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

std::string_view KeySet::long_bytes(const Key& key) const {
  return std::string_view(bytes_).substr(key.offset, key.length);
}

bool KeySet::same_long(const Key& held, std::string_view bytes) const {
  return held.length == bytes.size() && std::memcmp(bytes_.data() + held.offset, bytes.data(), bytes.size()) == 0;
}

void KeySet::clear() {
  // One byte per slot, only after a document that used the table: a 64 KiB
  // document's table has 16 KiB of them.
  if (in_table_ > 0) std::fill(control_.begin(), control_.end(), kEmpty);
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

bool KeySet::add_hashed(OpenObject& object, std::string_view key, std::uint64_t word) {
  if (!object.hashed) hash_object(object);
  if (word != 0) return add_short_hashed(object, word);
  Key held{0, 0, 0};
  hold_long(held, key);  // first, so that hash() reads it where every long key is
  const std::uint64_t h = hash(object.seed, held);
  const std::uint32_t number = object.number;
  const std::size_t i = find(h, [&](const Entry& entry) {
    return entry.object == number && entry.key.word == 0 && same_long(entry.key, key);
  });
  if (i == kFound) {
    bytes_.resize(held.offset);  // a duplicate refuses the document; its bytes need not stay
    return false;
  }
  ++object.keys;
  insert_at(i, h, Entry{held, number});
  return true;
}

void KeySet::hash_object(OpenObject& object) {
  object.seed = mix(seed_ ^ object.number);
  object.hashed = true;
  for (std::uint32_t k = 0; k < object.keys; ++k) {  // distinct: they were compared with each other
    const auto index = static_cast<std::uint32_t>(in_table_);
    entries_[in_table_] = Entry{object.first[k], object.number};
    if (++in_table_ > grow_at_) {
      grow();
    } else {
      place(index);
    }
  }
}

void KeySet::place(std::uint32_t index) {
  const Entry& entry = entries_[index];
  const std::uint64_t h = hash(mix(seed_ ^ entry.object), entry.key);
  for (std::size_t group = h & group_mask_;; group = (group + 1) & group_mask_) {
    const std::uint64_t empty = control_group(group) & kHighBits;
    if (empty != 0) {
      const std::size_t slot = group * kGroup + static_cast<std::size_t>(std::countr_zero(empty)) / 8;
      control_[slot] = static_cast<std::uint8_t>(tag_of(h));
      slot_entry_[slot] = index;
      return;
    }
  }
}

// Doubles the table and places every key of entries_ (the newest included) again.
void KeySet::grow() {
  control_.assign(control_.size() * 2, kEmpty);
  size_changed();
  for (std::uint32_t index = 0; index < in_table_; ++index) place(index);
}

}  // namespace chat::auth
