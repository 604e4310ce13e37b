/* The libwebsockets side of the library comparison (README.md here): a
 * WebSocket server that sends every binary message back, with the same flow
 * control as chat-gateway's pipe (stop reading while a write is pending).
 *
 *   chat-lws-echo PORT */
#include <libwebsockets.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxMessage = 65536 };

struct connection {
  unsigned char buffer[LWS_PRE + kMaxMessage];
  size_t length;
  int pending;
};

static volatile sig_atomic_t stopping;

static void on_signal(int signo) {
  (void)signo;
  stopping = 1;
}

static int callback(struct lws* wsi, enum lws_callback_reasons reason, void* user, void* in, size_t length) {
  struct connection* c = (struct connection*)user;
  switch (reason) {
    case LWS_CALLBACK_RECEIVE:
      if (lws_is_first_fragment(wsi)) c->length = 0;
      if (c->length + length > kMaxMessage) return -1;
      memcpy(c->buffer + LWS_PRE + c->length, in, length);
      c->length += length;
      if (lws_is_final_fragment(wsi)) {
        c->pending = 1;
        lws_rx_flow_control(wsi, 0);
        lws_callback_on_writable(wsi);
      }
      break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (!c->pending) break;
      if (lws_write(wsi, c->buffer + LWS_PRE, c->length, LWS_WRITE_BINARY) < (int)c->length) return -1;
      c->pending = 0;
      lws_rx_flow_control(wsi, 1);
      break;
    default:
      break;
  }
  return 0;
}

static const struct lws_protocols protocols[] = {
    {"mqtt", callback, sizeof(struct connection), kMaxMessage, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = atoi(argv[1]);
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  lws_set_log_level(LLL_ERR, NULL);
  struct lws_context* context = lws_create_context(&info);
  if (context == NULL) return 1;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  while (!stopping && lws_service(context, 0) >= 0) {
  }
  lws_context_destroy(context);
  return 0;
}
