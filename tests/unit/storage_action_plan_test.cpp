// Messages that act on messages (edit, delete, reaction) and replies in the
// append plan: each rule refuses the one message and stores the rest, and
// what the stored actions do to their targets is the batch's net effect.
#include "append_plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chat::storage::detail {
namespace {

constexpr ChatId kChat = 1;
constexpr UserId kAlice = 7;  // the group's owner
constexpr UserId kBob = 8;
constexpr UserId kCarol = 9;
constexpr TimeMs kHour = 3600 * 1000;

NewMessage text(UserId sender, std::string id) {
  NewMessage m;
  m.chat_id = kChat;
  m.sender_id = sender;
  m.client_msg_id = std::move(id);
  return m;
}

NewMessage action(MessageType type, UserId sender, std::string id, Seq target) {
  NewMessage m = text(sender, std::move(id));
  m.type = type;
  m.target = target;
  return m;
}

NewMessage edit(UserId sender, std::string id, Seq target, std::string new_text) {
  NewMessage m = action(MessageType::edit, sender, std::move(id), target);
  m.edit_text = std::move(new_text);
  return m;
}

NewMessage reaction(UserId sender, std::string id, Seq target, std::string emoji, bool remove = false) {
  NewMessage m = action(MessageType::reaction, sender, std::move(id), target);
  m.emoji = std::move(emoji);
  m.remove = remove;
  return m;
}

// Chat 1 holds seq 1 (alice's text, an hour old), 2 (bob's image), 3 (bob's
// reaction), 4 (alice's text, deleted).
const std::vector<ChatState> kChats{{kChat, 4, false}};
const std::vector<Membership> kMembers{{kChat, kAlice, true}, {kChat, kBob, false}, {kChat, kCarol, false}};
const std::vector<StoredTarget> kTargets{{kChat, 1, kAlice, MessageType::text, false, kHour},
                                         {kChat, 2, kBob, MessageType::image, false, kHour},
                                         {kChat, 3, kBob, MessageType::reaction, false, kHour},
                                         {kChat, 4, kAlice, MessageType::text, true, kHour}};

AppendPlan plan(const std::vector<NewMessage>& batch, const ActionRules& rules = {}) {
  return plan_append(batch, kChats, kMembers, {}, kTargets, {}, rules);
}

ActionRules edit_window(TimeMs ms) {
  ActionRules rules;
  rules.edit_window_ms = ms;
  return rules;
}

TEST(PlanActions, CollectAppendKeysNamesTargetsAndRepliesOnce) {
  NewMessage reply = text(kBob, "r");
  reply.reply_to = 2;
  const std::vector<NewMessage> batch{edit(kAlice, "e", 1, "x"), reaction(kBob, "x", 1, "👍"), reply, text(kBob, "t")};
  const AppendKeys keys = collect_append_keys(batch);
  EXPECT_EQ(keys.target_chat_ids, (std::vector<ChatId>{kChat, kChat}));
  EXPECT_EQ(keys.target_seqs, (std::vector<Seq>{1, 2}));
}

TEST(PlanActions, EachRuleRefusesItsMessageAlone) {
  NewMessage reply_to_missing = text(kBob, "r-missing");
  reply_to_missing.reply_to = 99;
  NewMessage reply_to_reaction = text(kBob, "r-reaction");
  reply_to_reaction.reply_to = 3;
  const std::vector<NewMessage> batch{
      edit(kBob, "not-author", 1, "x"),                       // bob edits alice's
      edit(kAlice, "missing", 99, "x"),                       // no seq 99
      edit(kBob, "image", 2, "x"),                            // an image has no text to edit
      reaction(kAlice, "on-reaction", 3, "👍"),                // a reaction is no content
      edit(kAlice, "deleted", 4, "x"),                        // deleted for everyone
      action(MessageType::deletion, kAlice, "again", 4),      // deleting twice
      action(MessageType::deletion, kCarol, "not-owner", 1),  // neither author nor owner
      reply_to_missing,
      reply_to_reaction,
      text(kCarol, "fine")  // the rest is stored
  };
  const AppendPlan p = plan(batch);
  const std::vector<AppendStatus> expected{AppendStatus::not_author,        AppendStatus::target_not_found,
                                           AppendStatus::target_wrong_type, AppendStatus::target_wrong_type,
                                           AppendStatus::target_deleted,    AppendStatus::target_deleted,
                                           AppendStatus::not_author,        AppendStatus::target_not_found,
                                           AppendStatus::target_wrong_type, AppendStatus::stored};
  ASSERT_EQ(p.results.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p.results[i].status, expected[i]) << batch[i].client_msg_id;
  }
  EXPECT_EQ(p.results.back().seq, 5);  // refusals take no seq
  EXPECT_EQ(p.inserts, (std::vector<std::size_t>{9}));
  EXPECT_TRUE(p.edits.empty());
  EXPECT_TRUE(p.deletions.empty());
  EXPECT_TRUE(p.reactions_added.empty());
}

