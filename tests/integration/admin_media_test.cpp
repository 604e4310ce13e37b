// chat-admin's media store against a real PostgreSQL: uploads sniffed and
// limited per kind, content-addressed and deduplicated; downloads with Range
// for the uploader and members of chats where a message shared the upload;
// the garbage collector. (The password throttle: admin_media_throttle_test.cpp.)
#include "admin_media_env.hpp"

namespace chat::admin::testing {
namespace {

TEST_F(AdminMediaTest, TheTypeIsSniffedFromTheBytesNotTheHeader) {
  const Person alice = person("alice");
  const std::string image = png(5000);
  Reply reply = upload(image, alice.bearer, "text/plain");
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.data["mime"], "image/png");
  EXPECT_EQ(reply.data["kind"], "image");
  EXPECT_EQ(reply.data["size"], 5000);
  EXPECT_EQ(reply.data["sha256"], sha256_hex(image));
  EXPECT_EQ(reply.data["uploader"], alice.uid);
  EXPECT_EQ(reply.data["referenced"], false);
  const std::string id = reply.data["id"];
  EXPECT_TRUE(id.size() <= 64 &&
              id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                  std::string::npos)
      << id;
  EXPECT_EQ(reply.header("Location"), "/v1/media/" + id);
  EXPECT_EQ(psql("SELECT mime || ' ' || size_bytes || ' ' || uploader_id FROM media WHERE id = '" + id + "'"),
            "image/png 5000 " + std::to_string(alice.uid));
  EXPECT_TRUE(std::filesystem::exists(blob(sha256_hex(image))));

  reply = upload(ogg_opus(3000), alice.bearer, "image/jpeg");
  EXPECT_EQ(reply.data["mime"], "audio/ogg");
  EXPECT_EQ(reply.data["kind"], "voice");
  reply = upload(pdf(3000), alice.bearer);
  EXPECT_EQ(reply.data["mime"], "application/pdf");
  EXPECT_EQ(reply.data["kind"], "file");
  reply = upload("<html><script>alert(1)</script></html>", alice.bearer, "text/html");
  EXPECT_EQ(reply.data["mime"], "application/octet-stream");
  EXPECT_EQ(reply.data["kind"], "file");
  // Served as a download that browsers must not sniff.
  const Reply html = download(reply.data["id"], alice.bearer);
  EXPECT_EQ(html.header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(html.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(html.header("Content-Disposition"), "attachment");
}

TEST_F(AdminMediaTest, IdenticalContentIsStoredOnce) {
  const Person alice = person("alice");
  const Person bob = person("bob");
  const std::string image = png(4000);
  const Reply first = upload(image, alice.bearer);
  ASSERT_EQ(first.status, 201);
  const Reply again = upload(image, alice.bearer);
  EXPECT_EQ(again.status, 200);  // the same upload: same id
  EXPECT_EQ(again.data["id"], first.data["id"]);
  const Reply by_bob = upload(image, bob.bearer);
  EXPECT_EQ(by_bob.status, 201);
  EXPECT_NE(by_bob.data["id"], first.data["id"]);  // each uploader its own id...
  EXPECT_EQ(by_bob.data["sha256"], first.data["sha256"]);
  // ...and one blob on disk.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(server().media_dir() / "blobs")) {
    if (entry.is_regular_file() && entry.path().filename() == sha256_hex(image)) ++files;
  }
  EXPECT_EQ(files, 1u);
  // Bob cannot read Alice's upload by her id.
  EXPECT_EQ(download(first.data["id"], bob.bearer).status, 404);
  EXPECT_EQ(download(by_bob.data["id"], bob.bearer).status, 200);
}

TEST_F(AdminMediaTest, TheUploaderDownloadsWithRangesAndCaching) {
  const Person alice = person("alice");
  const std::string voice = ogg_opus(100000);
  const Reply up = upload(voice, alice.bearer);
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string id = up.data["id"];

  Reply reply = download(id, alice.bearer);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, voice);
  EXPECT_EQ(reply.header("Content-Type"), "audio/ogg");
  EXPECT_EQ(reply.header("Accept-Ranges"), "bytes");
  const std::string etag = reply.header("ETag");
  EXPECT_EQ(etag, "\"" + sha256_hex(voice) + "\"");
  EXPECT_EQ(reply.header("Content-Disposition"), "");  // voice plays inline

