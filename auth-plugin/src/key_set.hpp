#pragma once
// The keys of every open JSON object of one document, to refuse a key given
// twice in the same object (two parsers could disagree on which one counts).
//
// Linear in the document: one seeded hash and, on average, about one probe per
// key, whatever the number of keys in an object. Keys of up to 7 bytes (most
// keys, and the cheap ones a hostile sender packs most of into 64 KiB) are
// held and hashed as one 64-bit word: one multiply-mix, no copy of their bytes.
// An object's first kSmallObject keys are kept with the open object and
// compared with each other directly (at most that many comparisons each, and
// no hashing, for the many tiny objects a hostile array can hold); its keys go
// into the hash table once it has more. Comparing each key with every earlier
// one of its object (as before) made a valid 64 KiB message of ~8 100 short
// keys cost ~200 ms of the broker's only thread. The hash is keyed with a
// random seed per instance, so a sender cannot pick keys that all land in one
// chain. Allocates nothing once warm. Not thread-safe.
//
// The table is small and probed a word at a time, for wall-clock time per key
// (docs/auth-plugin.md, "Cost of any payload"): one control byte per slot
// (empty, or 7 bits of the key's hash), read eight at a time, so a 64 KiB
// document's ~8 100 keys are probed in 16 KiB; the keys themselves are in
// entries_, in order of arrival, and read only when a control byte matches.
// A short key of a hashed object is looked up and placed inline, without a call.
#include "chat/protocol/limits.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace chat::auth {

class KeySet {
 public:
  // Objects open at once: the contract's nesting limit (the caller refuses deeper documents).
  static constexpr std::size_t kMaxOpenObjects = protocol::limits::kMaxJsonDepth;

  KeySet();

  // Forgets everything: the start of a document.
  void clear();
  // An object opens or closes; keys belong to the innermost open one. False
  // (and nothing opened) past kMaxOpenObjects: the document nests too deep.
  // Inline, as add()'s small-object path: a hostile array of tiny objects
  // calls them for every few bytes (docs/auth-plugin.md, "Cost of any payload").
  [[gnu::always_inline]] bool open_object() {
    if (depth_ == kMaxOpenObjects) return false;
    OpenObject& object = open_[depth_++];
    object.number = next_object_++;
    object.keys = 0;
    object.hashed = false;
    return true;
  }
  [[gnu::always_inline]] void close_object() {
    // A closed object's keys in the table stay (no other object matches them);
    // they go at the next clear(). A document has at most one slot per key it holds.
    if (depth_ > 0) --depth_;
  }
  // Adds `key` to the innermost open object; false when it already holds it.
  // `readable`: how many bytes from key.data() may be read (at least
  // key.size()); with 8 or more, a short key is read in one load.
  [[gnu::always_inline]] bool add(std::string_view key, std::size_t readable = 0) {
    if (depth_ == 0) return true;
    OpenObject& object = open_[depth_ - 1];
    const std::uint64_t word = readable >= 8 ? short_word_padded(key) : short_word(key);
    if (object.hashed && word != 0) return add_short_hashed(object, word);
    if (object.hashed || object.keys == kSmallObject) return add_hashed(object, key, word);
    for (std::uint32_t i = 0; i < object.keys; ++i) {
      ++probes_;
      if (object.first[i].word == word && (word != 0 || same_long(object.first[i], key))) return false;
    }
    Key& held = object.first[object.keys++];
    held.word = word;
    if (word == 0) hold_long(held, key);
    return true;
  }

  // Slots and keys looked at since clear(): the work done, for tests of the cost.
  std::size_t probes() const { return probes_; }

 private:
  static constexpr std::uint32_t kSmallObject = 8;
  // A key: a short key's bytes and length as one word (short_word), or, for a
  // longer key (word 0), where its bytes are in bytes_.
  struct Key {
    std::uint64_t word = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  struct OpenObject {
    std::uint32_t number = 0;  // in order of opening
    std::uint32_t keys = 0;
    bool hashed = false;                    // its keys are in the table, not in `first`
    std::uint64_t seed = 0;                 // the hash's seed for its keys, once hashed
    std::array<Key, kSmallObject> first{};  // its first keys, until hashed
  };
  // A key in the table: what a slot's tag cannot tell.
  struct Entry {
    Key key;
    std::uint32_t object = 0;  // which object, in order of opening
  };
  // A key of up to kShortKey bytes as one word: its bytes, and its length in
  // the top byte (never 0, so 0 can mean "a long key"). Two short keys are
  // equal exactly when their words are.
  static constexpr std::size_t kShortKey = 7;
  static std::uint64_t short_word(std::string_view key) {
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
      word = little_endian(piece);
      p += 4;
      shift = 32;
    }
    if ((n & 2) != 0) {
      std::uint16_t piece = 0;
      std::memcpy(&piece, p, sizeof piece);
      word |= static_cast<std::uint64_t>(little_endian(piece)) << shift;
      p += 2;
      shift += 16;
    }
    if ((n & 1) != 0) word |= static_cast<std::uint64_t>(static_cast<unsigned char>(*p)) << shift;
    return word | (static_cast<std::uint64_t>(n + 1) << 56);
  }
  // `value` as read from memory in little-endian order: its first byte lowest.
  template <class Unsigned>
  static Unsigned little_endian(Unsigned value) {
    if constexpr (std::endian::native == std::endian::big) {
      if constexpr (sizeof value == 8) return __builtin_bswap64(value);
      if constexpr (sizeof value == 4) return __builtin_bswap32(value);
      if constexpr (sizeof value == 2) return __builtin_bswap16(value);
    }
    return value;
  }
  // The same word from one 8-byte load, when 8 bytes from key.data() may be read.
  static std::uint64_t short_word_padded(std::string_view key) {
    const std::size_t n = key.size();
    if (n > kShortKey) return 0;
    std::uint64_t word = 0;
    std::memcpy(&word, key.data(), sizeof word);
    word = little_endian(word);  // the key's n bytes are the word's low n bytes, as short_word() places them
    return (word & ((std::uint64_t{1} << (8 * n)) - 1)) | (static_cast<std::uint64_t>(n + 1) << 56);
  }