TEST(PlanActions, TheEditWindowIsASetting) {
  const std::vector<NewMessage> batch{edit(kAlice, "e", 1, "late")};
  EXPECT_EQ(plan(batch).results[0].status, AppendStatus::stored);  // an hour old, 48 h by default
  EXPECT_EQ(plan(batch, edit_window(kHour - 1)).results[0].status, AppendStatus::edit_window_expired);
  EXPECT_EQ(plan(batch, edit_window(kHour)).results[0].status, AppendStatus::stored);
}

TEST(PlanActions, TheOwnerDeletesAnyonesTheAuthorItsOwn) {
  const std::vector<NewMessage> batch{action(MessageType::deletion, kAlice, "owner", 2),
                                      action(MessageType::deletion, kAlice, "author", 1)};
  const AppendPlan p = plan(batch);
  EXPECT_EQ(p.results[0].status, AppendStatus::stored);
  EXPECT_EQ(p.results[1].status, AppendStatus::stored);
  ASSERT_EQ(p.deletions.size(), 2u);
  EXPECT_EQ(p.deletions[0].target, 1);
  EXPECT_EQ(p.deletions[0].action_seq, 6);
  EXPECT_EQ(p.deletions[1].target, 2);
  EXPECT_EQ(p.deletions[1].action_seq, 5);
}

TEST(PlanActions, ReactionsAreTheNetEffectPerUserEmojiAndTarget) {
  const std::vector<NewMessage> batch{
      reaction(kBob, "a", 1, "👍"),   reaction(kBob, "b", 1, "❤️"),    reaction(kBob, "c", 1, "❤️", true),
      reaction(kCarol, "d", 1, "👍"), reaction(kCarol, "e", 2, "😂", true), reaction(kBob, "f", 2, "👍")};
  const AppendPlan p = plan(batch);
  for (const auto& r : p.results) EXPECT_EQ(r.status, AppendStatus::stored);
  EXPECT_EQ(p.reactions_added,
            (std::vector<ReactionKey>{{kChat, 1, kBob, "👍"}, {kChat, 1, kCarol, "👍"}, {kChat, 2, kBob, "👍"}}));
  EXPECT_EQ(p.reactions_removed, (std::vector<ReactionKey>{{kChat, 1, kBob, "❤️"}, {kChat, 2, kCarol, "😂"}}));
}

TEST(PlanActions, CollectsTheReactingUsersWhoseStoredReactionsTheCapCounts) {
  const std::vector<NewMessage> batch{reaction(kBob, "a", 1, "👍"), reaction(kBob, "b", 1, "❤️"),
                                      reaction(kCarol, "c", 2, "👍", true), reaction(kCarol, "d", 1, "👍")};
  const AppendKeys keys = collect_append_keys(batch);
  EXPECT_EQ(keys.reaction_chat_ids, (std::vector<ChatId>{kChat, kChat}));
  EXPECT_EQ(keys.reaction_targets, (std::vector<Seq>{1, 1}));
  EXPECT_EQ(keys.reaction_user_ids, (std::vector<UserId>{kBob, kCarol}));  // a removal alone needs no count
}

