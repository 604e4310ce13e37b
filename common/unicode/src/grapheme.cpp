#include "chat/unicode/grapheme.hpp"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <cstdint>
#include <limits>
#include <memory>

namespace chat::unicode {
namespace {

// ICU's character break iterator is costly to create (it loads the rules)
// and cheap to reuse; one per thread, as it is not thread-safe.
icu::BreakIterator* grapheme_iterator() {
  thread_local const std::unique_ptr<icu::BreakIterator> iterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(
        icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) made.reset();
    return made;
  }();
  return iterator.get();
}

}  // namespace

bool is_one_grapheme(std::string_view utf8) noexcept {
  if (utf8.empty() || utf8.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return false;
  try {
    icu::BreakIterator* iterator = grapheme_iterator();
    if (iterator == nullptr) return false;
    UErrorCode status = U_ZERO_ERROR;
    // A UText over the caller's bytes: nothing is copied or converted.
    UText text = UTEXT_INITIALIZER;
    utext_openUTF8(&text, utf8.data(), static_cast<std::int64_t>(utf8.size()), &status);
    if (U_FAILURE(status)) return false;
    iterator->setText(&text, status);
    bool one = false;
    if (U_SUCCESS(status)) {
      iterator->first();
      one = iterator->next() == static_cast<std::int32_t>(utf8.size());  // the first boundary is the end
    }
    // The iterator keeps its own clone of `text`; point it away before
    // `text` goes out of scope.
    UText empty = UTEXT_INITIALIZER;
    UErrorCode reset_status = U_ZERO_ERROR;
    utext_openUTF8(&empty, "", 0, &reset_status);
    iterator->setText(&empty, reset_status);
    utext_close(&empty);
    utext_close(&text);
    return one;
  } catch (...) {  // the thread_local's first construction may fail to allocate
    return false;
  }
}

}  // namespace chat::unicode
