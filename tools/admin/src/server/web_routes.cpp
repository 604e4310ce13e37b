// /app: the web chat app (web/, docs/web.md), static files from the built
// bundle (web_dir), and /app/config.json, which tells the app where the
// MQTT-over-WebSocket gateway listens (web_mqtt_url). The app is served by
// the same origin as /v1/signin and /v1/media, so it needs no CORS.
#include "server.hpp"

#include <httplib.h>

#include <stdexcept>

namespace chat::admin {

void register_web_app(httplib::Server& server, Routes& routes, Context& context) {
  if (context.config.web_dir.empty()) return;
  // Scripts, styles and images from this origin only; the MQTT connection is a
  // WebSocket to the gateway (another port), images of chats are blob: URLs
  // made from authenticated fetches of /v1/media. MQTT.js runs its keep-alive
  // timer in a worker made from a blob: URL (timers of background tabs are
  // throttled; a worker's are not).
  const httplib::Headers headers{
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self'; "
       "img-src 'self' blob: data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      // A rebuilt bundle is picked up on the next load.
      {"Cache-Control", "no-cache"},
  };
  if (!server.set_mount_point("/app", context.config.web_dir, headers)) {
    throw std::runtime_error("web_dir " + context.config.web_dir + " is not a directory (build the web app: web/)");
  }
  const std::string mqtt_url = context.config.web_mqtt_url;
  routes.get("/app/config.json", "/app/config.json", Access::open, [mqtt_url](const Request&, Response& response) {
    response.set_header("Cache-Control", "no-cache");
    send_json(response, 200, {{"mqtt_url", mqtt_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(mqtt_url)}});
  });
}

}  // namespace chat::admin
