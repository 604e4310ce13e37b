// /v1/media: uploads streamed into the content-addressed store, and downloads
// with Range for the uploader and the members of chats where a message shared
// the upload. Users sign in with their sign-in token (Bearer, verified with
// the broker plugin's secret) or their password (Basic).
#include "chat/admin/json_records.hpp"
#include "chat/admin/range.hpp"
#include "chat/admin/validation.hpp"
#include "chat/storage/identifiers.hpp"
#include "chat/protocol/identifiers.hpp"
#include "server.hpp"
#include "user_auth.hpp"

#include <httplib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::admin {
namespace {

using storage::UserId;

// After a refusal (over the limit, not signed in) the rest of the body is
// still read and dropped when it is at most this much, so that the client,
// which sends the whole body before it reads, gets the answer; a longer rest
// is not read and the connection is closed.
constexpr std::uint64_t kDrainBytes = 4u << 20;
constexpr std::size_t kChunkBytes = 64u << 10;

std::string format_bytes(std::uint64_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Refuses a request whose body has not been read: reads and drops a short
// rest so the answer reaches the client, else closes the connection.
void refuse_unread(const Request& request, Response& response, const httplib::ContentReader& reader,
                   const ApiError& error) {
  const bool has_length = request.has_header("Content-Length");
  if (!has_length && !request.has_header("Transfer-Encoding")) {
    send_error(response, error);
    return;
  }
  if (has_length && request.get_header_value<std::uint64_t>("Content-Length") > kDrainBytes) {
    send_error_and_close(response, error);
    return;
  }
  std::uint64_t dropped = 0;
  const bool drained = reader([&](const char*, std::size_t size) {
    dropped += size;
    return dropped <= kDrainBytes;
  });
  if (drained) {
    send_error(response, error);
  } else {
    send_error_and_close(response, error);
  }
}

ApiError as_api_error(Context& context, const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const ApiError& error) {
    return error;
  } catch (const storage::DbError& error) {
    context.log.error(std::string("media: database: ") + error.what());
    return from_db_error(error);
  } catch (const std::exception& error) {
    context.log.error(std::string("media: ") + error.what());
  }
  return ApiError(ErrorCode::internal, "internal error");
}

void upload(Context& context, const Request& request, Response& response, const httplib::ContentReader& reader) {
  const MediaLimits& limits = context.limits;
  if (request.has_header("Content-Length") &&
      request.get_header_value<std::uint64_t>("Content-Length") > limits.largest()) {
    context.metrics.media_rejected("too_large");
    refuse_unread(request, response, reader,
                  ApiError(ErrorCode::too_large, "an upload may be at most " + format_bytes(limits.largest())));
    return;
  }
  UserId uid = 0;
  try {
    uid = authenticate_user(context, request);
  } catch (...) {
    const ApiError error = as_api_error(context, std::current_exception());
    context.metrics.media_rejected(to_string(error.code()));
    refuse_unread(request, response, reader, error);
    return;
  }

  bool body_read = false;
  try {
    Upload upload(context.media, limits);
    std::uint64_t dropped = 0;
    const bool complete = reader([&](const char* data, std::size_t size) {
      if (upload.write(data, size)) return true;
      dropped += size;
      return dropped <= kDrainBytes;
    });
    body_read = complete;
    if (upload.over_limit()) {
      const MediaKind kind = upload.sniffed() ? upload.sniffed()->kind : MediaKind::file;
      context.metrics.media_rejected("too_large");
      const ApiError error(ErrorCode::too_large, "a " + std::string(to_string(kind)) + " upload (" +
                                                     std::string(upload.sniffed()->mime) + ") may be at most " +
                                                     format_bytes(limits.limit(kind)));
      if (complete) {
        send_error(response, error);
      } else {
        send_error_and_close(response, error);
      }
      return;
    }
    if (!complete) throw bad_request("body", "the upload was cut off");
    const auto result = upload.finish();
    if (!result) throw ApiError(ErrorCode::too_large, "the upload is over its limit");
    if (result->size == 0) throw bad_request("body", "an upload must not be empty");

    storage::NewMedia media;
    media.id = media_id_for(uid, result->sha256);
    media.uploader_id = uid;
    media.mime = std::string(result->type.mime);
    media.size_bytes = static_cast<std::int64_t>(result->size);
    media.sha256 = result->sha256;
    storage::MediaInsert inserted;
    bool new_blob = false;
    {
      // Placing and cataloguing are one step for the collector, which checks
      // and removes under the same lock.
      std::lock_guard lock(context.media.mutex());
      new_blob = context.media.place(upload.temp_path(), result->sha256);
      upload.released();
      auto store = context.pool.acquire();
      inserted = store->media().insert(media);
    }
    context.metrics.media_uploaded(to_string(result->type.kind), new_blob, result->size);
    if (inserted.created) response.set_header("Location", "/v1/media/" + inserted.record.id);
    send_json(response, inserted.created ? 201 : 200, media_json(inserted.record));
  } catch (...) {
    const ApiError error = as_api_error(context, std::current_exception());
    if (body_read) {
      send_error(response, error);
    } else {
      send_error_and_close(response, error);
    }
  }
}

void download(Context& context, const Request& request, Response& response) {
  const std::string id = path_param(request, 1);
  const UserId uid = authenticate_user(context, request);
  // Strangers learn nothing: an upload they may not read does not exist for them.
  const ApiError missing = not_found("no such media");
  if (!protocol::is_valid_media_id(id)) throw missing;
  std::optional<storage::MediaAccess> access;
  {
    auto store = context.pool.acquire();
    access = store->media().find_for(id, uid);
  }
  if (!access || !access->allowed) throw missing;
  const storage::MediaRecord& media = access->record;

  const int raw_fd = ::open(context.media.blob_path(media.sha256).c_str(), O_RDONLY | O_CLOEXEC);
  if (raw_fd < 0) {
    context.log.error("media " + media.id + ": its blob is missing");
    throw missing;
  }
  const auto fd = std::shared_ptr<int>(new int(raw_fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  const std::string etag = "\"" + media.sha256 + "\"";
  response.set_header("ETag", etag);
  // An id always names the same bytes.
  response.set_header("Cache-Control", "private, max-age=31536000, immutable");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Accept-Ranges", "bytes");
  if (kind_of_mime(media.mime) == MediaKind::file) response.set_header("Content-Disposition", "attachment");
  const std::string if_none_match = request.get_header_value("If-None-Match");
  if (!if_none_match.empty() && (if_none_match == "*" || if_none_match.find(etag) != std::string::npos)) {
    response.status = 304;
    return;
  }

  struct stat info {};
  if (::fstat(*fd, &info) != 0) throw ApiError(ErrorCode::internal, "cannot read the blob");
  const auto size = static_cast<std::uint64_t>(info.st_size);

  RangeRequest range;
  const std::string if_range = request.get_header_value("If-Range");
  if (if_range.empty() || if_range == etag) range = parse_range(request.get_header_value("Range"), size);
  if (range.kind == RangeRequest::Kind::unsatisfiable) {
    response.set_header("Content-Range", unsatisfied_content_range(size));
    throw ApiError(ErrorCode::range_not_satisfiable, "the blob has " + std::to_string(size) + " bytes");
  }
  ByteRange bytes{0, size == 0 ? 0 : size - 1};
  if (range.kind == RangeRequest::Kind::partial) {
    bytes = range.range;
    response.status = 206;
    response.set_header("Content-Range", content_range(bytes, size));
  } else {
    response.status = 200;
  }
  const std::uint64_t first = bytes.first;
  response.set_content_provider(static_cast<std::size_t>(bytes.length()), media.mime,
                                [fd, first](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                  std::string buffer(std::min(length, kChunkBytes), '\0');
                                  const ssize_t n =
                                      ::pread(*fd, buffer.data(), buffer.size(), static_cast<off_t>(first + offset));
                                  if (n <= 0) return false;
                                  return sink.write(buffer.data(), static_cast<std::size_t>(n));
                                });
}

}  // namespace

void register_media_routes(Routes& routes, Context& context) {
  Context* c = &context;
  routes.put_streaming("/v1/media", "/v1/media", Access::user,
                       [c](const Request& request, Response& response, const httplib::ContentReader& reader) {
                         upload(*c, request, response, reader);
                       });
  routes.get("/v1/media/{id}", R"(/v1/media/([^/]+))", Access::user,
             [c](const Request& request, Response& response) { download(*c, request, response); });
}

}  // namespace chat::admin
