#include "actors/search/document.hpp"

#include <algorithm>

#include "actors/search/tokens.hpp"

namespace cg {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The enclosing scopes of a qualified name: "pkg.mod.Class.method" -> "pkg.mod.Class".
std::string_view enclosing_of(std::string_view qname, std::string_view name) {
  if (qname.size() <= name.size() || !qname.ends_with(name)) return {};
  auto head = qname.substr(0, qname.size() - name.size());
  while (!head.empty() && (head.back() == '.' || head.back() == ':' || head.back() == '/')) head.remove_suffix(1);
  return head;
}

std::string_view last_segment(std::string_view s) {
  auto cut = s.find_last_of(".:>");
  return cut == std::string_view::npos ? s : s.substr(cut + 1);
}

}  // namespace

term_bag build_bag(const doc_source& src, const field_weights& w) {
  // Every occurrence first, then one sort that brings equal terms together (stable:
  // each term's weights add up in the order they came, as a running sum would). A
  // bag is a few dozen terms: cheaper than a hash map of strings per document.
  term_bag all;
  std::vector<std::string> toks;
  auto add_ident = [&](std::string_view ident, float weight) {
    toks.clear();
    split_identifier(ident, toks);
    for (auto& t : toks) all.push_back({stem(t), weight});
  };
  auto add_text = [&](std::string_view text, float weight) {
    toks.clear();
    text_tokens(text, toks);
    for (auto& t : toks) all.push_back({std::move(t), weight});
  };
  add_ident(src.name, w.name);
  if (src.name.size() >= 2) all.push_back({lowercase(src.name), w.whole_name});
  add_text(enclosing_of(src.qualified_name, src.name), w.enclosing);
  add_text(src.signature, w.signature);
  if (src.include_docstring) add_text(src.docstring, w.docstring);
  for (const auto& c : src.callees) add_ident(last_segment(c), w.callee);
  std::stable_sort(all.begin(), all.end(), [](const term_weight& a, const term_weight& b) { return a.term < b.term; });
  term_bag bag;
  for (auto& tw : all) {
    if (bag.empty() || bag.back().term != tw.term)
      bag.push_back({std::move(tw.term), 0.0f + tw.weight});
    else
      bag.back().weight += tw.weight;
  }
  return bag;
}

std::vector<std::string> query_terms(std::string_view query) {
  std::vector<std::string> toks, out;
  text_tokens(query, toks);
  // A query that is one identifier also matches the whole name.
  bool one_word = !query.empty() && query.find_first_of(" \t\n") == std::string_view::npos;
  if (one_word) toks.push_back(lowercase(query));
  for (auto& t : toks)
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  return out;
}

std::string doc_text(const doc_source& src) {
  std::string out(src.qualified_name.empty() ? src.name : src.qualified_name);
  if (!src.signature.empty()) out.append("\n").append(src.signature);
  if (src.include_docstring && !src.docstring.empty()) out.append("\n").append(src.docstring);
  if (!src.callees.empty()) {
    out.append("\ncalls:");
    for (const auto& c : src.callees) out.append(" ").append(last_segment(c));
  }
  return out;
}

}  // namespace cg
