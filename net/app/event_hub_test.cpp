// The event hub: which /ws clients get an event, topic scoping by principal, listeners.
#include "net/app/event_hub.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cg::net {
namespace {

principal as(std::string project) { return principal{"k", role::reader, std::move(project), "api_key"}; }

class recording_client final : public event_client {
 public:
  bool send(std::shared_ptr<const std::string> text) override {
    got.push_back(nlohmann::json::parse(*text));
    last = text;
    return true;
  }
  std::vector<nlohmann::json> got;
  std::shared_ptr<const std::string> last;
};

event progress_of(const std::string& project, uint64_t task) {
  index_progress p;
  p.task = task;
  p.project = project;
  p.files_done = 3;
  return event{topics::progress(project), p};
}

TEST(event_hub, an_event_goes_to_the_clients_of_a_matching_topic_serialised_once) {
  event_hub hub;
  auto a = std::make_shared<recording_client>(), b = std::make_shared<recording_client>(),
       c = std::make_shared<recording_client>();
  auto ia = hub.attach(a, as("")), ib = hub.attach(b, as("")), ic = hub.attach(c, as(""));
  EXPECT_NE(hub.subscribe_topics(ia, {"progress/"}).find("subscribed"), std::string::npos);
  hub.subscribe_topics(ib, {"progress/p1"});
  hub.subscribe_topics(ic, {"changes/"});
  hub.send_to_clients(progress_of("p1", 9));
  ASSERT_EQ(a->got.size(), 1u);
  ASSERT_EQ(b->got.size(), 1u);
  EXPECT_TRUE(c->got.empty());
  EXPECT_EQ(a->got[0]["type"], "event");
  EXPECT_EQ(a->got[0]["event"], "progress");
  EXPECT_EQ(a->last, b->last) << "one serialisation shared by every client";
  hub.send_to_clients(progress_of("p2", 10));
  EXPECT_EQ(a->got.size(), 2u);
  EXPECT_EQ(b->got.size(), 1u);
}

TEST(event_hub, a_scoped_key_hears_only_its_project_and_cannot_ask_for_others) {
  event_hub hub;
  auto c = std::make_shared<recording_client>();
  auto id = hub.attach(c, as("p1"));
  auto refused = nlohmann::json::parse(hub.subscribe_topics(id, {"progress/p2"}));
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["code"], "forbidden");
  hub.subscribe_topics(id, {"*"});  // everything it may see: its own project
  hub.send_to_clients(progress_of("p2", 1));
  EXPECT_TRUE(c->got.empty());
  hub.send_to_clients(progress_of("p1", 2));
  EXPECT_EQ(c->got.size(), 1u);
}

TEST(event_hub, messages_unsubscribe_ping_and_bad_input_get_replies) {
  event_hub hub;
  auto c = std::make_shared<recording_client>();
  auto id = hub.attach(c, as(""));
  auto sub = nlohmann::json::parse(hub.on_client_message(id, R"({"type":"subscribe","topics":["changes/p"]})"));
  EXPECT_EQ(sub["topics"], nlohmann::json::array({"changes/p"}));
  auto unsub = nlohmann::json::parse(hub.on_client_message(id, R"({"type":"unsubscribe","topics":["changes/p"]})"));
  EXPECT_TRUE(unsub["topics"].empty());
  EXPECT_EQ(nlohmann::json::parse(hub.on_client_message(id, R"({"type":"ping"})"))["type"], "pong");
  EXPECT_EQ(nlohmann::json::parse(hub.on_client_message(id, "{not json"))["code"], "bad_message");
}

TEST(event_hub, detached_and_vanished_clients_get_nothing) {
  event_hub hub;
  auto kept = std::make_shared<recording_client>();
  auto id = hub.attach(kept, as(""));
  hub.subscribe_topics(id, {"progress/"});
  hub.detach(id);
  hub.send_to_clients(progress_of("p", 1));
  EXPECT_TRUE(kept->got.empty());
  auto gone = std::make_shared<recording_client>();
  auto id2 = hub.attach(gone, as(""));
  hub.subscribe_topics(id2, {"progress/"});
  gone.reset();
  hub.send_to_clients(progress_of("p", 1));  // a weak reference that expired: skipped
}

TEST(event_hub, listeners_hear_every_event_and_one_that_throws_does_not_stop_the_others) {
  event_hub hub;
  int first = 0, second = 0;
  uint64_t serial_seen = 0;
  auto l1 = hub.listen([&](const event&) {
    ++first;
    throw std::runtime_error("listener bug");
  });
  hub.listen([&](const event&) {
    ++second;
    serial_seen = hub.event_serial();
  });
  hub.call_listeners(progress_of("p", 1));
  hub.call_listeners(progress_of("p", 2));
  EXPECT_EQ(first, 2);
  EXPECT_EQ(second, 2);
  EXPECT_EQ(serial_seen, 2u);
  hub.unlisten(l1);
  hub.call_listeners(progress_of("p", 3));
  EXPECT_EQ(first, 2);
  EXPECT_EQ(second, 3);
}

}  // namespace
}  // namespace cg::net
