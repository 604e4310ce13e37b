#include "server.hpp"

#include "chat/admin/auth_header.hpp"
#include "chat/admin/digest.hpp"
#include "chat/admin/json_records.hpp"

#include <httplib.h>

#include <algorithm>
#include <iostream>

namespace chat::admin {
namespace {

// What the worker thread that is handling a request knows about it, for the
// logger callback that httplib runs after the answer was written. A worker
// handles one request at a time, so thread-local state is per request.
struct RequestState {
  std::chrono::steady_clock::time_point start{};
  const char* route = nullptr;  // the matched pattern; null: no route matched
};
thread_local RequestState request_state;

// httplib 0.11 cuts every routed answer to the request's Range itself, and
// mishandles ranges past the end of a streamed body. The media handler does
// Range itself (chat/admin/range.hpp); every other answer is sent whole. The
// request object is httplib's own non-const local, handed to handlers as const.
void forget_ranges(const Request& request) { const_cast<Request&>(request).ranges.clear(); }

}  // namespace

// ---- StorePool ---------------------------------------------------------------------

StorePool::Lease StorePool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  return Lease(*this, std::make_unique<storage::Store>(conninfo_));
}

StorePool::Lease::~Lease() {
  if (!store_) return;
  // A session left inside a transaction (cannot happen through the Store's
  // methods, which always end theirs) is dropped rather than reused.
  if (store_->connection().in_transaction()) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(store_));
}

// ---- answers ---------------------------------------------------------------------

void send_json(Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(dump(body), "application/json");
}

void send_error(Response& response, const ApiError& error) {
  response.status = error.status();
  response.body.clear();
  response.content_length_ = 0;
  response.content_provider_ = nullptr;
  if (error.code() == ErrorCode::unauthorized) {
    response.set_header("WWW-Authenticate", "Bearer realm=\"chat\"");
  }
  if (error.retry_after_s() > 0) response.set_header("Retry-After", std::to_string(error.retry_after_s()));
  response.set_content(error.to_json(), "application/json");
}

void send_error_and_close(Response& response, const ApiError& error) {
  send_error(response, error);
  const std::string body = response.body;
  response.body.clear();
  response.set_header("Connection", "close");
  // httplib keeps a connection open after a complete answer; a provider that
  // reports failure after writing everything makes it close the socket.
  response.set_content_provider(body.size(), "application/json",
                                [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                  sink.write(body.data() + offset, length);
                                  return false;
                                });
}

void answer(Context& context, Response& response, const std::function<void()>& body) {
  try {
    body();
  } catch (const ApiError& error) {
    if (error.code() == ErrorCode::internal) context.log.error(error.what());
    send_error(response, error);
  } catch (const storage::DbError& error) {
    const ApiError mapped = from_db_error(error);
    if (mapped.code() == ErrorCode::internal || mapped.code() == ErrorCode::unavailable) {
      context.log.error(std::string("database: ") + std::string(storage::to_string(error.code())) + ": " +
                        error.what());
    }
    send_error(response, mapped);
  } catch (const std::exception& error) {
    context.log.error(std::string("unexpected: ") + error.what());
    send_error(response, ApiError(ErrorCode::internal, "internal error"));
  }
}

std::string path_param(const Request& request, std::size_t index) {
  if (index >= request.matches.size()) return {};
  return request.matches[index].str();
}

namespace {

// The query string's parameters only: httplib also adds the fields of a
// form-encoded body to Request::params, which must not pass for a query.
httplib::Params query_params(const Request& request) {
  httplib::Params params;
  const auto mark = request.target.find('?');
  if (mark != std::string::npos) httplib::detail::parse_query_text(request.target.substr(mark + 1), params);
  return params;
}

}  // namespace

std::optional<std::string> query_param(const Request& request, const char* name) {
  const httplib::Params params = query_params(request);
  const auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

void allow_query(const Request& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : query_params(request)) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw bad_request(name, "unknown query parameter");
    }
  }
}

void require_admin(const Context& context, const Request& request) {
  if (!request.has_header("Authorization")) {
    throw ApiError(ErrorCode::unauthorized, "the admin token is missing (Authorization: Bearer <token>)");
  }
  const std::string header = request.get_header_value("Authorization");
  const auto token = bearer_token(header);
  if (!token || !secure_equals(*token, context.secrets.admin_token)) {
    throw ApiError(ErrorCode::unauthorized, "wrong admin token");
  }
}

// ---- Routes ------------------------------------------------------------------------

Routes::Handler Routes::wrap(const char* label, Access access, Handler handler) {
  // Captures the context, not this: Routes is only a registration helper.
  return
      [&context = context_, label, access, handler = std::move(handler)](const Request& request, Response& response) {
        request_state.route = label;
        forget_ranges(request);
        answer(context, response, [&] {
          if (access == Access::admin) require_admin(context, request);
          handler(request, response);
        });
      };
}

