// The server's backups over REST (admin): GET and POST /api/v1/admin/backups,
// POST /api/v1/admin/backups/{id}/verify, POST /api/v1/admin/backups/{id}/restore.
// Backups go to the configured backup directory ([server] backup_dir); a restore goes
// into a new directory under it (DIR/restored/NAME), never over a store, never where
// a request names: a token cannot make the server write elsewhere.
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "net/app/app.hpp"
#include "schema/client_json.hpp"
#include "storage/backup.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

bool parse_backup_id(const std::string& s, uint32_t& id) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  id = static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 10));
  return id != 0;
}

bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 100 || s.front() == '.') return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// The body as an object ({} when empty).
result<json> body_object(const api_request& req) {
  if (req.body.empty()) return json::object();
  auto parsed = parse_client_json(req.body);
  if (!parsed.ok()) return parsed.err();
  if (!parsed->is_object()) return make_error(errc::invalid_argument, "the body must be a JSON object");
  return *parsed;
}

api_reply list(app& a, api_request& req) {
  const auto& dir = a.options().backup_dir;
  json arr = json::array();
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    auto all = list_backups(dir);
    if (!all.ok()) return error_of(req, all.err());
    for (const auto& b : *all) arr.push_back(to_json(b));
  }
  return ok_json(json({{"dir", dir}, {"backups", arr}}).dump());
}

api_reply create(app& a, api_request& req) {
  auto body = body_object(req);
  if (!body.ok()) return bad_request(req, body.err().message);
  if (body->contains("note") && !(*body)["note"].is_string()) return bad_request(req, "note is a string");
  auto note = body->value("note", std::string());
  auto b = a.eng().backup(a.options().backup_dir, note);
  if (!b.ok()) return error_of(req, b.err());
  a.audit(req, "backup.create", std::to_string(b->id));
  return ok_json(to_json(*b).dump(), 201);
}

api_reply verify(app& a, api_request& req) {
  uint32_t id = 0;
  if (!parse_backup_id(req.params.at("id"), id)) return bad_request(req, "a backup id is a positive number");
  auto all = list_backups(a.options().backup_dir);
  if (!all.ok()) return error_of(req, all.err());
  bool known = false;
  for (const auto& b : *all) known = known || b.id == id;
  if (!known) return error_response(404, "not_found", "no backup " + std::to_string(id), req.request_id);
  auto s = verify_backup(a.options().backup_dir, id);
  return ok_json(json({{"id", id}, {"ok", s.ok()}, {"error", s.ok() ? "" : s.err().message}}).dump());
}

api_reply restore(app& a, api_request& req) {
  uint32_t id = 0;
  if (!parse_backup_id(req.params.at("id"), id)) return bad_request(req, "a backup id is a positive number");
  auto body = body_object(req);
  if (!body.ok()) return bad_request(req, body.err().message);
  auto name = body->value("name", std::string());
  if (!(*body)["name"].is_string() || !plain_name(name))
    return bad_request(req, "give {\"name\": NAME}: letters, digits, '-', '_' and '.', not starting with '.'");
  auto target = (std::filesystem::path(a.options().backup_dir) / "restored" / name).string();
  std::error_code ec;
  if (std::filesystem::exists(target, ec))
    return error_response(409, "conflict", "restored/" + name + " exists: choose another name", req.request_id);
  auto r = restore_backup(a.options().backup_dir, id, target);
  if (!r.ok()) return error_of(req, r.err());
  a.audit(req, "backup.restore", std::to_string(id) + " " + target);
  return ok_json(json({{"restored", to_json(r->backup)}, {"data_dir", target}, {"search", r->search}}).dump(), 201);
}

}  // namespace

void register_admin_routes(app& a, router& r) {
  r.bind("GET", "/api/v1/admin/backups", [&a](api_request& req) { return list(a, req); });
  r.bind("POST", "/api/v1/admin/backups", [&a](api_request& req) { return create(a, req); });
  r.bind("POST", "/api/v1/admin/backups/{id}/verify", [&a](api_request& req) { return verify(a, req); });
  r.bind("POST", "/api/v1/admin/backups/{id}/restore", [&a](api_request& req) { return restore(a, req); });
}

}  // namespace cg::net
