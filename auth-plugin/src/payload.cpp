#include "payload.hpp"

#include "key_set.hpp"

#include "chat/protocol/events.hpp"
#include "chat/protocol/messages.hpp"
#include "chat/unicode/grapheme.hpp"

#include <nlohmann/json.hpp>
#include <rapidjson/reader.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

namespace chat::auth {
namespace {

using nlohmann::json;

PayloadCheck bad(std::string detail, std::optional<std::string> id = std::nullopt) {
  return PayloadCheck{Rejection::bad_request, std::move(detail), std::move(id)};
}

// A length-bounded input stream (RapidJSON's StringStream needs a NUL at the end).
struct ViewStream {
  using Ch = char;
  explicit ViewStream(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}
  Ch Peek() const { return p_ < end_ ? *p_ : '\0'; }
  Ch Take() { return p_ < end_ ? *p_++ : '\0'; }
  std::size_t Tell() const { return static_cast<std::size_t>(p_ - begin_); }
  Ch* PutBegin() { return nullptr; }  // in-situ parsing only; never used
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }
  const char* begin_;
  const char* p_;
  const char* end_;
};

// RapidJSON's generic SkipWhitespace is an out-of-line call per token; this
// overload (found by argument-dependent lookup, preferred to the template)
// is inlined and, as most tokens are not preceded by whitespace, is one
// comparison for them. Part of the per-token cost that hostile payloads of
// many tiny tokens are made of (docs/auth-plugin.md, "Cost of any payload").
inline void SkipWhitespace(ViewStream& stream) {
  const char* p = stream.p_;
  while (p < stream.end_ && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  stream.p_ = p;
}

// One pass of RapidJSON's SAX reader over the payload, building no document:
// it records what the contract's rules look at (the top-level fields, the
// media object, the receipt's refs) and notices duplicate keys in any object
// (two parsers could disagree on which one counts) and nesting deeper than
// kMaxJsonDepth. It runs on the broker thread for every message: a DOM would
// allocate per key and value, and nlohmann's lexer takes about three times as
// long per byte (docs/auth-plugin.md, "Edge validation"); this allocates nothing once warm.
class Scan final : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Scan> {
 public:
  enum class Kind { absent, string, integer, big_integer, floating, boolean, null, object, array };
  struct Value {
    Kind kind = Kind::absent;
    std::string text;         // for strings
    std::int64_t number = 0;  // for integers

    bool is_string() const { return kind == Kind::string; }
    bool positive_integer() const { return kind == Kind::integer && number > 0; }
    bool non_negative_integer() const { return kind == Kind::integer && number >= 0; }
  };

  // The outcome of the last parse().
  enum class Outcome { ok, not_json, duplicate_key, too_deep, not_object, bad_escape };
  Outcome outcome = Outcome::ok;
  Value id, type, text, ts, seq;
  Value reply_to, target, emoji, remove;  // replies and messages that act on messages
  Value media, media_id, media_mime, media_size;
  Value refs;
  std::size_t ref_count = 0;
  std::string ref_error;  // the first bad ref, empty when none

  // `payload` must hold no NUL byte (the caller checks): the reader reads NUL as the end.
  Outcome parse(std::string_view payload, bool in_group) {
    reset(in_group);
    escapes_ = payload.find('\\') != std::string_view::npos;
    ViewStream stream(payload);
    stream_ = &stream;
    // RapidJSON's recursive reader, about 15 % fewer instructions per token
    // than its iterative one (callgrind, docs/auth-plugin.md "Cost of any
    // payload"). Its recursion is bounded by this handler: StartObject and
    // StartArray come before the reader descends, and open() refuses the
    // level past kMaxJsonDepth, so the stack holds at most that many frames.
    const rapidjson::ParseResult parsed = reader_.Parse<rapidjson::kParseDefaultFlags>(stream, *this);
    if (outcome == Outcome::ok && parsed.IsError()) outcome = Outcome::not_json;
    if (outcome == Outcome::ok && !root_object_) outcome = Outcome::not_object;
    return outcome;
  }

  // ---- RapidJSON handler ----
  bool Null() { return scalar(Kind::null, nullptr, 0, 0); }
  bool Bool(bool value) { return scalar(Kind::boolean, nullptr, 0, value ? 1 : 0); }
  bool Int(int value) { return scalar(Kind::integer, nullptr, 0, value); }
  bool Uint(unsigned value) { return scalar(Kind::integer, nullptr, 0, value); }
  bool Int64(std::int64_t value) { return scalar(Kind::integer, nullptr, 0, value); }
  bool Uint64(std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return scalar(Kind::big_integer, nullptr, 0, 0);
    }
    return scalar(Kind::integer, nullptr, 0, static_cast<std::int64_t>(value));
  }
  bool Double(double) { return scalar(Kind::floating, nullptr, 0, 0); }
  bool String(const char* value, rapidjson::SizeType length, bool) {
    if (!decoded_ok(value, length)) return false;
    return scalar(Kind::string, value, length, 0);
  }
  bool StartObject() { return open(Kind::object); }
  bool StartArray() { return open(Kind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  bool EndObject(rapidjson::SizeType) {
    if (inner_frame_ == Frame::ref) check_ref();
    keys_.close_object();
    return close();
  }
  bool Key(const char* name, rapidjson::SizeType length, bool) {
    if (!decoded_ok(name, length)) return false;
    if (!add_key(name, length)) {
      outcome = Outcome::duplicate_key;
      return false;
    }
    if (inner_frame_ != Frame::other) innermost().field = field_of(inner_frame_, std::string_view(name, length));
    return true;
  }

 private:
  enum class Frame { top, media, refs, ref, other };
  enum class Field { other, id, type, text, ts, seq, media, refs, mime, size, from, reply_to, target, emoji, remove };
  struct Open {
    Frame frame = Frame::other;
    Field field = Field::other;  // of the last key, in an object
  };

  // The raw bytes are checked before parsing; what \u escapes decode to is
  // checked here: RapidJSON lets a lone low surrogate (\uDC00) through, which
  // other parsers (the bridge's) refuse.
  bool decoded_ok(const char* chars, rapidjson::SizeType length) {
    if (!escapes_ || is_valid_utf8(std::string_view(chars, length))) return true;
    outcome = Outcome::bad_escape;
    return false;
  }

  // Without escapes, a key's decoded bytes are its bytes in the payload, just
  // before the closing quote the stream stands after. The key set reads them
  // there: the reader's copy was just written a byte at a time, and a wider
  // load of it waits for those stores (an eighth of the many-keys row's time,
  // docs/auth-plugin.md "Cost of any payload"); and the payload around a
  // short key lets it be read in one 8-byte load.
  bool add_key(const char* name, rapidjson::SizeType length) {
    if (escapes_) return keys_.add(std::string_view(name, length));
    const char* in_payload = stream_->p_ - 1 - length;
    return keys_.add(std::string_view(in_payload, length), static_cast<std::size_t>(stream_->end_ - in_payload));
  }

  void reset(bool in_group) {
    in_group_ = in_group;
    outcome = Outcome::ok;
    root_object_ = false;
    for (Value* v : {&id, &type, &text, &ts, &seq, &reply_to, &target, &emoji, &remove, &media, &media_id, &media_mime,
                     &media_size, &refs, &ref_id_, &ref_from_}) {
      v->kind = Kind::absent;
      v->text.clear();
      v->number = 0;
    }
    ref_count = 0;
    ref_error.clear();
    depth_ = 0;
    inner_frame_ = Frame::other;
    keys_.clear();
  }

  static Field field_of(Frame frame, std::string_view name) {
    switch (frame) {
      case Frame::top:
        if (name == "id") return Field::id;
        if (name == "type") return Field::type;
        if (name == "text") return Field::text;
        if (name == "ts") return Field::ts;
        if (name == "seq") return Field::seq;
        if (name == "media") return Field::media;
        if (name == "refs") return Field::refs;
        if (name == "reply_to") return Field::reply_to;
        if (name == "target") return Field::target;
        if (name == "emoji") return Field::emoji;
        if (name == "remove") return Field::remove;
        return Field::other;
      case Frame::media:
        if (name == "id") return Field::id;
        if (name == "mime") return Field::mime;
        if (name == "size") return Field::size;
        return Field::other;
      case Frame::ref:
        if (name == "id") return Field::id;
        if (name == "from") return Field::from;
        return Field::other;
      case Frame::refs:
      case Frame::other:
        return Field::other;
    }
    return Field::other;
  }

  // Where a value of the current container goes, or null when nobody looks at it.
  Value* slot() {
    if (depth_ == 0) return nullptr;
    const Open& o = innermost();
    switch (o.frame) {
      case Frame::top:
        switch (o.field) {
          case Field::id:
            return &id;
          case Field::type:
            return &type;
          case Field::text:
            return &text;
          case Field::ts:
            return &ts;
          case Field::seq:
            return &seq;
          case Field::media:
            return &media;
          case Field::refs:
            return &refs;
          case Field::reply_to:
            return &reply_to;
          case Field::target:
            return &target;
          case Field::emoji:
            return &emoji;
          case Field::remove:
            return &remove;
          default:
            return nullptr;
        }
      case Frame::media:
        switch (o.field) {
          case Field::id:
            return &media_id;
          case Field::mime:
            return &media_mime;
          case Field::size:
            return &media_size;
          default:
            return nullptr;
        }
      case Frame::ref:
        switch (o.field) {
          case Field::id:
            return &ref_id_;
          case Field::from:
            return &ref_from_;
          default:
            return nullptr;
        }
      case Frame::refs:
      case Frame::other:
        return nullptr;
    }
    return nullptr;
  }

  // Inlined into each value's callback: most values of a hostile payload sit
  // where nobody looks, and cost one compare.
  bool scalar(Kind kind, const char* value, std::size_t length, std::int64_t number) {
    if (inner_frame_ == Frame::other) return true;
    return record(kind, value, length, number);
  }

  [[gnu::noinline]] bool record(Kind kind, const char* value, std::size_t length, std::int64_t number) {
    if (inner_frame_ == Frame::refs) {
      ++ref_count;
      if (ref_error.empty()) ref_error = "each ref must be an object";
      return true;
    }
    if (Value* v = slot()) {
      v->kind = kind;
      v->number = number;
      if (value != nullptr) v->text.assign(value, length);
    }
    return true;
  }

  bool open(Kind kind) {
    if (depth_ >= kMaxJsonDepth) {
      outcome = Outcome::too_deep;
      return false;
    }
    Frame frame = Frame::other;
    if (depth_ == 0) {
      root_object_ = kind == Kind::object;
      frame = kind == Kind::object ? Frame::top : Frame::other;
    } else if (inner_frame_ == Frame::other) {
      // Inside something nobody looks at: so is everything in it.
    } else if (inner_frame_ == Frame::refs) {
      ++ref_count;
      if (kind == Kind::object && ref_count > kMaxReceiptRefs) {
        // Refused for their number whatever they hold (PayloadChecker::receipt):
        // the refs past the limit are read as JSON only, not checked one by one.
      } else if (kind == Kind::object) {
        frame = Frame::ref;
        ref_id_.kind = Kind::absent;
        ref_from_.kind = Kind::absent;
      } else if (ref_error.empty()) {
        ref_error = "each ref must be an object";
      }
    } else if (Value* v = slot()) {
      v->kind = kind;
      const Open& parent = innermost();
      if (parent.frame == Frame::top && parent.field == Field::media && kind == Kind::object) {
        frame = Frame::media;
      } else if (parent.frame == Frame::top && parent.field == Field::refs && kind == Kind::array) {
        frame = Frame::refs;
      }
    }
    if (kind == Kind::object && !keys_.open_object()) {  // never: the depth is checked above
      outcome = Outcome::too_deep;
      return false;
    }
    open_[static_cast<std::size_t>(depth_++)] = Open{frame, Field::other};
    inner_frame_ = frame;
    return true;
  }

  bool close() {
    --depth_;
    inner_frame_ = depth_ > 0 ? innermost().frame : Frame::other;
    return true;
  }

  void check_ref() {
    if (!ref_error.empty()) return;
    if (!ref_id_.is_string() || !is_valid_message_id(ref_id_.text)) {
      ref_error = "each ref needs an \"id\" matching ^[A-Za-z0-9_-]{1,64}$";
    } else if (ref_from_.kind == Kind::absent) {
      if (in_group_) ref_error = "each ref of a group receipt needs \"from\"";
    } else if (!ref_from_.positive_integer()) {
      ref_error = "\"from\" must be a user id";
    }
  }

  Open& innermost() { return open_[static_cast<std::size_t>(depth_ - 1)]; }

  bool in_group_ = false;
  bool root_object_ = false;
  bool escapes_ = false;                // no backslash: the decoded strings are the raw bytes, already checked
  const ViewStream* stream_ = nullptr;  // the stream parse() reads, while it runs (add_key)
  Value ref_id_, ref_from_;
  rapidjson::Reader reader_;  // kept: its internal stack is reused, not allocated per message
  // The open objects and arrays, innermost at depth_ - 1: a fixed array, as
  // the depth is bounded (no capacity check per value).
  std::array<Open, kMaxJsonDepth> open_{};
  int depth_ = 0;
  // The innermost open container's frame (open_[depth_ - 1].frame), kept at
  // hand for the per-value fast path; `other` outside the root.
  Frame inner_frame_ = Frame::other;
  KeySet keys_;
};

// Reads the top-level "id" of an object and stops there.
class IdPeek final : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, IdPeek> {
 public:
  std::optional<std::string> id;

  bool Default() { return depth_ >= 1 && (next_is_id_ = false, true); }
  bool String(const char* value, rapidjson::SizeType length, bool) {
    if (depth_ == 1 && next_is_id_) {
      const std::string_view text(value, length);
      if (is_valid_message_id(text)) id = std::string(text);
      return false;  // found it, whatever it holds: stop
    }
    next_is_id_ = false;
    return depth_ >= 1;
  }
  bool Key(const char* name, rapidjson::SizeType length, bool) {
    next_is_id_ = depth_ == 1 && std::string_view(name, length) == "id";
    return true;
  }
  bool StartObject() { return open(); }
  bool StartArray() { return depth_ >= 1 && open(); }  // a top-level array is no message
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  bool open() {
    if (depth_ == 1 && next_is_id_) return false;  // "id" is not a string
    ++depth_;
    return depth_ <= kMaxJsonDepth;
  }
  bool close() {
    --depth_;
    next_is_id_ = false;
    return depth_ >= 1;  // the top-level object ended without an id
  }
  int depth_ = 0;
  bool next_is_id_ = false;
};

// The common start: UTF-8, one JSON object.
Scan* scan_payload(Scan& scan, std::string_view payload, bool in_group, PayloadCheck& failure) {
  if (!is_valid_utf8(payload)) {
    failure = bad("payload is not valid UTF-8");
    return nullptr;
  }
  if (payload.find('\0') != std::string_view::npos) {  // never valid JSON text
    failure = bad("not valid JSON");
    return nullptr;
  }
  switch (scan.parse(payload, in_group)) {
    case Scan::Outcome::ok:
      return &scan;
    case Scan::Outcome::not_json:
      failure = bad("not valid JSON");
      break;
    case Scan::Outcome::duplicate_key:
      failure = bad("duplicate key in JSON object");
      break;
    case Scan::Outcome::too_deep:
      failure = bad("JSON nested too deeply");
      break;
    case Scan::Outcome::not_object:
      failure = bad("not a JSON object");
      break;
    case Scan::Outcome::bad_escape:
      failure = bad("a \\u escape decodes to invalid UTF-8");
      break;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> leading_message_id(std::string_view payload) {
  IdPeek peek;
  ViewStream stream(payload.substr(0, kIdPeekBytes));
  rapidjson::Reader reader;
  reader.Parse<rapidjson::kParseIterativeFlag>(stream, peek);
  return peek.id;
}

std::string_view to_string(Rejection rejection) noexcept {
  switch (rejection) {
    case Rejection::none:
      return "none";
    case Rejection::bad_request:
      return protocol::to_string(protocol::ErrorCode::bad_request);
    case Rejection::forbidden:
      return protocol::to_string(protocol::ErrorCode::forbidden);
    case Rejection::too_large:
      return protocol::to_string(protocol::ErrorCode::too_large);
    case Rejection::rate_limited:
      return protocol::to_string(protocol::ErrorCode::rate_limited);
  }
  return protocol::to_string(protocol::ErrorCode::bad_request);
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII, the common case, eight bytes at a time.
    if (n - i >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, s + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2, cp = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4, cp = c & 0x07u, min = 0x10000;
    } else {
      return false;  // continuation byte, C0/C1 overlong lead, or above F4
    }
    if (n - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

struct PayloadChecker::State {
  Scan scan;
};

PayloadChecker::PayloadChecker() : state_(std::make_unique<State>()) {}
PayloadChecker::~PayloadChecker() = default;

PayloadCheck check_message(std::string_view payload) { return PayloadChecker().message(payload); }

PayloadCheck check_receipt(std::string_view payload, bool in_group) {
  return PayloadChecker().receipt(payload, in_group);
}

PayloadCheck check_publish(const TopicInfo& topic, std::string_view payload, std::size_t max_bytes) {
  return PayloadChecker().publish(topic, payload, max_bytes);
}

PayloadCheck PayloadChecker::message(std::string_view payload) {
  PayloadCheck failure;
  const Scan* msg = scan_payload(state_->scan, payload, false, failure);
  if (msg == nullptr) {
    failure.message_id = leading_message_id(payload);  // e.g. bad JSON after a good start
    return failure;
  }

  if (!msg->id.is_string()) return bad("\"id\" must be a string");
  if (!is_valid_message_id(msg->id.text)) return bad("\"id\" must match ^[A-Za-z0-9_-]{1,64}$");
  std::optional<std::string> id = msg->id.text;

  if (!msg->type.is_string()) return bad("\"type\" must be a string", id);
  const auto kind = protocol::parse_message_kind(msg->type.text);
  if (!kind) return bad("\"type\" must be text, image, voice, file, edit, delete or reaction", id);
  const bool is_text = *kind == protocol::MessageKind::text;

  if (msg->text.kind != Scan::Kind::absent && !msg->text.is_string()) return bad("\"text\" must be a string", id);
  if (is_text && msg->text.kind == Scan::Kind::absent) return bad("a text message needs \"text\"", id);
  if (msg->reply_to.kind != Scan::Kind::absent && !msg->reply_to.positive_integer()) {
    return bad("\"reply_to\" must be a seq (an integer > 0)", id);
  }

  if (protocol::is_media(*kind)) {
    if (msg->media.kind != Scan::Kind::object) return bad("\"" + msg->type.text + "\" needs a \"media\" object", id);
    if (!msg->media_id.is_string() || !is_valid_message_id(msg->media_id.text)) {
      return bad("\"media.id\" must match ^[A-Za-z0-9_-]{1,64}$", id);
    }
    if (msg->media_mime.kind != Scan::Kind::absent && !msg->media_mime.is_string()) {
      return bad("\"media.mime\" must be a string", id);
    }
    if (msg->media_size.kind != Scan::Kind::absent && !msg->media_size.non_negative_integer()) {
      return bad("\"media.size\" must be a non-negative integer", id);
    }
  } else if (msg->media.kind != Scan::Kind::absent) {
    return bad("\"media\" belongs to image, voice and file messages", id);
  }

  if (!protocol::carries_content(*kind)) {
    if (!msg->target.positive_integer())
      return bad("\"" + msg->type.text + "\" needs \"target\", a seq (an integer > 0)", id);
    if (*kind == protocol::MessageKind::edit && msg->text.kind == Scan::Kind::absent) {
      return bad("an edit needs \"text\"", id);
    }
    if (*kind == protocol::MessageKind::reaction) {
      if (!msg->emoji.is_string()) return bad("a reaction needs \"emoji\", a string", id);
      if (msg->emoji.text.empty() || msg->emoji.text.size() > protocol::limits::kMaxEmojiBytes) {
        return bad("\"emoji\" must be 1 to 32 bytes", id);
      }
      // At most 32 bytes: a bounded cost whatever the payload.
      if (!unicode::is_one_grapheme(msg->emoji.text)) return bad("\"emoji\" must be one grapheme", id);
      if (msg->remove.kind != Scan::Kind::absent && msg->remove.kind != Scan::Kind::boolean) {
        return bad("\"remove\" must be a boolean", id);
      }
    }
  }

  if (msg->ts.kind != Scan::Kind::absent && !msg->ts.non_negative_integer()) {
    return bad("\"ts\" must be a non-negative integer", id);
  }
  return PayloadCheck{Rejection::none, {}, std::move(id)};
}

PayloadCheck PayloadChecker::receipt(std::string_view payload, bool in_group) {
  PayloadCheck failure;
  const Scan* rcpt = scan_payload(state_->scan, payload, in_group, failure);
  if (rcpt == nullptr) return failure;

  if (!rcpt->type.is_string() || (rcpt->type.text != "delivered" && rcpt->type.text != "read")) {
    return bad("\"type\" must be delivered or read");
  }
  const bool has_seq = rcpt->seq.kind != Scan::Kind::absent;
  const bool has_refs = rcpt->refs.kind != Scan::Kind::absent;
  if (has_seq == has_refs) return bad("a receipt has either \"seq\" or \"refs\"");
  if (has_seq) {
    if (!rcpt->seq.positive_integer()) return bad("\"seq\" must be a positive integer");
    return {};
  }
  if (rcpt->refs.kind != Scan::Kind::array || rcpt->ref_count == 0) return bad("\"refs\" must be a non-empty array");
  if (rcpt->ref_count > kMaxReceiptRefs) return bad("\"refs\" has more than 1000 entries");
  if (!rcpt->ref_error.empty()) return bad(rcpt->ref_error);
  return {};
}

PayloadCheck PayloadChecker::publish(const TopicInfo& topic, std::string_view payload, std::size_t max_bytes) {
  if (payload.size() > max_bytes) {
    // Not parsed as a whole (that is what the limit is for); its first bytes
    // still tell the client which message to drop from its outbox.
    return PayloadCheck{
        Rejection::too_large,
        "payload of " + std::to_string(payload.size()) + " bytes is above the limit of " + std::to_string(max_bytes),
        topic.channel == Channel::msg ? leading_message_id(payload) : std::nullopt};
  }
  if (topic.kind == TopicKind::other) return {};
  if (topic.channel == Channel::msg) return message(payload);
  if (topic.channel == Channel::rcpt) return receipt(payload, topic.kind == TopicKind::group);
  return {};
}

std::string make_nack(const std::optional<std::string>& id, std::string_view topic, Rejection error,
                      std::string_view detail) {
  json nack = json::object();
  nack["ev"] = std::string(protocol::event::kNack);
  nack["id"] = id ? json(*id) : json(nullptr);
  nack["topic"] = std::string(topic);
  nack["error"] = std::string(to_string(error));
  nack["detail"] = std::string(detail);
  return nack.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace chat::auth
