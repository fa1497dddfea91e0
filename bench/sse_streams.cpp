// Load tool for scenario config_stream (bench/http_config_stream.sh): holds N
// config streams (GET /v1/client/config/stream) open on 127.0.0.1 and, with
// --writes, changes a config key W times through the admin API and measures,
// per stream and write, the time from sending the write to receiving its
// event (so the write's own commit is included). One thread and epoll, so the tool's own cost per event is a few
// microseconds. Not a test: it prints one JSON line of figures.
//
//   sse_streams --port P --key CLIENT_KEY --streams N
//               [--owner-key KEY --project ID --writes W --gap-ms 300]
//               [--ready-file F --hold-seconds S]
//
// --ready-file: written once every stream has its first event; the tool then
// keeps the streams open (reading heartbeats) for --hold-seconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 0;
  std::string key, owner_key, project, ready_file;
  int streams = 100, writes = 0, gap_ms = 300, hold_seconds = 0;
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "sse_streams: %s\n", why.c_str());
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--port") o.port = std::stoi(value);
    else if (name == "--key") o.key = value;
    else if (name == "--streams") o.streams = std::stoi(value);
    else if (name == "--owner-key") o.owner_key = value;
    else if (name == "--project") o.project = value;
    else if (name == "--writes") o.writes = std::stoi(value);
    else if (name == "--gap-ms") o.gap_ms = std::stoi(value);
    else if (name == "--ready-file") o.ready_file = value;
    else if (name == "--hold-seconds") o.hold_seconds = std::stoi(value);
    else die("unknown option " + name);
  }
  if (!o.port || o.key.empty()) die("--port and --key are required");
  if (o.writes && (o.owner_key.empty() || o.project.empty())) die("--writes needs --owner-key and --project");
  return o;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die(std::string("connect: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) die(std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
}

/// One stream: counts the config events it received (a marker search that
/// survives a marker split across reads).
struct Stream {
  int fd = -1;
  int events = 0;
  std::string tail;
  Clock::time_point last_event;
};

constexpr std::string_view kMarker = "event: config\n";

void count_events(Stream& s, const char* data, std::size_t n) {
  std::string text = s.tail;
  text.append(data, n);
  for (std::size_t at = text.find(kMarker); at != std::string::npos; at = text.find(kMarker, at + kMarker.size())) {
    ++s.events;
    s.last_event = Clock::now();
  }
  s.tail = text.size() > kMarker.size() ? text.substr(text.size() - kMarker.size() + 1) : text;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class Streams {
 public:
  explicit Streams(const Options& o) : o_(o), epoll_(::epoll_create1(0)) {}

  void open_all() {
    streams_.resize(static_cast<std::size_t>(o_.streams));
    for (std::size_t i = 0; i < streams_.size(); ++i) {
      // A user of its own per stream, as apps send: each evaluates apart (percentage rollouts).
      streams_[i].fd = connect_to(o_.port);
      send_all(streams_[i].fd, "GET /v1/client/config/stream?platform=ios&user_id=user-" + std::to_string(i) +
                                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + o_.key +
                                   "\r\nAccept: text/event-stream\r\n\r\n");
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, streams_[i].fd, &ev);
      if (i % 500 == 499) poll_for(std::chrono::milliseconds(0));  // take first events as they come
    }
    wait_until_all_have(1, Clock::now() + std::chrono::seconds(120));
  }

  /// Reads whatever arrives for `limit`.
  void poll_for(Clock::duration limit) {
    auto until = Clock::now() + limit;
    do {
      epoll_event ready[256];
      int left = static_cast<int>(std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count()));
      int n = ::epoll_wait(epoll_, ready, 256, left);
      for (int i = 0; i < n; ++i) read_one(streams_[ready[i].data.u64]);
    } while (Clock::now() < until);
  }

  /// Waits until every stream has `count` events; returns each stream's arrival time of it.
  std::vector<Clock::time_point> wait_until_all_have(int count, Clock::time_point deadline) {
    std::vector<Clock::time_point> arrived(streams_.size());
    std::size_t done = 0;
    std::vector<bool> seen(streams_.size(), false);
    auto mark = [&](std::size_t i) {
      if (!seen[i] && streams_[i].events >= count) {
        seen[i] = true;
        arrived[i] = streams_[i].last_event;
        ++done;
      }
    };
    for (std::size_t i = 0; i < streams_.size(); ++i) mark(i);
    while (done < streams_.size()) {
      if (Clock::now() > deadline)
        die("only " + std::to_string(done) + " of " + std::to_string(streams_.size()) + " streams got event " +
            std::to_string(count));
      epoll_event ready[256];
      int n = ::epoll_wait(epoll_, ready, 256, 100);
      for (int i = 0; i < n; ++i) {
        read_one(streams_[ready[i].data.u64]);
        mark(ready[i].data.u64);
      }
    }
    return arrived;
  }

 private:
  void read_one(Stream& s) {
    char buf[65536];
    auto n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n <= 0) die("a stream was closed by the server");
    count_events(s, buf, static_cast<std::size_t>(n));
  }

  const Options& o_;
  int epoll_;
  std::vector<Stream> streams_;
};

/// POST .../config on a kept-alive connection.
void send_write(int fd, const Options& o, int i) {
  std::string body = R"({"key": "bench_live", "value": "value )" + std::to_string(i) + R"("})";
  send_all(fd, "POST /v1/admin/projects/" + o.project + "/config HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   o.owner_key + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\n\r\n" + body);
}

/// Reads the write's answer (after its events: the tool has one thread, and
/// an event must not wait behind it).
void read_answer(int fd) {
  std::string answer;
  char buf[8192];
  while (true) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) die("the admin connection closed");
    answer.append(buf, static_cast<std::size_t>(n));
    auto head_end = answer.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    if (answer.compare(0, 12, "HTTP/1.1 201") != 0 && answer.compare(0, 12, "HTTP/1.1 200") != 0)
      die("the write answered " + answer.substr(0, answer.find("\r\n")));
    auto at = answer.find("Content-Length: ");
    if (at == std::string::npos) at = answer.find("content-length: ");
    std::size_t length = at == std::string::npos ? 0 : std::stoul(answer.substr(at + 16));
    if (answer.size() >= head_end + 4 + length) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  Streams streams(o);
  auto began = Clock::now();
  streams.open_all();
  double open_ms = ms(Clock::now() - began);

  if (!o.ready_file.empty()) {
    std::ofstream(o.ready_file) << "ready\n";
    streams.poll_for(std::chrono::seconds(o.hold_seconds));
  }

  std::vector<double> delays;
  if (o.writes) {
    int admin = connect_to(o.port);
    for (int i = 1; i <= o.writes; ++i) {
      auto sent = Clock::now();
      send_write(admin, o, i);
      for (auto& at : streams.wait_until_all_have(1 + i, Clock::now() + std::chrono::seconds(30)))
        delays.push_back(ms(at - sent));
      read_answer(admin);
      streams.poll_for(std::chrono::milliseconds(o.gap_ms));
    }
    ::close(admin);
  }
  std::printf(
      "{\"streams\": %d, \"open_ms\": %.0f, \"writes\": %d, \"event_p50_ms\": %.2f, \"event_p99_ms\": %.2f, "
      "\"event_max_ms\": %.2f}\n",
      o.streams, open_ms, o.writes, percentile(delays, 0.5), percentile(delays, 0.99),
      delays.empty() ? 0.0 : *std::max_element(delays.begin(), delays.end()));
  return 0;
}
