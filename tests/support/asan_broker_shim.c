/*
 * Preloaded into mosquitto with the sanitizer runtimes when the tests run a
 * sanitized auth plugin inside the (unsanitized) broker. Built without
 * sanitizers, only in CHAT_SANITIZE builds.
 *
 * Why: a preloaded libasan initializes lazily, at the first malloc(). In
 * mosquitto that malloc comes from a library constructor (libgpg-error's)
 * inside bindtextdomain(), with glibc's gettext lock held for writing.
 * ASan's initialization then looks up the optional symbol swift_demangle and
 * calls dlerror(), whose message goes through gettext, which takes the same
 * lock again: the lock's state is corrupted and the next bindtextdomain()
 * (libpq's, when the plugin connects) blocks forever. With this symbol
 * present the lookup succeeds, dlerror() has nothing to translate, and the
 * lock is left alone. ASan calls it only to demangle Swift names, which do
 * not occur here: answering "not demangled" is correct.
 */
#include <stddef.h>

char* swift_demangle(const char* mangled, size_t mangled_length, char* out, size_t* out_length, unsigned flags);

char* swift_demangle(const char* mangled, size_t mangled_length, char* out, size_t* out_length, unsigned flags) {
  (void)mangled;
  (void)mangled_length;
  (void)out;
  (void)out_length;
  (void)flags;
  return NULL;
}
