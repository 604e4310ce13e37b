// The password checking threads: they run at the lowest CPU priority the OS
// has (read back from the kernel), and the caller (the broker's thread)
// never waits for one of them (issue #13, item 14).
#include "held_verifier_lock.hpp"
#include "password_verifier.hpp"
#include "thread_priority.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

namespace chat::auth {
namespace {

using namespace std::chrono_literals;

// The scheduling policy as /proc/self/task/<tid>/stat shows it (field 41,
// proc(5)); the name in field 2 may hold blanks, so fields are counted after
// its closing parenthesis.
int policy_in_proc_stat(pid_t tid) {
  std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string text;
  std::getline(file, text);
  std::istringstream after_name(text.substr(text.rfind(')') + 1));
  std::string field;
  for (int number = 3; number <= 41 && after_name >> field; ++number) {
  }
  return std::stoi(field);
}

std::string thread_name(pid_t tid) {
  std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(file, name);
  return name;
}

TEST(PasswordVerifier, ChecksRunOnThreadsAtIdlePriority) {
  std::atomic<int> policy_during_check{-1};
  PasswordVerifier verifier(2, 16, [&](std::string_view, std::string_view) {
    policy_during_check = sched_getscheduler(0);
    return true;
  });
  const auto workers = verifier.workers();
  ASSERT_EQ(workers.size(), 2u) << "each worker has reported before the constructor returns";
  for (const auto& worker : workers) {
    EXPECT_EQ(worker.priority, ThreadPriority::idle) << describe(worker.priority);
    EXPECT_EQ(sched_getscheduler(worker.tid), SCHED_IDLE) << "thread " << worker.tid;
    EXPECT_EQ(policy_in_proc_stat(worker.tid), SCHED_IDLE) << "thread " << worker.tid;
    EXPECT_EQ(thread_name(worker.tid), "chat-pwcheck");
  }
  EXPECT_NE(sched_getscheduler(0), SCHED_IDLE) << "the caller's thread keeps its priority";
  ASSERT_TRUE(verifier.submit("alice", "pw", "hash", 42));
  ASSERT_TRUE(verifier.wait_idle(10s));
  EXPECT_EQ(verifier.collect("alice", "pw").state, PasswordVerifier::State::verified);
  EXPECT_EQ(policy_during_check.load(), SCHED_IDLE) << "the check itself ran at idle priority";
}

TEST(PasswordVerifier, ACallerNeverWaitsForAWorkerHoldingTheLock) {
  PasswordVerifier verifier(1, 16, [](std::string_view, std::string_view) { return true; });
  HeldVerifierLock held(verifier);
  // Run on a thread of their own, so that a call that waited fails the test
  // instead of hanging it.
  auto calls = std::async(std::launch::async, [&] {
    return std::vector<bool>{verifier.collect("alice", "pw").state == PasswordVerifier::State::busy,
                             verifier.room() == PasswordVerifier::Room::busy,
                             !verifier.submit("alice", "pw", "hash", 42)};
  });
  ASSERT_EQ(calls.wait_for(10s), std::future_status::ready) << "a broker-side call waited for the lock";
  EXPECT_EQ(calls.get(), (std::vector<bool>{true, true, true})) << "busy, busy, not filed";
  held.release();
  EXPECT_TRUE(verifier.submit("alice", "pw", "hash", 42)) << "filed once the lock is free";
  ASSERT_TRUE(verifier.wait_idle(10s));
  EXPECT_EQ(verifier.collect("alice", "pw").state, PasswordVerifier::State::verified);
}

TEST(ThreadPriority, AThreadLowersItselfToIdleAndOnlyItself) {
  ThreadPriority lowered = ThreadPriority::unchanged;
  int policy = -1;
  std::thread([&] {
    lowered = lower_calling_thread_priority();
    policy = sched_getscheduler(0);
  }).join();
  EXPECT_EQ(lowered, ThreadPriority::idle);
  EXPECT_EQ(policy, SCHED_IDLE);
  EXPECT_NE(sched_getscheduler(0), SCHED_IDLE);
}

}  // namespace
}  // namespace chat::auth
