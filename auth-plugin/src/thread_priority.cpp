#include "thread_priority.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace chat::auth {

constexpr int kLowestNice = 19;

pid_t calling_thread_id() noexcept { return gettid(); }

ThreadPriority lower_calling_thread_priority() noexcept {
  sched_param param{};
  param.sched_priority = 0;  // the only priority SCHED_IDLE has
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0) return ThreadPriority::idle;
  // PRIO_PROCESS with a thread id sets that one thread's nice value on Linux.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(calling_thread_id()), kLowestNice) == 0) {
    return ThreadPriority::lowest_nice;
  }
  return ThreadPriority::unchanged;
}

const char* describe(ThreadPriority priority) noexcept {
  switch (priority) {
    case ThreadPriority::idle:
      return "SCHED_IDLE";
    case ThreadPriority::lowest_nice:
      return "nice 19 (SCHED_IDLE refused)";
    case ThreadPriority::unchanged:
      return "unchanged (SCHED_IDLE and nice 19 refused)";
  }
  return "unknown";
}

}  // namespace chat::auth
