#pragma once
// The keys of every open JSON object of one document, to refuse a key given
// twice in the same object (two parsers could disagree on which one counts).
//
// Linear in the document: one seeded hash and, on average, about one probe per
// key, whatever the number of keys in an object. Keys of up to 7 bytes (most
// keys, and the cheap ones a hostile sender packs most of into 64 KiB) are
// held and hashed as one 64-bit word: one multiply-mix, no copy of their bytes.
// An object's first kSmallObject keys are compared with each other directly
// (at most that many comparisons each, and no hashing, for the many tiny
// objects a hostile array can hold); its keys go into the hash table once it
// has more. Comparing each key with every
// earlier one of its object (as before) made a valid 64 KiB message of ~8 100
// short keys cost ~200 ms of the broker's only thread. The hash is keyed with
// a random seed per instance, so a sender cannot pick keys that all land in one
// chain. Allocates nothing once warm. Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::auth {

class KeySet {
 public:
  KeySet();

  // Forgets everything: the start of a document.
  void clear();
  // An object opens or closes; keys belong to the innermost open one.
  void open_object();
  void close_object();
  // Adds `key` to the innermost open object; false when it already holds it.
  bool add(std::string_view key);

  // Slots looked at since clear(): the work done, for tests of the cost.
  std::size_t probes() const { return probes_; }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  static constexpr std::uint32_t kSmallObject = 8;
  struct Entry {
    std::uint64_t hash = 0;    // set once the entry is in the table
    std::uint64_t word = 0;    // a short key's bytes and length (short_word); 0 for a long one
    std::uint32_t object = 0;  // which object, in order of opening
    std::uint32_t offset = 0;  // a long key's bytes in bytes_
    std::uint32_t length = 0;
    std::uint32_t previous = kNone;  // the object's key before this one
    bool in_table = false;
  };
  struct OpenObject {
    std::uint32_t number = 0;    // in order of opening
    std::uint32_t last = kNone;  // its latest key's entry
    std::uint32_t keys = 0;
    bool hashed = false;     // its keys are in the table
    std::uint64_t seed = 0;  // the hash's seed for its keys, once hashed
  };
  struct Slot {
    std::uint32_t generation = 0;  // a slot is empty unless it is the current generation's
    std::uint32_t entry = 0;
  };

  static std::uint64_t hash(std::uint64_t object_seed, std::string_view key, std::uint64_t word);
  bool same(const Entry& entry, std::uint32_t object, std::string_view key, std::uint64_t word) const;
  void hash_object(OpenObject& object);    // moves a small object's keys into the table
  void insert(std::uint32_t entry_index);  // into the table, growing it when half full
  void grow();
  void place(std::uint32_t entry_index);

  std::uint64_t seed_;
  std::uint32_t generation_ = 1;
  std::uint32_t next_object_ = 0;
  std::size_t probes_ = 0;
  std::vector<OpenObject> open_;  // the open objects, innermost last
  std::vector<Entry> entries_;    // every key of this document, also of closed objects
  std::size_t in_table_ = 0;      // entries in the table
  std::vector<Slot> slots_;       // open addressing over entries_ in the table, at most half full
  std::string bytes_;             // the keys' bytes, back to back
};

}  // namespace chat::auth
