// graphql-transport-ws without sockets: the handshake, authentication in
// connection_init, every close code, operations started, completed by the client
// (cancelled) and finished by the server, and bad messages of every kind.
#include "net/graphql/gql_ws_protocol.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cg::net {
namespace {

struct harness {
  std::vector<std::string> sent;
  std::vector<std::pair<uint16_t, std::string>> closed;
  struct started_op {
    std::string id;
    gql::request req;
    principal who;
    std::shared_ptr<std::atomic<bool>> cancel;
  };
  std::vector<started_op> started;
  std::optional<gql_ws_protocol> p;

  explicit harness(principal upgrade_who = {}, size_t max_ops = 100) {
    gql_ws_protocol::hooks h;
    h.authenticate = [](std::string_view authz, std::string_view token) -> result<principal> {
      if (authz == "Bearer good" || token == "good") return principal{"key:1", role::reader, "", "api_key"};
      if (token == "none-role") return principal{"key:2", role::none, "", "api_key"};
      return make_error(errc::invalid_argument, "bad token");
    };
    h.send = [this](std::string t) { sent.push_back(std::move(t)); };
    h.close = [this](uint16_t c, std::string r) { closed.emplace_back(c, std::move(r)); };
    h.start = [this](const std::string& id, gql::request r, const principal& who,
                     std::shared_ptr<std::atomic<bool>> c) {
      started.push_back({id, std::move(r), who, std::move(c)});
    };
    p.emplace(std::move(h), std::move(upgrade_who), max_ops);
  }
  bool msg(const std::string& t) { return p->on_message(t); }
  uint16_t last_close() const { return closed.empty() ? 0 : closed.back().first; }
};

TEST(GqlWsProtocol, HandshakeAuthenticatesInConnectionInit) {
  harness h;
  EXPECT_TRUE(h.msg(R"({"type":"connection_init","payload":{"authorization":"Bearer good"}})"));
  ASSERT_EQ(h.sent.size(), 1u);
  EXPECT_EQ(h.sent[0], R"({"type":"connection_ack"})");
  EXPECT_TRUE(h.p->acked());
  EXPECT_EQ(h.p->who().subject, "key:1");
  EXPECT_TRUE(h.msg(R"({"type":"ping"})"));
  EXPECT_EQ(h.sent.back(), R"({"type":"pong"})");
  EXPECT_FALSE(h.msg(R"({"type":"connection_init"})"));
  EXPECT_EQ(h.last_close(), ws_close::too_many_inits);
  EXPECT_FALSE(h.msg(R"({"type":"ping"})"));  // closed: nothing more is read
}

TEST(GqlWsProtocol, BadTokensAndEarlySubscribesAreRefused) {
  for (const char* init : {R"({"type":"connection_init"})", R"({"type":"connection_init","payload":{"token":"bad"}})",
                           R"({"type":"connection_init","payload":{"token":"none-role"}})"}) {
    harness h;
    EXPECT_FALSE(h.msg(init)) << init;
    EXPECT_EQ(h.last_close(), ws_close::forbidden) << init;
  }
  harness early;
  EXPECT_FALSE(early.msg(R"({"type":"subscribe","id":"1","payload":{"query":"{a}"}})"));
  EXPECT_EQ(early.last_close(), ws_close::unauthorized);
  // A token sent with the upgrade: connection_init needs none.
  harness upgraded(principal{"key:9", role::writer, "", "api_key"});
  EXPECT_TRUE(upgraded.msg(R"({"type":"connection_init"})"));
  EXPECT_EQ(upgraded.p->who().subject, "key:9");
  harness slow;
  slow.p->on_init_timeout();
  EXPECT_EQ(slow.last_close(), ws_close::init_timeout);
}

TEST(GqlWsProtocol, InvalidMessagesClose4400) {
  for (const char* bad : {"", "not json", "[]", R"({"type":1})", R"({"no":"type"})", R"({"type":"unknown"})",
                          R"({"type":"connection_init","payload":[1]})"}) {
    harness h;
    EXPECT_FALSE(h.msg(bad)) << bad;
    EXPECT_EQ(h.last_close(), ws_close::invalid_message) << bad;
  }
  // Nested past the JSON limit: a protocol error, not a crash.
  harness deep;
  EXPECT_FALSE(deep.msg(std::string(100000, '[') + std::string(100000, ']')));
  EXPECT_EQ(deep.last_close(), ws_close::invalid_message);
  for (const char* bad_sub :
       {R"({"type":"subscribe","payload":{"query":"{a}"}})",
        R"({"type":"subscribe","id":"","payload":{"query":"{a}"}})", R"({"type":"subscribe","id":"1"})",
        R"({"type":"subscribe","id":"1","payload":{"query":5}})",
        R"({"type":"subscribe","id":"1","payload":{"query":"{a}","variables":[1]}})"}) {
    harness h;
    ASSERT_TRUE(h.msg(R"({"type":"connection_init","payload":{"token":"good"}})"));
    EXPECT_FALSE(h.msg(bad_sub)) << bad_sub;
    EXPECT_EQ(h.last_close(), ws_close::invalid_message) << bad_sub;
  }
}

TEST(GqlWsProtocol, OperationsStartCompleteAndCancel) {
  harness h(principal{}, 2);
  ASSERT_TRUE(h.msg(R"({"type":"connection_init","payload":{"token":"good"}})"));
  ASSERT_TRUE(h.msg(R"({"type":"subscribe","id":"a","payload":{"query":"{ x }","variables":{"v":1}}})"));
  ASSERT_EQ(h.started.size(), 1u);
  EXPECT_EQ(h.started[0].id, "a");
  EXPECT_EQ(h.started[0].req.query, "{ x }");
  EXPECT_EQ(h.started[0].req.variables["v"], 1);
  EXPECT_EQ(h.started[0].who.subject, "key:1");
  EXPECT_TRUE(h.p->running("a"));
  // The same id while it runs: 4409.
  harness dup;
  ASSERT_TRUE(dup.msg(R"({"type":"connection_init","payload":{"token":"good"}})"));
  ASSERT_TRUE(dup.msg(R"({"type":"subscribe","id":"a","payload":{"query":"{ x }"}})"));
  EXPECT_FALSE(dup.msg(R"({"type":"subscribe","id":"a","payload":{"query":"{ x }"}})"));
  EXPECT_EQ(dup.last_close(), ws_close::duplicate_id);
  // The client completes "a": its cancel flag is set (a running query stops early).
  auto cancel_a = h.started[0].cancel;
  EXPECT_TRUE(h.msg(R"({"type":"complete","id":"a"})"));
  EXPECT_TRUE(cancel_a->load());
  EXPECT_FALSE(h.p->running("a"));
  EXPECT_FALSE(h.p->finish("a"));  // its end is not sent any more
  // Too many at once: an error for that id, the connection stays.
  ASSERT_TRUE(h.msg(R"({"type":"subscribe","id":"b","payload":{"query":"{ x }"}})"));
  ASSERT_TRUE(h.msg(R"({"type":"subscribe","id":"c","payload":{"query":"{ x }"}})"));
  EXPECT_TRUE(h.msg(R"({"type":"subscribe","id":"d","payload":{"query":"{ x }"}})"));
  EXPECT_NE(h.sent.back().find("too many operations"), std::string::npos);
  EXPECT_NE(h.sent.back().find(R"("id":"d")"), std::string::npos);
  EXPECT_TRUE(h.p->finish("b"));  // the server ends b: its message goes out once
  EXPECT_FALSE(h.p->finish("b"));
  // The connection ends: every running operation is cancelled.
  auto cancel_c = h.started.back().cancel;
  EXPECT_FALSE(cancel_c->load());
  h.p.reset();
  EXPECT_TRUE(cancel_c->load());
}

TEST(GqlWsProtocol, MessagesAreValidJson) {
  EXPECT_EQ(gql_ws_protocol::complete_message("x\"y"), R"({"id":"x\"y","type":"complete"})");
  auto next = gql_ws_protocol::next_prefix("1") + R"({"data":{}})" + "}";
  EXPECT_EQ(nlohmann::json::parse(next)["type"], "next");
  auto err = gql_ws_protocol::error_message("1", gql::json::array({{{"message", "m"}}}));
  EXPECT_EQ(nlohmann::json::parse(err)["payload"][0]["message"], "m");
  // Bytes that are not UTF-8 never make the writer throw.
  EXPECT_NO_THROW(gql_ws_protocol::next_prefix("\xff\xfe"));
}

}  // namespace
}  // namespace cg::net
