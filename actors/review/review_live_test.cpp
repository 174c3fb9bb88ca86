// The live review against the full one: after every edit (indexed with the plain
// state classes, as watch mode does through the actors), the report kept up to date
// from the store's journal of written keys equals review_versions' report of the same state, and it
// reads less than a computation from scratch.
#include "actors/review/review_live.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "actors/graph/graph_state.hpp"
#include "actors/version/versions.hpp"
#include "storage/keys.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {
using namespace cg::test;

const char* cart_py =
    "class Base:\n"
    "    def price(self, x):\n"
    "        return x\n"
    "\n"
    "class Cart(Base):\n"
    "    def price(self, x):\n"
    "        return x * 2\n"
    "\n"
    "    def total(self, items):\n"
    "        return sum(self.price(i) for i in items)\n"
    "\n"
    "def make_cart():\n"
    "    return Cart()\n";
const char* api_py =
    "from shop.cart import make_cart\n"
    "\n"
    "def checkout(items):\n"
    "    return make_cart().total(items)\n"
    "\n"
    "def refund(x):\n"
    "    return x\n";
const char* test_py =
    "from shop.api import checkout\n"
    "\n"
    "def test_total():\n"
    "    assert checkout([1]) == 2\n";

// A chain u0 -> u1 -> ... -> u30; the first `calls_refund` call refund instead.
std::string util_py(int calls_refund, bool end_changed = false) {
  std::string s = "from shop.api import refund\n\n";
  for (int i = 0; i < 30; ++i) {
    s += "def u" + std::to_string(i) + "(x):\n";
    s += i < calls_refund ? "    return refund(x)\n\n" : "    return u" + std::to_string(i + 1) + "(x)\n\n";
  }
  return s + (end_changed ? "def u30(x):\n    return x + 1\n" : "def u30(x):\n    return x\n");
}

struct fixture {
  temp_dir dir{"review-live"};
  std::unique_ptr<store> db = open_store((dir / "db").string());
  uint32_t proj = *db->ensure_project("p");
  graph_state g{*db, proj};
  fs::path root = dir / "src";

  void put(const std::string& rel, const std::string& text) { write_file(root / rel, text); }
  void index() { index_plain(g, "p", root.string()); }
};

