// Receipts: members' delivered and read cursors, moved forward only.
#include "chat/storage/delivery.hpp"
#include "sql/receipts_sql.hpp"

#include <string_view>

namespace chat::storage {

std::vector<CursorChange> DeliveryStore::apply_receipts(std::span<const ReceiptUpdate> receipts) {
  if (receipts.empty()) return {};
  std::vector<std::int64_t> idx, chat, peer, reader, is_read, seq;
  std::vector<std::int64_t> ref_idx, ref_sender;
  std::vector<std::string_view> ref_id;
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const ReceiptUpdate& r = receipts[i];
    const auto index = static_cast<std::int64_t>(i);
    idx.push_back(index);
    chat.push_back(r.chat_id);
    peer.push_back(r.peer_id);
    reader.push_back(r.reader_id);
    is_read.push_back(r.kind == ReceiptKind::read ? 1 : 0);
    seq.push_back(r.seq > 0 ? r.seq : 0);
    for (const MessageRef& ref : r.refs) {
      ref_idx.push_back(index);
      ref_sender.push_back(ref.sender_id);
      ref_id.push_back(ref.client_msg_id);
    }
  }
  return connection_.transaction([&](Connection& tx) {
    std::vector<std::int64_t> t_chat, t_user, t_delivered, t_read;
    for (const Row row :
         tx.execute(sql::kResolveReceipts, Param::int64_array(idx), Param::int64_array(chat), Param::int64_array(peer),
                    Param::int64_array(reader), Param::int64_array(is_read), Param::int64_array(seq),
                    Param::int64_array(ref_idx), Param::int64_array(ref_sender), Param::text_array(ref_id))) {
      t_chat.push_back(row.int64("chat_id"));
      t_user.push_back(row.int64("user_id"));
      t_delivered.push_back(row.int64("delivered"));
      t_read.push_back(row.int64("read"));
    }
    std::vector<CursorChange> changes;
    if (t_chat.empty()) return changes;
    for (const Row row : tx.execute(sql::kAdvanceCursors, Param::int64_array(t_chat), Param::int64_array(t_user),
                                    Param::int64_array(t_delivered), Param::int64_array(t_read))) {
      changes.push_back(
          {row.int64("chat_id"), row.int64("user_id"), row.int64("delivered_seq"), row.int64("read_seq")});
    }
    return changes;
  });
}

}  // namespace chat::storage
