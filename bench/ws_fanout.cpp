// Subscription fan-out load client (issue 5 benchmark), in C++ so the client does
// not starve the server of the machine's two cores: one epoll thread holds N
// graphql-transport-ws connections over raw sockets (RFC 6455 framing, masked
// client frames, pongs to the server's keep-alive pings), each subscribed to
// nodeUpdated on the project's @manual file; a second thread issues updateNode
// mutations at RATE per second over one keep-alive HTTP connection, each carrying
// its wall-clock send time in the node's signature. Every event received is
// counted and its commit -> receipt delay taken from that stamp. The updates go
// round NODES manual nodes (default 100): every event is news to every subscriber,
// so the server's per-subscriber coalescing (a node's newer state replacing an
// unsent older one) does not thin the stream; NODES=1 shows it doing so.
//
// Usage: cg_bench_fanout HOST PORT TOKEN PROJECT SERVER_PID [CONNECTIONS RATE SECONDS]
// Prints one human line per figure, then one JSON line with all of them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

double wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "cg_bench_fanout: %s (%s)\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

int dial(const char* host, int port, bool nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 && errno != EINPROGRESS) die("connect");
  return fd;
}

// One client frame: FIN, the opcode, masked (a client must mask; a zero key keeps it cheap).
std::string frame(int opcode, const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  f.append(4, '\0');
  f += payload;
  return f;
}

void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    if (n <= 0) die("send");
    off += static_cast<size_t>(n);
  }
}

// A blocking keep-alive HTTP/1.1 client for the mutations.
struct http_conn {
  int fd;
  std::string host_hdr, token, buf;
  std::string post(const std::string& path, const std::string& body) {
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: " + host_hdr + "\r\nAuthorization: Bearer " + token +
                      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
    send_all(fd, req);
    for (;;) {
      auto he = buf.find("\r\n\r\n");
      if (he != std::string::npos) {
        auto cl = buf.find("Content-Length: ");
        if (cl == std::string::npos || cl > he) cl = buf.find("content-length: ");
        size_t len = cl != std::string::npos && cl < he ? std::strtoul(buf.c_str() + cl + 16, nullptr, 10) : 0;
        if (buf.size() >= he + 4 + len) {
          std::string out = buf.substr(he + 4, len);
          buf.erase(0, he + 4 + len);
          return out;
        }
      }
      char tmp[65536];
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) die("http recv");
      buf.append(tmp, static_cast<size_t>(n));
    }
  }
};

std::string json_str(const std::string& s, const std::string& key) {
  auto k = s.find("\"" + key + "\":\"");
  if (k == std::string::npos) return {};
  k += key.size() + 4;
  return s.substr(k, s.find('"', k) - k);
}

enum class phase { handshake, init, ready };

struct conn {
  int fd = -1;
  phase ph = phase::handshake;
  std::string in;
};

long rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

