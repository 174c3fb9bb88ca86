#include "tests/support/loopback_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace cg::test {

tls_files make_self_signed(const std::string& dir) {
  tls_files f{dir + "/cert.pem", dir + "/key.pem"};
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (!key) throw std::runtime_error("cannot make an RSA key");
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(x, bc, -1);
  X509_EXTENSION_free(bc);
  X509_sign(x, key, EVP_sha256());
  FILE* c = std::fopen(f.cert.c_str(), "w");
  FILE* k = std::fopen(f.key.c_str(), "w");
  if (!c || !k) throw std::runtime_error("cannot write the certificate files in " + dir);
  PEM_write_X509(c, x);
  PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(c);
  std::fclose(k);
  X509_free(x);
  EVP_PKEY_free(key);
  return f;
}

struct loopback_http_server::impl {
  handler fn;
  int listen_fd = -1;
  SSL_CTX* ssl_ctx = nullptr;
  std::atomic<bool> stop{false};
  std::thread acceptor;
  std::mutex mu;
  std::vector<std::thread> workers;
  std::atomic<size_t>* count = nullptr;

  // Reads and writes through TLS when it is on.
  struct conn {
    int fd;
    SSL* ssl;
    long read(char* buf, size_t n) { return ssl ? SSL_read(ssl, buf, static_cast<int>(n)) : ::read(fd, buf, n); }
    bool write(const std::string& s) {
      size_t off = 0;
      while (off < s.size()) {
        long w = ssl ? SSL_write(ssl, s.data() + off, static_cast<int>(s.size() - off))
                     : ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (w <= 0) return false;
        off += static_cast<size_t>(w);
      }
      return true;
    }
  };

  static std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  bool read_request(conn& c, loopback_request& rq) {
    std::string data;
    char buf[4096];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      long n = c.read(buf, sizeof buf);
      if (n <= 0) return false;
      data.append(buf, static_cast<size_t>(n));
    }
    std::string head = data.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    rq.method = first.substr(0, sp1);
    rq.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        rq.headers[lower(line.substr(0, colon))] = v;
      }
      pos = e + 2;
    }
    size_t want = rq.headers.count("content-length") ? std::stoul(rq.headers["content-length"]) : 0;
    rq.body = data.substr(head_end + 4);
    while (rq.body.size() < want) {
      long n = c.read(buf, sizeof buf);
      if (n <= 0) return false;
      rq.body.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  void serve(int fd) {
    conn c{fd, nullptr};
    if (ssl_ctx) {
      c.ssl = SSL_new(ssl_ctx);
      SSL_set_fd(c.ssl, fd);
      if (SSL_accept(c.ssl) <= 0) {  // e.g. the client refused our certificate
        SSL_free(c.ssl);
        ::close(fd);
        return;
      }
    }
    loopback_request rq;
    if (read_request(c, rq)) {
      count->fetch_add(1);
      loopback_reply rep = fn(rq);
      for (int waited = 0; waited < rep.delay_ms && !stop.load(); waited += 10)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!rep.hang_up && !stop.load()) {
        std::string out = "HTTP/1.1 " + std::to_string(rep.status) +
                          " X\r\nContent-Length: " + std::to_string(rep.body.size()) + "\r\nConnection: close\r\n";
        bool typed = false;
        for (const auto& [k, v] : rep.headers) {
          out += k + ": " + v + "\r\n";
          typed = typed || lower(k) == "content-type";
        }
        if (!typed) out += "Content-Type: application/json\r\n";
        out += "\r\n" + rep.body;
        c.write(out);
      }
    }
    if (c.ssl) {
      SSL_shutdown(c.ssl);
      SSL_free(c.ssl);
    }
    ::close(fd);
  }

  void accept_loop() {
    while (!stop.load()) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mu);
      workers.emplace_back([this, fd] { serve(fd); });
    }
  }
};

loopback_http_server::loopback_http_server(handler h, const tls_files* tls) : impl_(std::make_unique<impl>()) {
  impl_->fn = std::move(h);
  impl_->count = &requests_;
  if (tls) {
    tls_ = true;
    impl_->ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_file(impl_->ssl_ctx, tls->cert.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(impl_->ssl_ctx, tls->key.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("cannot load the test certificate");
  }
  impl_->listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(impl_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(impl_->listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(impl_->listen_fd, 64) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  socklen_t len = sizeof a;
  ::getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  impl_->acceptor = std::thread([this] { impl_->accept_loop(); });
}

loopback_http_server::~loopback_http_server() {
  impl_->stop.store(true);
  impl_->acceptor.join();
  std::vector<std::thread> ws;
  {
    std::lock_guard lock(impl_->mu);
    ws.swap(impl_->workers);
  }
  for (auto& t : ws) t.join();
  ::close(impl_->listen_fd);
  if (impl_->ssl_ctx) SSL_CTX_free(impl_->ssl_ctx);
}

std::string loopback_http_server::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

}  // namespace cg::test