void Routes::get(const char* label, const char* regex, Access access, Handler handler) {
  server_.Get(regex, wrap(label, access, std::move(handler)));
}
void Routes::post(const char* label, const char* regex, Access access, Handler handler) {
  server_.Post(regex, wrap(label, access, std::move(handler)));
}
void Routes::put(const char* label, const char* regex, Access access, Handler handler) {
  server_.Put(regex, wrap(label, access, std::move(handler)));
}
void Routes::patch(const char* label, const char* regex, Access access, Handler handler) {
  server_.Patch(regex, wrap(label, access, std::move(handler)));
}
void Routes::del(const char* label, const char* regex, Access access, Handler handler) {
  server_.Delete(regex, wrap(label, access, std::move(handler)));
}

void Routes::put_streaming(const char* label, const char* regex, Access access, ReaderHandler handler) {
  server_.Put(regex, [&context = context_, label, access, handler = std::move(handler)](
                         const Request& request, Response& response, const httplib::ContentReader& reader) {
    request_state.route = label;
    forget_ranges(request);
    answer(context, response, [&] {
      if (access == Access::admin) require_admin(context, request);
      handler(request, response, reader);
    });
  });
}

// ---- AdminServer ---------------------------------------------------------------------

namespace {

// A decoded path may hold anything: no line breaks or escapes into the log.
std::string printable(const std::string& text) {
  std::string out = text.substr(0, 512);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '?';
  }
  return out;
}

bool is_media_path(const std::string& path) { return path == "/v1/media" || path.rfind("/v1/media/", 0) == 0; }

// The media routes (media_routes.cpp): the upload streams its body and bounds
// it itself; a download (GET, and HEAD) has no body httplib would read.
bool is_media_upload(const Request& request) { return request.method == "PUT" && request.path == "/v1/media"; }
bool is_media_download(const Request& request) {
  return (request.method == "GET" || request.method == "HEAD") && request.path.rfind("/v1/media/", 0) == 0;
}

// Answers before a byte of the body is read; a body that follows is not
// read at all, so the connection closes after the answer.
void refuse_before_body(const Request& request, Response& response, const ApiError& error) {
  forget_ranges(request);
  const bool has_body =
      request.has_header("Transfer-Encoding") ||
      (request.has_header("Content-Length") && request.get_header_value<std::uint64_t>("Content-Length") > 0);
  if (has_body) {
    send_error_and_close(response, error);
  } else {
    send_error(response, error);
  }
}

