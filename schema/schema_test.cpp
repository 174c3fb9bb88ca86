// The data model: ids, codecs (binary and JSON), text helpers, vocabularies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "schema/codec.hpp"
#include "schema/extract.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"
#include "schema/text.hpp"

namespace cg {
namespace {

node sample_node() {
  node n;
  n.id = make_node_id("proj", "pkg/mod.py", "pkg.mod.Klass.method", node_kind::method);
  n.kind = node_kind::method;
  n.lang = language::python;
  n.vis = visibility::private_;
  n.modifiers = modifier::async | modifier::static_;
  n.name = "method";
  n.qualified_name = "pkg.mod.Klass.method";
  n.file = "pkg/mod.py";
  n.span = {{10, 5}, {20, 1}, 200, 480};
  n.name_pos = {11, 9};
  n.signature = "async def method(self, x: int) -> Résumé";
  n.type_name = "Résumé";
  n.docstring = "Does things.\nIn two lines — with UTF-8.";
  n.content_hash = 0xdeadbeefcafebabeull;
  n.parent = 42;
  return n;
}

TEST(ids, stable_and_distinct) {
  auto a = make_node_id("p", "a.py", "a.f", node_kind::function);
  EXPECT_EQ(a, make_node_id("p", "a.py", "a.f", node_kind::function));
  EXPECT_NE(a, make_node_id("p", "a.py", "a.f", node_kind::method));
  EXPECT_NE(a, make_node_id("p", "b.py", "a.f", node_kind::function));
  EXPECT_NE(a, make_node_id("q", "a.py", "a.f", node_kind::function));
  EXPECT_NE(a, make_node_id("p", "a.py", "a.f", node_kind::function, 1));
  EXPECT_NE(a, 0u);
  // The separators keep ("ab","c") and ("a","bc") apart.
  EXPECT_NE(make_node_id("p", "ab", "c", node_kind::function), make_node_id("p", "a", "bc", node_kind::function));
}

TEST(ids, hex_round_trip) {
  for (node_id id : {node_id{1}, node_id{0xffffffffffffffffull}, node_id{0x0123456789abcdefull}}) {
    auto s = format_id(id);
    EXPECT_EQ(s.size(), 16u);
    node_id back = 0;
    ASSERT_TRUE(parse_id(s, back));
    EXPECT_EQ(back, id);
  }
  node_id x;
  EXPECT_FALSE(parse_id("", x));
  EXPECT_FALSE(parse_id("xyz", x));
  EXPECT_FALSE(parse_id("00000000000000000", x));  // 17 digits
}

TEST(hash, spreads_and_is_deterministic) {
  EXPECT_EQ(hash64("hello"), hash64("hello"));
  EXPECT_NE(hash64("hello"), hash64("hellp"));
  EXPECT_NE(hash64(""), hash64(std::string_view("\0", 1)));
  EXPECT_NE(hash64("a", 1), hash64("a", 2));
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(hash64("key" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(codec, node_round_trip) {
  auto n = sample_node();
  std::string bytes;
  encode_node(n, bytes);
  auto back = decode_node(bytes, n.id);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, n);
}

TEST(codec, truncated_node_is_an_error_not_a_crash) {
  std::string bytes;
  encode_node(sample_node(), bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = decode_node(std::string_view(bytes).substr(0, cut), 1);
    EXPECT_FALSE(r.ok()) << "prefix of " << cut << " bytes decoded";
    if (!r.ok()) {
      EXPECT_EQ(r.err().code, errc::corrupt);
    }
  }
  bytes.push_back('x');  // trailing garbage
  EXPECT_FALSE(decode_node(bytes, 1).ok());
}

TEST(codec, edge_value_round_trip_with_sites) {
  edge e;
  e.how = resolution::import;
  e.target_name = "os.path.join";
  for (uint32_t i = 1; i < 300; i += 7) e.sites.push_back({i, i % 13});
  std::string bytes;
  encode_edge_value(e, bytes);
  edge back;
  ASSERT_TRUE(decode_edge_value(bytes, back).ok());
  EXPECT_EQ(back.how, e.how);
  EXPECT_EQ(back.target_name, e.target_name);
  EXPECT_EQ(back.sites, e.sites);
  EXPECT_FALSE(decode_edge_value(std::string_view(bytes).substr(0, bytes.size() - 1), back).ok());
}

TEST(codec, file_record_round_trip) {
  file_record f{"src/a.rs", language::rust,  1234, 1700000000123456789, 77, parse_status::syntax_errors, 3, 99, 12,
                true,       analysis_version};
  std::string bytes;
  encode_file_record(f, bytes);
  auto back = decode_file_record(bytes, f.path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, f);
  // A record written before analysis versions existed (no trailing varint) still reads,
  // as version 0, so the next run parses the file again.
  std::string old_bytes = bytes.substr(0, bytes.size() - 1);
  auto old = decode_file_record(old_bytes, f.path);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->analysis, 0u);
  EXPECT_EQ(old->content_hash, f.content_hash);
  EXPECT_FALSE(decode_file_record(bytes + "x", f.path).ok());
}

TEST(codec, references_round_trip) {
  file_references r;
  r.module_path = "pkg.mod";
  r.package = "pkg";
  r.imports.push_back({11, "os.path", "join", "pjoin", {3, 1}, 0});
  r.imports.push_back({12, "", "sibling", "sibling", {4, 1}, 2});
  r.refs.push_back({21, edge_kind::calls, ref_flag::member, "save", "self", {10, 5}});
  r.refs.push_back({22, edge_kind::inherits, 0, "Base", "", {1, 7}});
  r.bindings.push_back({21, "conn", "db.Connection"});
  std::string bytes;
  encode_references(r, bytes);
  auto back = decode_references(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(decode_references(std::string_view(bytes).substr(0, bytes.size() / 2)).ok());
}

TEST(text, utf8_validation_and_repair) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(sanitize_utf8("a\xffz"), "a\xef\xbf\xbdz");
  EXPECT_EQ(sanitize_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_TRUE(is_valid_utf8(sanitize_utf8("\xfe\xff\xc3(\x80")));
}

TEST(text, collapse_whitespace_cuts_on_a_character_boundary) {
  EXPECT_EQ(collapse_whitespace("  def  f(\n   a,\tb)  ", 100), "def f( a, b)");
  auto cut = collapse_whitespace("\xc3\xa9\xc3\xa9\xc3\xa9", 3);
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_EQ(cut, "\xc3\xa9\xe2\x80\xa6");
}

TEST(kinds, names_round_trip) {
  for (int k = 1; k < node_kind_count; ++k) {
    auto kind = static_cast<node_kind>(k);
    EXPECT_EQ(parse_node_kind(to_string(kind)), kind) << to_string(kind);
  }
  for (int k = 1; k < edge_kind_count; ++k) {
    auto kind = static_cast<edge_kind>(k);
    EXPECT_EQ(parse_edge_kind(to_string(kind)), kind);
  }
  for (int l = 1; l < language_count; ++l) {
    auto lang = static_cast<language>(l);
    EXPECT_EQ(parse_language(to_string(lang)), lang);
  }
  EXPECT_EQ(parse_language("py"), language::python);
  EXPECT_FALSE(parse_node_kind("nonsense"));
}

TEST(json, node_round_trip_and_errors) {
  auto n = sample_node();
  auto j = to_json(n);
  EXPECT_EQ(j["id"], format_id(n.id));
  EXPECT_EQ(j["line"], 11);
  EXPECT_EQ(j["kind"], "method");
  EXPECT_EQ(j["type"], "Résumé");
  auto mods = j["modifiers"];
  EXPECT_NE(std::find(mods.begin(), mods.end(), "async"), mods.end());
  auto back = node_from_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, n.id);
  EXPECT_EQ(back->qualified_name, n.qualified_name);
  EXPECT_EQ(back->modifiers, n.modifiers);
  EXPECT_FALSE(node_from_json(nlohmann::json::array()).ok());
  EXPECT_FALSE(node_from_json({{"kind", "nonsense"}, {"name", "x"}}).ok());
  EXPECT_FALSE(node_from_json({{"kind", "function"}}).ok());  // no name
}

// The direct writer behind GET /nodes/{id} says exactly what to_json(n).dump() says, on
// random nodes whose strings mix quotes, backslashes, control characters and multi-byte
// UTF-8, with every optional field present or absent; bad UTF-8 still gives valid JSON.
TEST(json, direct_node_writer_matches_dump) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "_",
                                           " ",
                                           "\"",
                                           "\\",
                                           "/",
                                           "\n",
                                           "\t",
                                           "\r",
                                           "\b",
                                           "\f",
                                           std::string(1, '\x01'),
                                           std::string(1, '\x1f'),
                                           "\x7f",
                                           "é",
                                           "—",
                                           "€",
                                           "\xF0\x9F\x98\x80",
                                           "résumé",
                                           "{}",
                                           "[]",
                                           ":",
                                           ","};
  auto text = [&](size_t max) {
    std::string out;
    for (size_t i = rng() % (max + 1); i-- > 0;) out += pieces[rng() % pieces.size()];
    return out;
  };
  for (int i = 0; i < 3000; ++i) {
    node n;
    n.id = rng();
    n.kind = static_cast<node_kind>(1 + rng() % 21);
    n.lang = static_cast<language>(rng() % 11);
    n.vis = static_cast<visibility>(rng() % 5);
    n.modifiers = static_cast<uint16_t>(rng() & 0x3ff);
    n.name = text(4);
    n.qualified_name = text(8);
    n.file = text(6);
    n.signature = rng() % 2 ? text(10) : "";
    n.type_name = rng() % 2 ? text(3) : "";
    n.docstring = rng() % 2 ? text(20) : "";
    n.span = {{static_cast<uint32_t>(rng() % 100000), static_cast<uint32_t>(rng() % 300)},
              {static_cast<uint32_t>(rng() % 100000), static_cast<uint32_t>(rng() % 300)},
              static_cast<uint32_t>(rng()),
              static_cast<uint32_t>(rng())};
    n.name_pos = {static_cast<uint32_t>(rng() % 100000), static_cast<uint32_t>(rng() % 300)};
    n.content_hash = (uint64_t{rng()} << 32) | rng();
    n.parent = rng() % 3 ? rng() : 0;
    ASSERT_EQ(node_json_text(n), to_json(n).dump()) << i;
  }
  auto n = sample_node();
  n.name = std::string(
               "bad\xC3(\xED\xA0\x80\xF5"
               "end") +
           "\xE2\x82";
  auto parsed = nlohmann::json::parse(node_json_text(n), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["name"],
            "bad\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "end\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(parsed["qualified_name"], n.qualified_name);
}

// The string writer scans sixteen bytes at a time: every byte that needs care (quote,
// backslash, control, DEL, multi-byte UTF-8 lead and tail), at every position of strings
// across several block boundaries, comes out as nlohmann's dump() writes it.
TEST(json, string_writer_finds_specials_at_every_block_position) {
  const std::vector<std::string> specials = {"\"",   "\\",       "\n",           std::string(1, '\x01'), "\x1f",
                                             "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  for (size_t len = 0; len <= 49; ++len)
    for (size_t pos = 0; pos <= len; ++pos)
      for (const auto& sp : specials) {
        std::string v(len, 'x');
        v.insert(pos, sp);
        std::string out;
        append_json_string(out, v);
        ASSERT_EQ(out, nlohmann::json(v).dump()) << len << " " << pos;
      }
  std::string bad(40, 'a');
  bad[33] = '\xFF';
  std::string out;
  append_json_string(out, bad);
  EXPECT_EQ(out, "\"" + std::string(33, 'a') + "\xEF\xBF\xBD" + std::string(6, 'a') + "\"");
}

TEST(json, unresolved_edge_has_null_target) {
  edge e;
  e.source = 5;
  e.target = unresolved_target_id("helper");
  e.kind = edge_kind::calls;
  e.how = resolution::unresolved;
  e.target_name = "helper";
  auto j = to_json(e);
  EXPECT_TRUE(j["target"].is_null());
  EXPECT_EQ(j["resolution"], "unresolved");
}

}  // namespace
}  // namespace cg