  // A short key of a hashed object: the path of an object of thousands of keys.
  [[gnu::always_inline]] bool add_short_hashed(OpenObject& object, std::uint64_t word) {
    const std::uint64_t h = short_hash(object.seed, word);
    const std::uint32_t number = object.number;
    const std::size_t i = find(h, [&](const Entry& entry) { return entry.object == number && entry.key.word == word; });
    if (i == kFound) return false;
    ++object.keys;
    insert_at(i, h, Entry{Key{word, 0, 0}, number});
    return true;
  }

  // The slot where a key of hash `h` is (kFound, when `same` says an entry
  // whose control byte matches is that key) or is to go: the first empty one
  // of the groups of eight slots its probe goes through.
  static constexpr std::size_t kFound = ~std::size_t{0};
  template <class Same>
  [[gnu::always_inline]] std::size_t find(std::uint64_t h, const Same& same) {
    const std::uint64_t tag = tag_of(h);
    std::size_t probes = 0;
    for (std::size_t group = h & group_mask_;; group = (group + 1) & group_mask_) {
      ++probes;
      const std::uint64_t bytes = control_group(group);
      // The bytes equal to the tag (SWAR: a byte above one of them may be
      // flagged too; every flagged one is an occupied slot, and is checked).
      const std::uint64_t differ = bytes ^ (tag * kEachByte);
      for (std::uint64_t match = (differ - kEachByte) & ~differ & kHighBits; match != 0; match &= match - 1) {
        ++probes;
        if (same(entries_[slot_entry_[group * kGroup + static_cast<std::size_t>(std::countr_zero(match)) / 8]])) {
          probes_ += probes;
          return kFound;
        }
      }
      const std::uint64_t empty = bytes & kHighBits;
      if (empty != 0) {
        probes_ += probes;
        return group * kGroup + static_cast<std::size_t>(std::countr_zero(empty)) / 8;
      }
    }
  }
  // Appends a key known to be absent to entries_ and puts it into `slot` (its
  // find()'s answer), or grows the table when it is full enough.
  [[gnu::always_inline]] void insert_at(std::size_t slot, std::uint64_t h, const Entry& entry) {
    const auto index = static_cast<std::uint32_t>(in_table_);
    entries_[in_table_] = entry;  // entries_ has room for grow_at_ + 1 keys
    if (++in_table_ > grow_at_) {
      grow();
    } else {
      control_[slot] = static_cast<std::uint8_t>(tag_of(h));
      slot_entry_[slot] = index;
    }
  }
  static constexpr std::size_t kGroup = 8;  // slots whose control bytes are read as one word
  static constexpr std::uint8_t kEmpty = 0x80;
  static constexpr std::uint64_t kEachByte = 0x0101010101010101ULL;
  static constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  static std::uint64_t tag_of(std::uint64_t h) { return h >> 57; }  // 7 bits: never kEmpty
  std::uint64_t control_group(std::size_t group) const {
    std::uint64_t bytes = 0;
    std::memcpy(&bytes, control_.data() + group * kGroup, sizeof bytes);
    return little_endian(bytes);
  }
  static std::uint64_t short_hash(std::uint64_t object_seed, std::uint64_t word) { return mix(object_seed ^ word); }
  // MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit.
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
  }

  // An object past its first keys: a long key, or the key that makes it hashed.
  bool add_hashed(OpenObject& object, std::string_view key, std::uint64_t word);
  void hold_long(Key& held, std::string_view key);  // keeps a long key's bytes in bytes_
  std::uint64_t hash(std::uint64_t object_seed, const Key& key) const;
  std::string_view long_bytes(const Key& key) const;  // a long key's bytes in bytes_
  bool same_long(const Key& held, std::string_view bytes) const;
  void size_changed();                   // the table's size changed: its mask and when it grows next
  void hash_object(OpenObject& object);  // moves a small object's keys into the table
  void place(std::uint32_t index);       // entries_[index], absent from the table, into its first free slot
  void grow();                           // doubles the table, placing its keys again

  std::uint64_t seed_;
  std::uint32_t next_object_ = 0;
  std::size_t probes_ = 0;
  std::array<OpenObject, kMaxOpenObjects> open_{};  // the open objects, innermost at depth_ - 1
  std::size_t depth_ = 0;
  std::size_t in_table_ = 0;               // keys in the table: entries_[0, in_table_)
  std::vector<Entry> entries_;             // the keys in the table, in order of arrival (size grow_at_ + 1)
  std::vector<std::uint8_t> control_;      // per slot: kEmpty or its key's tag; at most half are not empty
  std::vector<std::uint32_t> slot_entry_;  // per slot: its key's index in entries_
  std::size_t group_mask_ = 0;             // groups of kGroup slots - 1 (a power of 2)
  std::size_t grow_at_ = 0;                // grows past this many keys: half its slots
  std::string bytes_;                      // the long keys' bytes, back to back
};

}  // namespace chat::auth