double cpu_s(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  std::istringstream rest(s.substr(s.rfind(')') + 2));
  std::string tok;
  double t = 0;
  for (int i = 0; i < 13 && rest >> tok; ++i)
    if (i >= 11) t += std::strtod(tok.c_str(), nullptr);
  return t / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s HOST PORT TOKEN PROJECT SERVER_PID [CONNECTIONS RATE SECONDS]\n", argv[0]);
    return 2;
  }
  const char* host = argv[1];
  int port = std::atoi(argv[2]);
  std::string token = argv[3], project = argv[4];
  int server_pid = std::atoi(argv[5]);
  int n_conns = argc > 6 ? std::atoi(argv[6]) : 10000;
  double rate = argc > 7 ? std::atof(argv[7]) : 10;
  double seconds = argc > 8 ? std::atof(argv[8]) : 10;
  std::string host_hdr = std::string(host) + ":" + std::to_string(port);

  http_conn http{dial(host, port, false), host_hdr, token, {}};
  auto made = http.post("/graphql", R"({"query":"mutation { createNode(project: \")" + project +
                                        R"(\", input: {nodeType: FUNCTION, name: \"benchTicker\"}) { id } }"})");
  std::vector<std::string> node_ids{json_str(made, "id")};
  int n_nodes = std::getenv("NODES") ? std::max(1, std::atoi(std::getenv("NODES"))) : 100;
  while (static_cast<int>(node_ids.size()) < n_nodes && !node_ids.back().empty())
    node_ids.push_back(
        json_str(http.post("/graphql", R"({"query":"mutation { createNode(project: \")" + project +
                                           R"(\", input: {nodeType: FUNCTION, name: \"benchTicker\"}) { id } }"})"),
                 "id"));
  if (node_ids.back().empty()) {
    std::fprintf(stderr, "createNode failed: %s\n", made.c_str());
    return 1;
  }

  const std::string upgrade = "GET /graphql HTTP/1.1\r\nHost: " + host_hdr +
                              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                              "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: "
                              "graphql-transport-ws\r\n\r\n";
  const std::string init =
      frame(1, R"({"type":"connection_init","payload":{"authorization":"Bearer )" + token + "\"}}");
  const std::string sub_query = R"(subscription { nodeUpdated(project: \")" + project +
                                R"(\", filePath: \"@manual\", nodeType: [FUNCTION]) { node { id signature } } })";

  int ep = epoll_create1(0);
  std::vector<conn> conns(static_cast<size_t>(n_conns));
  std::atomic<long> delivered{0};
  std::atomic<bool> recording{false}, stop{false};
  std::vector<double> delays;
  delays.reserve(static_cast<size_t>(rate * seconds * n_conns) + 1024);
  int ready = 0;

  auto on_message = [&](conn& c, size_t idx, const char* p, size_t n) {
    std::string_view m(p, n);
    if (c.ph == phase::init) {
      if (m.find("connection_ack") == std::string_view::npos) die("no connection_ack: " + std::string(m));
      c.ph = phase::ready;
      ++ready;
      send_all(c.fd, frame(1, R"({"id":")" + std::to_string(idx) + R"(","type":"subscribe","payload":{"query":")" +
                                  sub_query + "\"}}"));
      return;
    }
    if (m.find("\"type\":\"next\"") == std::string_view::npos) {
      std::fprintf(stderr, "unexpected message: %.*s\n", static_cast<int>(n), p);
      return;
    }
    delivered.fetch_add(1, std::memory_order_relaxed);
    if (!recording.load(std::memory_order_relaxed)) return;
    auto k = m.find("\"signature\":\"");
    if (k != std::string_view::npos) delays.push_back(wall_ms() - std::strtod(p + k + 13, nullptr));
  };

  // Frames out of c.in; false when the server closed the connection.
  auto drain = [&](conn& c, size_t idx) {
    size_t off = 0;
    for (;;) {
      if (c.ph == phase::handshake) {
        auto he = c.in.find("\r\n\r\n");
        if (he == std::string::npos) break;
        if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) die("upgrade refused: " + c.in.substr(0, he));
        off = he + 4;
        c.ph = phase::init;
        send_all(c.fd, init);
        continue;
      }
      const auto* b = reinterpret_cast<const unsigned char*>(c.in.data() + off);
      size_t avail = c.in.size() - off;
      if (avail < 2) break;
      int opcode = b[0] & 0x0f;
      size_t len = b[1] & 0x7f, hdr = 2;
      if (len == 126) {
        if (avail < 4) break;
        len = (size_t{b[2]} << 8) | b[3];
        hdr = 4;
      } else if (len == 127) {
        if (avail < 10) break;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
        hdr = 10;
      }
      if (avail < hdr + len) break;
      const char* payload = c.in.data() + off + hdr;
      if (opcode == 1)
        on_message(c, idx, payload, len);
      else if (opcode == 9)
        send_all(c.fd, frame(10, std::string(payload, len)));
      else if (opcode == 8) {
        std::fprintf(stderr, "connection %zu closed by the server\n", idx);
        return false;
      }
      off += hdr + len;
    }
    c.in.erase(0, off);
    return true;
  };

  std::thread reader([&] {
    std::vector<epoll_event> evs(1024);
    char buf[1 << 16];
    while (!stop.load()) {
      int k = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
      for (int e = 0; e < k; ++e) {
        auto idx = static_cast<size_t>(evs[static_cast<size_t>(e)].data.u64);
        conn& c = conns[idx];
        for (;;) {
          ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.append(buf, static_cast<size_t>(r));
            if (static_cast<size_t>(r) < sizeof buf) break;
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
          epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
          break;
        }
        if (!drain(c, idx)) epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
      }
    }
  });

  long rss0 = rss_kb(server_pid);
  auto t_open = std::chrono::steady_clock::now();
  const int batch = 500;
  for (int i = 0; i < n_conns; i += batch) {
    for (int j = i; j < std::min(n_conns, i + batch); ++j) {
      conn& c = conns[static_cast<size_t>(j)];
      c.fd = dial(host, port, true);
      pollfd pw{c.fd, POLLOUT, 0};  // connected
      if (poll(&pw, 1, 5000) != 1) die("connect to the server timed out");
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &el);
      if (err) die("connect to the server");
      send_all(c.fd, upgrade);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = static_cast<uint64_t>(j);
      epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ready < std::min(n_conns, i + batch) && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double open_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_open).count();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // subscriptions settle
  long rss1 = rss_kb(server_pid);
  int held = ready;
  double per_conn_kb = held ? static_cast<double>(rss1 - rss0) / held : 0;
  std::printf(
      "fan-out: %d of %d connections subscribed in %.1f s; server RSS %ld -> %ld MiB: %.1f KB per idle subscribed "
      "connection (target <= 20 KB)\n",
      held, n_conns, open_s, rss0 / 1024, rss1 / 1024, per_conn_kb);
  std::fflush(stdout);

  delivered = 0;
  recording = true;
  double cpu0 = cpu_s(server_pid);
  rusage ru0{};
  getrusage(RUSAGE_SELF, &ru0);
  auto start = std::chrono::steady_clock::now();
  long sent = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(sent) / rate));
    std::this_thread::sleep_until(due);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%.3f", wall_ms());
    const auto& node_id = node_ids[static_cast<size_t>(sent) % node_ids.size()];
    auto r = http.post("/graphql", R"({"query":"mutation { updateNode(project: \")" + project + R"(\", id: \")" +
                                       node_id + R"(\", input: {signature: \")" + stamp + R"(\"}) { id } }"})");
    if (r.find("\"errors\"") != std::string::npos) std::fprintf(stderr, "mutation failed: %s\n", r.c_str());
    ++sent;
  }
  double changes_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Wait for the tail: until every expected event is in, or 5 s.
  long expected = sent * held;
  auto tail_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (delivered.load() < expected && std::chrono::steady_clock::now() < tail_until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_s(server_pid) - cpu0;
  rusage ru1{};
  getrusage(RUSAGE_SELF, &ru1);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  double client_cpu = tv(ru1.ru_utime) + tv(ru1.ru_stime) - tv(ru0.ru_utime) - tv(ru0.ru_stime);
  stop = true;
  reader.join();
  long got = delivered.load();
  double eps = static_cast<double>(got) / total_s;
  std::printf(
      "fan-out: %ld changes in %.1f s x %d subscribers: %ld of %ld events delivered (%.1f%%), %.0f/s (target >= "
      "100000/s); commit -> receipt p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= 50 ms); server CPU %.1f s in "
      "%.1f s (%.0f%% of one core), load client %.0f%%\n",
      sent, changes_s, held, got, expected,
      expected ? 100.0 * static_cast<double>(got) / static_cast<double>(expected) : 0.0, eps, pct(delays, 0.5),
      pct(delays, 0.99), delays.empty() ? 0.0 : *std::max_element(delays.begin(), delays.end()), cpu, total_s,
      100 * cpu / total_s, 100 * client_cpu / total_s);
  std::printf(
      "{\"connections\":%d,\"kb_per_idle_connection\":%.1f,\"changes\":%ld,\"events_delivered\":%ld,\"events_"
      "expected\":%ld,"
      "\"events_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"server_cpu_pct\":%.0f,\"server_rss_mb\":%.1f}\n",
      held, per_conn_kb, sent, got, expected, eps, pct(delays, 0.5), pct(delays, 0.99), 100 * cpu / total_s,
      static_cast<double>(rss_kb(server_pid)) / 1024);
  for (const auto& id : node_ids)
    http.post("/graphql",
              R"({"query":"mutation { deleteNode(project: \")" + project + R"(\", id: \")" + id + R"(\") }"})");
  for (auto& c : conns)
    if (c.fd >= 0) close(c.fd);
  return 0;
}
