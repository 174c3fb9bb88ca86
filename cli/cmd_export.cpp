// codegraph export: every node and edge as NDJSON, or as GraphML.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "schema/hash.hpp"
#include "schema/json.hpp"

namespace cg::cli {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += ' ';
        else
          out.push_back(c);
    }
  }
  return out;
}

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f && f != stdout) std::fclose(f);
  }
};

}  // namespace

int run_export(const context& ctx, const export_args& args) {
  if (args.format != "ndjson" && args.format != "graphml")
    return report_error(ctx.json, exit_usage, "--format must be ndjson or graphml");
  auto p = open_for_query(ctx);
  if (!p.ok()) return report_error(ctx.json, exit_runtime, p.err().message);
  std::unique_ptr<std::FILE, file_closer> out(stdout);
  if (!args.output.empty() && args.output != "-") {
    out.reset(std::fopen(args.output.c_str(), "w"));
    if (!out) return report_error(ctx.json, exit_runtime, "cannot write " + args.output);
  }
  std::FILE* f = out.get();
  size_t nodes = 0, edges = 0, skipped = 0;
  auto write = [f](const std::string& s) { std::fwrite(s.data(), 1, s.size(), f); };
  status st;
  if (args.format == "ndjson") {
    st = p->query->for_each_node([&](const node& n) {
      auto j = to_json(n);
      j["type"] = "node";
      write(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      ++nodes;
      return true;
    });
    if (st.ok())
      st = p->query->for_each_edge([&](const edge& e) {
        auto j = to_json(e);
        j["type"] = "edge";
        write(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        ++edges;
        return true;
      });
  } else {
    write(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
        "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
        "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
        "  <key id=\"qname\" for=\"node\" attr.name=\"qualified_name\" attr.type=\"string\"/>\n"
        "  <key id=\"language\" for=\"node\" attr.name=\"language\" attr.type=\"string\"/>\n"
        "  <key id=\"file\" for=\"node\" attr.name=\"file\" attr.type=\"string\"/>\n"
        "  <key id=\"line\" for=\"node\" attr.name=\"line\" attr.type=\"int\"/>\n"
        "  <key id=\"ekind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
        "  <key id=\"resolution\" for=\"edge\" attr.name=\"resolution\" attr.type=\"string\"/>\n"
        "  <key id=\"sites\" for=\"edge\" attr.name=\"sites\" attr.type=\"int\"/>\n"
        "  <graph id=\"" +
        xml_escape(p->name) + "\" edgedefault=\"directed\">\n");
    st = p->query->for_each_node([&](const node& n) {
      write("    <node id=\"n" + format_id(n.id) + "\"><data key=\"kind\">" + std::string(to_string(n.kind)) +
            "</data><data key=\"name\">" + xml_escape(n.name) + "</data><data key=\"qname\">" +
            xml_escape(n.qualified_name) + "</data><data key=\"language\">" + std::string(to_string(n.lang)) +
            "</data><data key=\"file\">" + xml_escape(n.file) + "</data><data key=\"line\">" +
            std::to_string(n.name_pos.line) + "</data></node>\n");
      ++nodes;
      return true;
    });
    // Edges to unresolved or external targets have no node to point at: left out.
    if (st.ok())
      st = p->query->for_each_edge([&](const edge& e) {
        if (!e.resolved()) {
          ++skipped;
          return true;
        }
        write("    <edge source=\"n" + format_id(e.source) + "\" target=\"n" + format_id(e.target) +
              "\"><data key=\"ekind\">" + std::string(to_string(e.kind)) + "</data><data key=\"resolution\">" +
              std::string(to_string(e.how)) + "</data><data key=\"sites\">" + std::to_string(e.sites.size()) +
              "</data></edge>\n");
        ++edges;
        return true;
      });
    write("  </graph>\n</graphml>\n");
  }
  if (!st.ok()) return report_error(ctx.json, exit_runtime, st.err().message);
  std::fflush(f);
  if (!ctx.quiet && f != stdout)
    std::fprintf(
        stderr, "exported %zu nodes and %zu edges to %s%s\n", nodes, edges, args.output.c_str(),
        skipped ? (" (" + std::to_string(skipped) + " edges to unresolved or external targets left out)").c_str() : "");
  return exit_ok;
}

}  // namespace cg::cli