  reply = download(id, alice.bearer, {{"If-None-Match", etag}});
  EXPECT_EQ(reply.status, 304);
  EXPECT_TRUE(reply.body.empty());

  reply = download(id, alice.bearer, {{"Range", "bytes=0-99"}});
  EXPECT_EQ(reply.status, 206);
  EXPECT_EQ(reply.body, voice.substr(0, 100));
  EXPECT_EQ(reply.header("Content-Range"), "bytes 0-99/100000");
  reply = download(id, alice.bearer, {{"Range", "bytes=99990-"}});
  EXPECT_EQ(reply.status, 206);
  EXPECT_EQ(reply.body, voice.substr(99990));
  EXPECT_EQ(reply.header("Content-Range"), "bytes 99990-99999/100000");
  reply = download(id, alice.bearer, {{"Range", "bytes=-10"}});
  EXPECT_EQ(reply.body, voice.substr(100000 - 10));
  reply = download(id, alice.bearer, {{"Range", "bytes=50000-200000"}});
  EXPECT_EQ(reply.status, 206);
  EXPECT_EQ(reply.body, voice.substr(50000));
  reply = download(id, alice.bearer, {{"Range", "bytes=100000-"}});
  EXPECT_EQ(reply.status, 416);
  EXPECT_EQ(reply.header("Content-Range"), "bytes */100000");
  EXPECT_EQ(reply.error_code(), "range_not_satisfiable");
  // Several ranges: the whole blob (the RFC lets a server ignore Range).
  reply = download(id, alice.bearer, {{"Range", "bytes=0-1,5-6"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body.size(), voice.size());
  // If-Range with another validator: the whole blob.
  reply = download(id, alice.bearer, {{"Range", "bytes=0-9"}, {"If-Range", "\"other\""}});
  EXPECT_EQ(reply.status, 200);
  // HEAD: the headers only.
  httplib::Headers head{{"Authorization", alice.bearer}};
  reply = raw("HEAD", "/v1/media/" + id, "", head);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Length"), "100000");
  EXPECT_TRUE(reply.body.empty());
}

TEST_F(AdminMediaTest, SignInWithTokenOrPasswordDisabledAndDeletedRefused) {
  const Person carol = person("carol", {{"password", "carol's password"}});
  const std::string basic = basic_auth(carol.username + ":carol's password");
  const Reply up = upload(png(2000), basic);
  ASSERT_EQ(up.status, 201) << up.body;
  EXPECT_EQ(up.data["uploader"], carol.uid);
  EXPECT_EQ(download(up.data["id"], basic).status, 200);
  EXPECT_EQ(download(up.data["id"], carol.bearer).status, 200);

  const auto refused = [](const Reply& reply, int status) { EXPECT_EQ(reply.status, status) << reply.body; };
  refused(upload(png(100), basic_auth(carol.username + ":wrong password")), 401);
  refused(upload(png(100), basic_auth("nobody_at_all:whatever")), 401);
  refused(upload(png(100), "Bearer not.a.token"), 401);
  refused(upload(png(100), "Bearer " + kAdminToken), 401);  // the admin token is no user's
  refused(raw("PUT", "/v1/media", png(100), {}), 401);
  refused(download(up.data["id"], "Bearer x.y.z"), 401);
  refused(raw("GET", "/v1/media/" + up.data["id"].get<std::string>(), "", {}), 401);

  post("/v1/admin/users/" + std::to_string(carol.uid) + "/disable", json::object());
  refused(upload(png(100), carol.bearer), 403);
  refused(upload(png(100), basic), 403);
  refused(download(up.data["id"], carol.bearer), 403);
  post("/v1/admin/users/" + std::to_string(carol.uid) + "/enable", json::object());
  refused(upload(png(100), carol.bearer), 201);

  ASSERT_EQ(call("DELETE", "/v1/admin/users/" + std::to_string(carol.uid)).status, 200);
  refused(upload(png(100), carol.bearer), 401);
  refused(upload(png(100), basic), 401);
}

TEST_F(AdminMediaTest, ChatMembersReadWhatWasSharedWithThem) {
  const Person alice = person("alice");
  const Person bob = person("bob");
  const Person carol = person("carol");
  const Person stranger = person("stranger");
  const json chat = create_group(alice.uid, {bob.uid});
  const Reply up = upload(png(3000), alice.bearer);
  ASSERT_EQ(up.status, 201);
  const std::string id = up.data["id"];

  // Uploaded but not shared yet: only Alice.
  EXPECT_EQ(download(id, alice.bearer).status, 200);
  EXPECT_EQ(download(id, bob.bearer).status, 404);
  EXPECT_EQ(download(id, stranger.bearer).status, 404);
  EXPECT_EQ(download("m-no-such-id", alice.bearer).status, 404);
  EXPECT_EQ(download("bad*id", alice.bearer).status, 404);

  // Shared in the chat: its members too, strangers still not.
  const std::int64_t seq = share(id_of(chat), alice.uid, id);
  EXPECT_EQ(download(id, bob.bearer).status, 200);
  EXPECT_EQ(download(id, stranger.bearer).status, 404);
  EXPECT_EQ(psql("SELECT first_referenced_at IS NOT NULL FROM media WHERE id = '" + id + "'"), "t");

  // Bob forwards it to a chat with Carol: she may read it.
  const json forward = create_group(bob.uid, {carol.uid});
  EXPECT_EQ(download(id, carol.bearer).status, 404);
  share(id_of(forward), bob.uid, id);
  EXPECT_EQ(download(id, carol.bearer).status, 200);

  // Someone who cannot read it cannot share it either.
  const Person accomplice = person("accomplice");
  const json leak = create_group(stranger.uid, {accomplice.uid});
  share(id_of(leak), stranger.uid, id);
  EXPECT_EQ(download(id, accomplice.bearer).status, 404);
  EXPECT_EQ(download(id, stranger.bearer).status, 404);

  // A member who leaves loses access; moderation of the message withdraws it.
  ASSERT_EQ(
      call("DELETE", "/v1/admin/chats/" + std::to_string(id_of(forward)) + "/members/" + std::to_string(carol.uid))
          .status,
      200);
  EXPECT_EQ(download(id, carol.bearer).status, 404);
  ASSERT_EQ(
      call("DELETE", "/v1/admin/chats/" + std::to_string(id_of(chat)) + "/messages/" + std::to_string(seq)).status,
      200);
  EXPECT_EQ(download(id, alice.bearer).status, 200);  // the uploader keeps it
  EXPECT_EQ(download(id, bob.bearer).status, 200);    // still shared by Bob's forward in his own chat
  const Person dave = person("dave");
  ASSERT_EQ(post("/v1/admin/chats/" + std::to_string(id_of(chat)) + "/members", {{"user", dave.uid}}).status, 201);
  EXPECT_EQ(download(id, dave.bearer).status, 404);  // the only share in this chat is moderated
}

// Deleted for everyone by its author (issue #15): the message's media is
// served to its uploader only, as after moderation.
TEST_F(AdminMediaTest, AMessageDeletedForEveryoneNoLongerSharesItsMedia) {
  const Person alice = person("alice");
  const Person bob = person("bob");
  const json chat = create_group(alice.uid, {bob.uid});
  const Reply up = upload(png(3000), alice.bearer);
  ASSERT_EQ(up.status, 201);
  const std::string id = up.data["id"];
  const std::int64_t seq = share(id_of(chat), alice.uid, id);
  ASSERT_EQ(download(id, bob.bearer).status, 200);

  // The delete message, stored as the bridge stores it.
  storage::NewMessage deletion;
  deletion.chat_id = id_of(chat);
  deletion.sender_id = alice.uid;
  deletion.client_msg_id = unique("d");
  deletion.type = storage::MessageType::deletion;
  deletion.target = seq;
  deletion.body = json{{"target", seq}}.dump();
  const std::vector<storage::NewMessage> batch{deletion};
  ASSERT_EQ(store().messages().append_messages(batch).at(0).status, storage::AppendStatus::stored);

  EXPECT_EQ(download(id, bob.bearer).status, 404);
  EXPECT_EQ(download(id, alice.bearer).status, 200);  // the uploader keeps it
}

TEST_F(AdminMediaTest, LimitsPerKind) {
  const Person alice = person("alice");
  // Images up to 64 KiB.
  EXPECT_EQ(upload(png(64 * 1024), alice.bearer).status, 201);
  Reply reply = upload(png(64 * 1024 + 1), alice.bearer);
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_EQ(reply.error_code(), "too_large");
  EXPECT_NE(reply.data["error"]["message"].get<std::string>().find("64 KiB"), std::string::npos) << reply.body;
  // Voice up to 128 KiB: a 100 KiB voice note passes where an image would not.
  EXPECT_EQ(upload(ogg_opus(100 * 1024), alice.bearer).status, 201);
  EXPECT_EQ(upload(ogg_opus(129 * 1024), alice.bearer).status, 413);
  // Anything else up to 256 KiB.
  EXPECT_EQ(upload(pdf(200 * 1024), alice.bearer).status, 201);
  EXPECT_EQ(upload(pdf(257 * 1024), alice.bearer).status, 413);
  // Nothing of the refused uploads is kept.
  EXPECT_TRUE(std::filesystem::is_empty(server().media_dir() / "tmp"));
  EXPECT_EQ(upload("", alice.bearer).error_field(), "body");

  const Reply metrics = call("GET", "/metrics", std::nullopt, std::nullopt);
  EXPECT_NE(metrics.body.find("chat_admin_media_rejected_total{reason=\"too_large\"} 3"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("chat_admin_media_uploads_total{kind=\"voice\",result=\"stored\"}"), std::string::npos);
}

// A client that asks before sending (Expect: 100-continue, as curl does for
// large bodies) is told at once that the body is too large or that it must
// sign in, without sending it.
TEST_F(AdminMediaTest, OversizedUploadsAreRefusedBeforeTheBody) {
  const auto ask = [](const std::string& headers, const std::string& length) {
    return answer_to_head("PUT /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: " + length +
                          "\r\nExpect: 100-continue\r\n\r\n");
  };
  const Person alice = person("alice");
  EXPECT_EQ(ask("Authorization: " + alice.bearer + "\r\n", "999999999").rfind("HTTP/1.1 413", 0), 0u);
  EXPECT_EQ(ask("", "1000").rfind("HTTP/1.1 401", 0), 0u);
  // Without asking, a body declared larger than every limit is refused unread.
  const Reply reply = upload(std::string(300 * 1024, 'x'), alice.bearer);
  if (reply.status != 0) {
    EXPECT_EQ(reply.status, 413);
  }
  EXPECT_EQ(get("/healthz").status, 200);
}

// Methods no media route takes (anything but PUT /v1/media and GET/HEAD of
// /v1/media/{id}) are answered from the head alone: httplib read a body of up
// to the largest upload into memory before its 404.
TEST_F(AdminMediaTest, OtherMethodsAreRefusedBeforeTheBody) {
  const Person alice = person("alice");
  const std::string huge = "Content-Length: 75497472\r\n";  // 72 MiB, never sent
  for (const std::string method : {"POST", "DELETE", "PATCH", "PUT"}) {
    const std::string head = method + " /v1/media/m-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    EXPECT_EQ(answer_to_head(head + huge + "\r\n").rfind("HTTP/1.1 401", 0), 0u) << method << ", not signed in";
    EXPECT_EQ(answer_to_head(head + "Authorization: " + alice.bearer + "\r\n" + huge + "\r\n").rfind("HTTP/1.1 404", 0),
              0u)
        << method << ", signed in";
  }
  EXPECT_EQ(answer_to_head("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                .rfind("HTTP/1.1 401", 0),
            0u);
  EXPECT_EQ(raw("POST", "/v1/media/m-1", "{}", {}).error_code(), "unauthorized");
  EXPECT_EQ(get("/healthz").status, 200);
}

TEST_F(AdminMediaTest, TheCollectorRemovesOldUploadsNoMessageReferenced) {
  const Person alice = person("alice");
  const Person bob = person("bob");
  const json chat = create_group(alice.uid, {bob.uid});

  const std::string lonely = png(1500);
  const std::string popular = png(1600);
  const std::string shared = png(1700);
  const std::string lonely_id = upload(lonely, alice.bearer).data["id"];
  const std::string popular_id = upload(popular, alice.bearer).data["id"];
  const std::string shared_id = upload(shared, alice.bearer).data["id"];
  share(id_of(chat), alice.uid, shared_id);
  // Alice's three uploads are old; Bob uploaded the popular content again just now.
  ASSERT_EQ(upload(popular, bob.bearer).status, 201);
  psql("UPDATE media SET created_at = now() - interval '2 hours' WHERE uploader_id = " + std::to_string(alice.uid));

  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return psql("SELECT count(*) FROM media WHERE uploader_id = " + std::to_string(alice.uid)) == "1"; }, 10s,
      50ms))
      << server().log();
  // The unshared upload is gone, row and blob.
  EXPECT_EQ(download(lonely_id, alice.bearer).status, 404);
  EXPECT_TRUE(chat::testing::wait_until([&] { return !std::filesystem::exists(blob(sha256_hex(lonely))); }, 5s));
  // The same content uploaded by someone else keeps its blob.
  EXPECT_EQ(download(popular_id, alice.bearer).status, 404);
  EXPECT_TRUE(std::filesystem::exists(blob(sha256_hex(popular))));
  // A shared upload is kept however old.
  EXPECT_EQ(download(shared_id, alice.bearer).status, 200);
  EXPECT_EQ(download(shared_id, bob.bearer).status, 200);
  const Reply metrics = call("GET", "/metrics", std::nullopt, std::nullopt);
  EXPECT_NE(metrics.body.find("chat_admin_media_gc_removed_total{what=\"uploads\"} 2"), std::string::npos)
      << metrics.body;
}

TEST_F(AdminMediaTest, DeletingAnAccountReleasesItsUnsharedUploads) {
  const Person erin = person("erin");
  const Person frank = person("frank");
  const json chat = create_group(erin.uid, {frank.uid});
  const std::string mine = png(1800);
  const std::string shared = png(1900);
  upload(mine, erin.bearer);
  const std::string shared_id = upload(shared, erin.bearer).data["id"];
  share(id_of(chat), erin.uid, shared_id);

  const Reply deleted = call("DELETE", "/v1/admin/users/" + std::to_string(erin.uid));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.data["media_released"], 1);
  EXPECT_FALSE(std::filesystem::exists(blob(sha256_hex(mine))));
  // What Erin shared stays part of the chat's history.
  EXPECT_TRUE(std::filesystem::exists(blob(sha256_hex(shared))));
  EXPECT_EQ(download(shared_id, frank.bearer).status, 200);
}

}  // namespace
}  // namespace chat::admin::testing
