// Push devices and mutes in the data layer (DeliveryStore, migration 9):
// registrations kept per device, a pushkey owned by the account that
// registered it last, the per-user bound, rejected pushkeys removed for their
// user only, mutes for members of live chats, and a deleted account's
// registrations gone.
#include "storage_test_env.hpp"

#include "chat/storage/store.hpp"

namespace chat::storage::testing {
namespace {

class PushStoreTest : public StorageTest {
 protected:
  PushRegistrationResult put(UserId user, const std::string& device, const std::string& pushkey, int max = 20) {
    return store().delivery().register_push_device(
        PushRegistration{user, device, "com.example.chat", "fcm", pushkey, R"({"k":"v"})"}, max);
  }
};

TEST_F(PushStoreTest, ARegistrationIsKeptPerDeviceAndItsPushkeyMovesToTheLatestAccount) {
  const User ann = make_user("ann");
  const User ben = make_user("ben");
  ASSERT_EQ(put(ann.id, "phone", "key-1").status, PushRegistrationStatus::ok);
  ASSERT_EQ(put(ann.id, "tablet", "key-2").status, PushRegistrationStatus::ok);
  const std::vector<UserId> users{ann.id, ben.id};
  auto devices = store().delivery().push_devices_of(users);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].device, "phone");
  EXPECT_EQ(devices[0].data, R"({"k": "v"})");
  EXPECT_GT(devices[0].pushkey_ts_ms, 0);

  // Registered again: replaced, not added.
  ASSERT_EQ(put(ann.id, "phone", "key-3").status, PushRegistrationStatus::ok);
  EXPECT_EQ(psql("SELECT string_agg(pushkey, ',' ORDER BY device_id) FROM push_devices"), "key-3,key-2");
  // The same pushkey registered by ben leaves ann.
  ASSERT_EQ(put(ben.id, "phone", "key-2").status, PushRegistrationStatus::ok);
  devices = store().delivery().push_devices_of(users);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].user_id, ann.id);
  EXPECT_EQ(devices[0].pushkey, "key-3");
  EXPECT_EQ(devices[1].user_id, ben.id);

  EXPECT_EQ(put(ann.id, "watch", "key-4", /*max=*/1).status, PushRegistrationStatus::too_many_devices);
  EXPECT_EQ(put(ann.id, "phone", "key-5", /*max=*/1).status, PushRegistrationStatus::ok) << "replacing is not adding";
  EXPECT_EQ(put(987654, "phone", "key-6").status, PushRegistrationStatus::user_not_found);

  EXPECT_TRUE(store().delivery().unregister_push_device(ann.id, "phone"));
  EXPECT_FALSE(store().delivery().unregister_push_device(ann.id, "phone"));
}

TEST_F(PushStoreTest, RejectedPushkeysGoForTheirUserOnly) {
  const User ann = make_user("ann");
  const User ben = make_user("ben");
  put(ann.id, "phone", "ann-key");
  put(ben.id, "phone", "ben-key");
  const std::vector<std::string> rejected{"ann-key", "ben-key"};
  EXPECT_EQ(store().delivery().remove_rejected_pushkeys(ann.id, rejected), 1);
  EXPECT_EQ(psql("SELECT string_agg(pushkey, ',') FROM push_devices"), "ben-key");
}

TEST_F(PushStoreTest, MutesAreForMembersOfLiveChats) {
  const User ann = make_user("ann");
  const User ben = make_user("ben");
  const User eve = make_user("eve");
  const std::vector<UserId> members{ben.id};
  const Chat team = store().chats().create_group(ann.id, "team", members);
  EXPECT_EQ(store().delivery().mute_chat(ben.id, team.id, 4102444800000), MuteStatus::ok);
  EXPECT_EQ(psql("SELECT epoch_ms(muted_until) FROM chat_members WHERE user_id = " + std::to_string(ben.id)),
            "4102444800000");
  EXPECT_EQ(store().delivery().mute_chat(ben.id, team.id, std::nullopt), MuteStatus::ok);
  EXPECT_EQ(psql("SELECT muted_until IS NULL FROM chat_members WHERE user_id = " + std::to_string(ben.id)), "t");
  EXPECT_EQ(store().delivery().mute_chat(eve.id, team.id, 1), MuteStatus::not_member);
  EXPECT_EQ(store().delivery().mute_chat(ben.id, 987654, 1), MuteStatus::chat_not_found);
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(team.id));
  EXPECT_EQ(store().delivery().mute_chat(ben.id, team.id, 1), MuteStatus::chat_deleted);
}

TEST_F(PushStoreTest, ADeletedAccountKeepsNoRegistration) {
  const User ann = make_user("ann");
  put(ann.id, "phone", "key-1");
  ASSERT_EQ(store().users().delete_account(ann.id, false).status, AccountStatus::ok);
  EXPECT_EQ(psql("SELECT count(*) FROM push_devices"), "0");
  EXPECT_EQ(put(ann.id, "phone", "key-1").status, PushRegistrationStatus::user_not_found);
}

}  // namespace
}  // namespace chat::storage::testing
