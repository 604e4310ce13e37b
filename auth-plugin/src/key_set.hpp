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
// into the hash table once it has more. The table's slots hold the keys
// themselves (a short key's word, a long key's hash and place), so a probe
// reads one slot. Comparing each key with every earlier one of its object (as
// before) made a valid 64 KiB message of ~8 100 short keys cost ~200 ms of the
// broker's only thread. The hash is keyed with a random seed per instance, so
// a sender cannot pick keys that all land in one chain. Allocates nothing once
// warm. Not thread-safe.
#include "chat/protocol/limits.hpp"

#include <array>
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
  [[gnu::always_inline]] bool add(std::string_view key) {
    if (depth_ == 0) return true;
    OpenObject& object = open_[depth_ - 1];
    if (object.hashed || object.keys == kSmallObject) return add_hashed(object, key);
    Key held{short_word(key), 0, 0};
    for (std::uint32_t i = 0; i < object.keys; ++i) {
      ++probes_;
      if (object.first[i].word == held.word && (held.word != 0 || same_long(object.first[i], key))) return false;
    }
    if (held.word == 0) hold_long(held, key);
    object.first[object.keys++] = held;
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
  struct Slot {
    Key key;
    std::uint32_t object = 0;      // which object, in order of opening
    std::uint32_t generation = 0;  // a slot is empty unless it is the current generation's
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

  bool add_hashed(OpenObject& object, std::string_view key);  // an object past its first keys
  void hold_long(Key& held, std::string_view key);            // keeps a long key's bytes in bytes_
  static std::uint64_t hash(std::uint64_t object_seed, const Key& key, std::string_view bytes);
  static std::uint64_t long_hash(std::uint64_t object_seed, std::string_view bytes);
  bool same(const Key& held, const Key& key, std::string_view bytes) const;
  bool same_long(const Key& held, std::string_view bytes) const;
  void size_changed();                   // the table's size changed: its mask and when it grows next
  void hash_object(OpenObject& object);  // moves a small object's keys into the table
  void place(const Slot& slot);          // a key known to be absent, into its first free slot
  void grow();                           // doubles the table, placing its keys again

  std::uint64_t seed_;
  std::uint32_t generation_ = 1;
  std::uint32_t next_object_ = 0;
  std::size_t probes_ = 0;
  std::array<OpenObject, kMaxOpenObjects> open_{};  // the open objects, innermost at depth_ - 1
  std::size_t depth_ = 0;
  std::size_t in_table_ = 0;  // keys in the table
  std::vector<Slot> slots_;   // open addressing, at most half full
  std::size_t mask_ = 0;      // slots_.size() - 1 (a power of 2)
  std::size_t grow_at_ = 0;   // grows past this many keys: half its slots
  std::string bytes_;         // the long keys' bytes, back to back
};

}  // namespace chat::auth
