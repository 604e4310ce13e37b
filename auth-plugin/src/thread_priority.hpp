#pragma once
// The lowest CPU priority the OS has, for the password checking threads
// (issue #13, item 14). PBKDF2 at the default cost is ~0.13 s of a core per
// check; at Linux's SCHED_IDLE a checking thread runs only on CPU that every
// other thread of the machine (the broker's, the bridge's, PostgreSQL's)
// leaves idle, and any of them that wakes up takes the core back at once. So
// the checks' budget bounds password guessing, not the CPU they take from
// the services.
#include <sys/types.h>

namespace chat::auth {

enum class ThreadPriority {
  idle,         // SCHED_IDLE
  lowest_nice,  // SCHED_IDLE refused: nice 19 (still CFS, weight 15 of a nice-0 thread's 1024)
  unchanged,    // both refused: the thread keeps the priority it was started with
};

// Lowers the calling thread as far as the OS lets it; never throws.
ThreadPriority lower_calling_thread_priority() noexcept;

// The calling thread's kernel id (what /proc/self/task/<tid> and
// sched_getscheduler name).
pid_t calling_thread_id() noexcept;

const char* describe(ThreadPriority priority) noexcept;

}  // namespace chat::auth