TEST(review_live, every_update_equals_the_full_report_and_reads_less) {
  fixture f;
  f.put("shop/cart.py", cart_py);
  f.put("shop/api.py", api_py);
  f.put("shop/util.py", util_py(0));
  f.put("tests/test_cart.py", test_py);
  f.index();
  version_record rec;
  rec.message = "base";
  auto base = commit_after_index(*f.db, f.proj, rec);
  ASSERT_TRUE(base.ok());
  review_request req;
  req.base = *base;
  req.depth = 3;
  review_live_state live(*f.db, f.proj, req);

  auto check = [&](const std::string& step, bool incremental) -> nlohmann::json {
    auto kept = live.update();
    EXPECT_TRUE(kept.ok()) << step << ": " << (kept.ok() ? "" : kept.err().message);
    auto full = review_versions(*f.db, f.proj, req);
    EXPECT_TRUE(full.ok()) << step;
    if (!kept.ok() || !full.ok()) return nullptr;
    auto a = to_json(*kept), b = to_json(*full);
    EXPECT_EQ(a.dump(), b.dump()) << step;
    if (incremental) {
      EXPECT_TRUE(live.last().incremental) << step;
    }
    return a;
  };
  auto names = [](const nlohmann::json& j, const char* part) {
    std::set<std::string> out;
    for (const auto& x : j[part]) out.insert(x["qualifiedName"].get<std::string>() + ":" + x.value("change", ""));
    return out;
  };

  EXPECT_TRUE(check("nothing changed yet", false)["changed"].empty());

  // Bodies change: the override, what calls it and the test that reaches it; the end
  // of a long chain of callers.
  std::string cart2 = cart_py;
  cart2.replace(cart2.find("x * 2"), 5, "x * 3");
  f.put("shop/cart.py", cart2);
  f.put("shop/util.py", util_py(0, true));
  f.index();
  auto j = check("bodies changed", true);
  EXPECT_TRUE(names(j, "changed").count("shop.cart.Cart.price:modified")) << j.dump();
  EXPECT_TRUE(names(j, "changed").count("shop.util.u30:modified")) << j.dump();
  EXPECT_EQ(j["byDepth"]["3"], 2) << j.dump();  // test_total and u27

  // Another change elsewhere: the chain's users lists are kept, so the update reads less
  // than a computation from scratch of the same state.
  std::string api2 = api_py;
  api2.replace(api2.find("return x\n"), 9, "return -x\n");
  f.put("shop/api.py", api2);
  f.index();
  check("refund changed", true);
  review_live_state fresh(*f.db, f.proj, req);
  ASSERT_TRUE(fresh.update().ok());
  EXPECT_LT(live.last().lists_read * 2, fresh.last().lists_read)
      << live.last().lists_read << " against " << fresh.last().lists_read;
  EXPECT_GT(live.last().keys_written, 0u);
  EXPECT_GT(live.last().definitions_read, 0u);

  // New users of a changed definition in another file (edges into it; refund's users
  // list was kept from before).
  auto direct_users = [](const nlohmann::json& r, const std::string& qname) {
    for (const auto& c : r["changed"])
      if (c["qualifiedName"] == qname) return c["directUsers"].get<int>();
    return -1;
  };
  f.put("shop/util.py", util_py(5, true));
  f.index();
  j = check("five new callers of refund", true);
  EXPECT_EQ(direct_users(j, "shop.api.refund"), 5) << j.dump();
  f.put("shop/util.py", util_py(12, true));
  f.index();
  j = check("twelve callers of refund", true);
  EXPECT_EQ(direct_users(j, "shop.api.refund"), 12) << j.dump();

  // Lines pushed down by an insertion above are no move (outlines read again).
  f.put("shop/cart.py", "import os\n\n\n" + cart2);
  f.index();
  check("lines inserted at the top", true);

  // A rename in place, and a definition added and removed.
  std::string cart3 = "import os\n\n\n" + cart2;
  cart3.replace(cart3.find("def make_cart"), 13, "def new_cart");
  f.put("shop/cart.py", cart3 + "\ndef extra():\n    return make_cart()\n");
  f.index();
  j = check("renamed and added", true);
  EXPECT_TRUE(names(j, "changed").count("shop.cart.new_cart:renamed")) << j.dump();
  f.put("shop/cart.py", cart3);
  f.index();
  check("the addition removed", true);

  // A flush changes nothing kept.
  ASSERT_TRUE(f.db->flush().ok());
  f.put("tests/test_cart.py", std::string(test_py) + "\ndef test_refund():\n    assert True\n");
  f.index();
  check("after a flush", true);

  // Only another project's keys written (or a run that wrote nothing of this one): the
  // kept report stands, nothing is read or walked again.
  {
    auto other = *f.db->ensure_project("other");
    auto b = f.db->batch();
    b.put(column::edges, keys::edge(other, 7, edge_kind::calls, 8), "x");
    ASSERT_TRUE(f.db->write(b).ok());
  }
  check("another project's write", true);
  EXPECT_TRUE(live.last().reused);
  EXPECT_GT(live.last().keys_written, 0u);
  EXPECT_EQ(live.last().lists_read, 0u);
  EXPECT_EQ(live.last().definitions_read, 0u);

  // More writes than the journal keeps: the report is computed in full, and right.
  {
    auto other = *f.db->ensure_project("other");
    auto b = f.db->batch();
    for (size_t i = 0; i < (size_t{1} << 20) + 10; ++i)
      b.put(column::redges, keys::edge(other, i + 1, edge_kind::calls, 1), "x");
    ASSERT_TRUE(f.db->write(b).ok());
  }
  f.put("shop/api.py", api_py);
  f.index();
  check("past the journal", false);
  EXPECT_FALSE(live.last().reused);
  EXPECT_FALSE(live.last().incremental);
  f.put("shop/api.py", api2);
  f.index();
  check("the journal again", true);

  // Everything back as it was: nothing is left in the report.
  f.put("shop/cart.py", cart_py);
  f.put("shop/api.py", api_py);
  f.put("shop/util.py", util_py(0));
  f.put("tests/test_cart.py", test_py);
  f.index();
  j = check("all reverted", false);
  EXPECT_TRUE(j["changed"].empty()) << j.dump();
  EXPECT_TRUE(j["radius"].empty()) << j.dump();
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// A layer (a second work tree over a version of the project) reviewed against `base`:
// the live report equals the full one after each edit of the layer's tree, and names
// the layer's changes only.
TEST(review_live, a_layer_against_its_base) {
  fixture f;
  f.put("shop/cart.py", cart_py);
  f.put("shop/api.py", api_py);
  f.put("tests/test_cart.py", test_py);
  f.index();
  auto base = commit_after_index(*f.db, f.proj, version_record{});
  ASSERT_TRUE(base.ok());
  const fs::path wt = f.dir / "wt";
  fs::copy(f.root, wt, fs::copy_options::recursive);
  uint32_t layer = *f.db->ensure_project("w");
  ASSERT_TRUE(f.db->set_layer(layer, {f.proj, *base}).ok());
  graph_state g{*f.db, layer};
  index_plain(g, "p", wt.string());  // ids of the project under it
  review_request req;
  req.base = *resolve_version(*f.db, layer, "base");
  req.depth = 3;
  review_live_state live(*f.db, layer, req);
  auto check = [&](const std::string& step) -> nlohmann::json {
    auto kept = live.update();
    EXPECT_TRUE(kept.ok()) << step << ": " << (kept.ok() ? "" : kept.err().message);
    auto full = review_versions(*f.db, layer, req);
    EXPECT_TRUE(full.ok()) << step << ": " << (full.ok() ? "" : full.err().message);
    if (!kept.ok() || !full.ok()) return nullptr;
    EXPECT_EQ(to_json(*kept).dump(), to_json(*full).dump()) << step;
    EXPECT_EQ(kept->base, *base) << step;
    return to_json(*kept);
  };
  EXPECT_TRUE(check("the same tree")["changed"].empty());
  std::string cart2 = cart_py;
  cart2.replace(cart2.find("x * 2"), 5, "x * 3");
  write_file(wt / "shop/cart.py", cart2);
  index_plain(g, "p", wt.string());
  auto j = check("a body changed in the layer");
  std::set<std::string> changed;
  for (const auto& c : j["changed"]) changed.insert(c["qualifiedName"].get<std::string>());
  // The method, and its class through it.
  EXPECT_EQ(changed, (std::set<std::string>{"shop.cart.Cart", "shop.cart.Cart.price"})) << j.dump();
  bool reaches_test = false;
  for (const auto& t : j["tests"]["reaching"]) reaches_test |= t["qualifiedName"] == "tests.test_cart.test_total";
  EXPECT_TRUE(reaches_test) << j.dump();
  // The project under it did not change.
  review_request mine;
  mine.base = *base;
  auto own = review_versions(*f.db, f.proj, mine);
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->changed.empty());
}

}  // namespace
}  // namespace cg
