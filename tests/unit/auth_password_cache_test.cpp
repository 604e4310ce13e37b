// The remembered-password cache: a hit within its lifetime, forgotten users,
// a bound on its size, and a lifetime of 0 turning it off.
#include "password_cache.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

TEST(AuthPasswordCache, RemembersAndForgets) {
  PasswordCache cache(60, 3);
  cache.remember("alice", "pw", 42, 100);
  EXPECT_EQ(cache.find("alice", "pw", 100), 42);
  EXPECT_FALSE(cache.find("alice", "pw2", 100));
  EXPECT_FALSE(cache.find("bob", "pw", 100));
  EXPECT_FALSE(cache.find("alice", "pw", 160)) << "expired";
  cache.remember("alice", "pw", 42, 200);
  cache.forget_user(42);
  EXPECT_FALSE(cache.find("alice", "pw", 200));
  cache.remember("a", "1", 1, 300);
  cache.remember("b", "1", 2, 300);
  cache.remember("c", "1", 3, 300);
  cache.remember("d", "1", 4, 300);
  EXPECT_LE(cache.size(), 3u) << "bounded";
  EXPECT_EQ(cache.find("d", "1", 300), 4);
  PasswordCache off(0, 10);
  off.remember("a", "1", 1, 0);
  EXPECT_FALSE(off.find("a", "1", 0)) << "ttl 0 turns remembering off";
}

}  // namespace
}  // namespace chat::auth