void register_operations(Routes& routes, Context& context) {
  routes.get("/healthz", "/healthz", Access::open, [&context](const Request&, Response& response) {
    try {
      auto store = context.pool.acquire();
      const auto status = store->schema_status();
      if (!status.up_to_date()) {
        send_json(response, 503,
                  {{"status", "degraded"},
                   {"database", "ok"},
                   {"schema", "version " + std::to_string(status.current_version) + ", this build needs " +
                                  std::to_string(status.latest_version)}});
        return;
      }
      send_json(response, 200, {{"status", "ok"}, {"database", "ok"}});
    } catch (const std::exception& error) {
      send_json(response, 503, {{"status", "degraded"}, {"database", "unreachable"}});
    }
  });
  routes.get("/metrics", "/metrics", Access::open, [&context](const Request&, Response& response) {
    Metrics::Gauges gauges;
    try {
      auto store = context.pool.acquire();
      const auto totals = store->media().totals();
      gauges.media_bytes_stored = totals.bytes;
      gauges.media_blobs_stored = totals.blobs;
    } catch (const std::exception&) {
      // Counters still answer while the database is away.
    }
    response.status = 200;
    response.set_content(context.metrics.render(gauges), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace

AdminServer::AdminServer(Context& context) : context_(context), server_(std::make_unique<httplib::Server>()) {
  httplib::Server& server = *server_;
  const auto threads = static_cast<std::size_t>(context_.config.http_threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Streamed uploads are limited per kind by the media handler; this bound
  // only has to let the largest through (plus what is drained after a 413).
  server.set_payload_max_length(static_cast<std::size_t>(context_.limits.largest()) + (8u << 20));

  server.set_pre_routing_handler([this](const Request& request, Response& response) {
    request_state = RequestState{std::chrono::steady_clock::now(), nullptr};
    if (is_media_upload(request) || is_media_download(request)) return httplib::Server::HandlerResponse::Unhandled;
    if (is_media_path(request.path)) {
      // No media route takes this method. httplib would read the whole body
      // (up to the largest upload) into memory before its 404: refused
      // unread instead, 401 without credentials as every media request.
      refuse_before_body(
          request, response,
          request.has_header("Authorization")
              ? not_found("no such route: " + request.method + " " + request.path)
              : ApiError(ErrorCode::unauthorized, "sign in: Authorization: Bearer <sign-in token> or Basic"));
      return httplib::Server::HandlerResponse::Handled;
    }
    // Admin bodies are read into memory before a handler runs: bound them
    // before a byte is read.
    const auto max = static_cast<std::uint64_t>(context_.config.max_json_body_bytes);
    if (request.has_header("Transfer-Encoding")) {
      forget_ranges(request);
      send_error_and_close(response, bad_request("body",
                                                 "chunked request bodies are not accepted here; "
                                                 "send Content-Length"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (request.has_header("Content-Length") && request.get_header_value<std::uint64_t>("Content-Length") > max) {
      forget_ranges(request);
      send_error_and_close(
          response, ApiError(ErrorCode::too_large, "the request body exceeds " + std::to_string(max) + " bytes"));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // A client that waits for "100 Continue" before sending a body learns of
  // an oversized or unauthenticated upload before it sends a byte.
  server.set_expect_100_continue_handler([this](const Request& request, Response& response) {
    const bool has_length = request.has_header("Content-Length");
    const auto length = has_length ? request.get_header_value<std::uint64_t>("Content-Length") : 0;
    if (is_media_path(request.path)) {
      if (length > context_.limits.largest()) {
        send_error(response, ApiError(ErrorCode::too_large, "an upload may be at most " +
                                                                std::to_string(context_.limits.largest()) + " bytes"));
        return 413;
      }
      if (!request.has_header("Authorization")) {
        send_error(response,
                   ApiError(ErrorCode::unauthorized, "sign in: Authorization: Bearer <sign-in token> or Basic"));
        return 401;
      }
    } else if (length > static_cast<std::uint64_t>(context_.config.max_json_body_bytes)) {
      send_error(response, ApiError(ErrorCode::too_large, "the request body is too large"));
      return 413;
    }
    return 100;
  });

  // Answers httplib makes itself (no route, a malformed request) become JSON
  // errors too; answers that already have a body are left alone.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const Request& request, Response& response) {
    if (!response.body.empty() || response.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    forget_ranges(request);
    ErrorCode code = ErrorCode::bad_request;
    std::string message = "bad request";
    switch (response.status) {
      case 404:
        code = ErrorCode::not_found;
        message = "no such route: " + request.method + " " + request.path;
        break;
      case 413:
        code = ErrorCode::too_large;
        message = "the request body is too large";
        break;
      case 416:
        code = ErrorCode::range_not_satisfiable;
        message = "malformed Range header";
        break;
      case 500:
        code = ErrorCode::internal;
        message = "internal error";
        break;
      default:
        break;
    }
    const int status = response.status;
    response.set_content(ApiError(code, message).to_json(), "application/json");
    response.status = status;
    return httplib::Server::HandlerResponse::Handled;
  }));

  server.set_exception_handler([this](const Request&, Response& response, const std::exception_ptr&) {
    context_.log.error("a handler threw past its guard");
    send_error(response, ApiError(ErrorCode::internal, "internal error"));
  });

  server.set_logger([this](const Request& request, const Response& response) {
    const RequestState state = request_state;
    request_state = RequestState{};
    const double seconds = state.start == std::chrono::steady_clock::time_point{}
                               ? 0.0
                               : std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
    const char* route = state.route != nullptr ? state.route : "(unmatched)";
    context_.metrics.observe_request(request.method, route, response.status, seconds);
    if (context_.config.log_requests) {
      // The path only: no query string (search prefixes are personal data)
      // and never a header (the tokens are there).
      context_.log.info(request.method + " " + printable(request.path) + " " + std::to_string(response.status) + " " +
                        std::to_string(static_cast<long long>(seconds * 1000.0)) + "ms");
    }
  });

  Routes routes(server, context_);
  register_operations(routes, context_);
  register_admin_routes(routes, context_);
  register_media_routes(routes, context_);
  register_user_routes(routes, context_);
  register_web_app(server, routes, context_);
}

AdminServer::~AdminServer() { stop(); }

int AdminServer::bind() {
  if (context_.config.port == 0) {
    const int port = server_->bind_to_any_port(context_.config.bind);
    if (port <= 0) throw std::runtime_error("cannot listen on " + context_.config.bind);
    return port;
  }
  if (!server_->bind_to_port(context_.config.bind, context_.config.port)) {
    throw std::runtime_error("cannot listen on " + context_.config.bind + ":" + std::to_string(context_.config.port));
  }
  return context_.config.port;
}

void AdminServer::serve() { server_->listen_after_bind(); }

void AdminServer::stop() {
  if (server_->is_running()) server_->stop();
}

}  // namespace chat::admin