TEST(PlanActions, ANewEmojiBeyondTheCapIsRefusedOthersPass) {
  ActionRules rules;
  rules.max_reactions_per_user = 2;
  // Bob holds 👍 and ❤️ on seq 1 (stored), nothing on seq 2.
  const std::vector<StoredReaction> held{{kChat, 1, kBob, "👍"}, {kChat, 1, kBob, "❤️"}};
  const std::vector<NewMessage> batch{
      reaction(kBob, "third", 1, "😂"),            // refused: a third emoji
      reaction(kBob, "again", 1, "👍"),            // stored: held already, changes nothing
      reaction(kCarol, "carol", 1, "😂"),          // stored: the cap is per user
      reaction(kBob, "other", 2, "😂"),            // stored: and per target
      reaction(kBob, "drop", 1, "❤️", true),  // stored: frees a place
      reaction(kBob, "third-again", 1, "😂"),      // stored now
      reaction(kBob, "fourth", 1, "🎉"),           // refused again
  };
  const AppendPlan p = plan_append(batch, kChats, kMembers, {}, kTargets, held, rules);
  std::vector<AppendStatus> statuses;
  for (const auto& r : p.results) statuses.push_back(r.status);
  EXPECT_EQ(statuses, (std::vector<AppendStatus>{AppendStatus::too_many_reactions, AppendStatus::stored,
                                                 AppendStatus::stored, AppendStatus::stored, AppendStatus::stored,
                                                 AppendStatus::stored, AppendStatus::too_many_reactions}));
  EXPECT_EQ(p.results[0].seq, 0);  // a refusal takes no seq
  EXPECT_EQ(p.results[5].seq, 9);
  EXPECT_EQ(p.reactions_added,
            (std::vector<ReactionKey>{
                {kChat, 1, kBob, "👍"}, {kChat, 1, kBob, "😂"}, {kChat, 1, kCarol, "😂"}, {kChat, 2, kBob, "😂"}}));
  EXPECT_EQ(p.reactions_removed, (std::vector<ReactionKey>{{kChat, 1, kBob, "❤️"}}));
}

TEST(PlanActions, TheCapIsTheContractsByDefault) {
  std::vector<StoredReaction> held;
  for (std::size_t i = 0; i < protocol::limits::kMaxReactionsPerUser; ++i) {
    held.push_back({kChat, 1, kBob, "e" + std::to_string(i)});
  }
  const std::vector<NewMessage> batch{reaction(kBob, "one-more", 1, "👍"), reaction(kBob, "held", 1, "e0")};
  const AppendPlan p = plan_append(batch, kChats, kMembers, {}, kTargets, held, {});
  EXPECT_EQ(p.results[0].status, AppendStatus::too_many_reactions);
  EXPECT_EQ(p.results[1].status, AppendStatus::stored);
}

TEST(PlanActions, TargetsStoredEarlierInTheBatchCount) {
  NewMessage reply = text(kBob, "reply");
  reply.reply_to = 5;
  const std::vector<NewMessage> batch{
      text(kBob, "new"),                               // seq 5
      edit(kBob, "fix", 5, "corrected"),               // seq 6
      edit(kBob, "fix-again", 5, "corrected twice"),   // seq 7: the latest text wins
      reply,                                           // seq 8
      action(MessageType::deletion, kBob, "gone", 5),  // seq 9
      edit(kBob, "too-late", 5, "x"),                  // refused: deleted above
      reaction(kCarol, "on-edit", 6, "👍"),             // refused: an edit is no content
      edit(kBob, "ahead", 11, "x"),                    // refused: seq 11 is not stored (yet)
  };
  const AppendPlan p = plan(batch);
  EXPECT_EQ(p.results[4].seq, 9);
  EXPECT_EQ(p.results[5].status, AppendStatus::target_deleted);
  EXPECT_EQ(p.results[6].status, AppendStatus::target_wrong_type);
  EXPECT_EQ(p.results[7].status, AppendStatus::target_not_found);
  ASSERT_EQ(p.edits.size(), 1u);
  EXPECT_EQ(p.edits[0].target, 5);
  EXPECT_EQ(p.edits[0].action_seq, 7);
  EXPECT_EQ(p.edits[0].text, "corrected twice");
  ASSERT_EQ(p.deletions.size(), 1u);
  EXPECT_EQ(p.deletions[0].target, 5);
  EXPECT_EQ(p.advanced_last_seqs, (std::vector<Seq>{9}));
}

TEST(PlanActions, AResentActionIsADuplicateAndAppliedOnce) {
  const std::vector<StoredClientId> stored{{kAlice, "e", kChat, 3}};
  const std::vector<NewMessage> batch{edit(kAlice, "e", 1, "again")};
  const AppendPlan p = plan_append(batch, kChats, kMembers, stored, kTargets, {});
  EXPECT_EQ(p.results[0].status, AppendStatus::duplicate);
  EXPECT_TRUE(p.edits.empty());
}

}  // namespace
}  // namespace chat::storage::detail
