#include "request_load.hpp"

#include "chat/loadgen/catch_up.hpp"
#include "chat/protocol/topics.hpp"
#include "mqtt_client.hpp"
#include "scenarios.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace chat::loadgen {
namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
}

// One line from fd (without the newline); empty at EOF.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return line;
    line += c;
  }
}

// The child's side: a device of the reader asking for history.
class LoadDevice final : public Listener {
 public:
  explicit LoadDevice(const RequestLoadSpec& spec)
      : spec_(spec), client_(*this, 0, spec.uri, std::to_string(spec.uid) + ":load", spec.mqtt_version, 100000) {}

  void connect_done(std::uint32_t, bool ok, std::string_view) override { set_state(ok ? 1 : -1); }
  void subscribe_done(std::uint32_t, bool ok) override { set_state(ok ? 2 : -1); }
  void message(std::uint32_t, std::string_view, std::string_view payload) override {
    const auto now = now_us();
    const auto id = CatchUp::answer_id(payload);
    std::lock_guard lock(mu_);
    if (!id) return;
    const auto it = sent_at_.find(*id);
    if (it == sent_at_.end()) return;
    result_.latency_us.record(now - it->second);
    sent_at_.erase(it);
    ++result_.answered;
    if (payload.find(R"("ok":true)") == std::string_view::npos) ++result_.failed;
    cv_.notify_all();
  }

  bool connect() {
    ConnectSettings settings;
    settings.auto_reconnect = false;
    settings.username = spec_.username;
    settings.password = spec_.token;
    if (client_.connect(settings) != kMqttOk || !wait_state(1)) return false;
    return client_.subscribe({protocol::response_topic(static_cast<protocol::Id>(spec_.uid), "load")}, 1) == kMqttOk &&
           wait_state(2);
  }

  // Sends at the rate until `stop_fd` reaches EOF.
  void run(int stop_fd) {
    const std::string topic = protocol::request_topic(static_cast<protocol::Id>(spec_.uid), "load");
    const auto pause = std::chrono::duration<double>(1.0 / spec_.rate);
    auto next = std::chrono::steady_clock::now();
    for (std::uint64_t k = 0;; ++k) {
      const std::string id = "h" + std::to_string(k);
      const auto payload =
          nlohmann::json{
              {"id", id}, {"op", "history"}, {"args", {{"chat", spec_.chats[k % spec_.chats.size()]}, {"limit", 200}}}}
              .dump();
      {
        std::lock_guard lock(mu_);
        sent_at_[id] = now_us();
        ++result_.sent;
      }
      (void)client_.publish(topic, payload, 1, 0, false);
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(pause);
      const auto wait_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now());
      pollfd stop{stop_fd, POLLIN, 0};
      if (::poll(&stop, 1, static_cast<int>(std::max<std::int64_t>(wait_ms.count(), 0))) > 0) break;
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return sent_at_.empty(); });
  }

  std::string result_line() {
    std::lock_guard lock(mu_);
    return std::to_string(result_.sent) + " " + std::to_string(result_.answered) + " " +
           std::to_string(result_.failed) + " " + result_.latency_us.encode() + "\n";
  }

 private:
  void set_state(int s) {
    std::lock_guard lock(mu_);
    state_ = s;
    cv_.notify_all();
  }
  bool wait_state(int wanted) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::duration<double>(spec_.connect_timeout_s),
                 [&] { return state_ == wanted || state_ < 0; });
    return state_ == wanted;
  }

  const RequestLoadSpec& spec_;
  MqttClient client_;
  std::mutex mu_;
  std::condition_variable cv_;
  int state_ = 0;
  std::map<std::string, std::uint64_t> sent_at_;
  RequestLoadResult result_;
};

[[noreturn]] void child_main(const RequestLoadSpec& spec, int from_parent, int to_parent) {
  int code = 1;
  {
    LoadDevice device(spec);
    if (device.connect()) {
      write_all(to_parent, "ready\n");
      char go = 0;
      if (::read(from_parent, &go, 1) == 1) {  // start (EOF here: the parent gave up)
        device.run(from_parent);
        write_all(to_parent, device.result_line());
        code = 0;
      }
    } else {
      write_all(to_parent, "failed\n");
    }
  }
  ::_exit(code);
}

}  // namespace

RequestLoad::RequestLoad(const RequestLoadSpec& spec) {
  int down[2];
  int up[2];
  if (pipe2(down, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(up, O_CLOEXEC) != 0) {
    ::close(down[0]);
    ::close(down[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  pid_ = fork();
  if (pid_ == 0) {
    ::close(down[1]);
    ::close(up[0]);
    child_main(spec, down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  to_child_ = down[1];
  from_child_ = up[0];
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
}

RequestLoad::~RequestLoad() {
  if (to_child_ >= 0) ::close(to_child_);
  if (from_child_ >= 0) ::close(from_child_);
  if (pid_ > 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool RequestLoad::start() {
  if (read_line(from_child_) != "ready") return false;
  write_all(to_child_, "g");
  return true;
}

RequestLoadResult RequestLoad::finish() {
  ::close(to_child_);  // EOF: stop
  to_child_ = -1;
  RequestLoadResult result;
  std::istringstream line(read_line(from_child_));
  line >> result.sent >> result.answered >> result.failed;
  std::string histogram;
  std::getline(line >> std::ws, histogram);
  result.latency_us.decode(histogram);
  return result;
}

}  // namespace chat::loadgen
