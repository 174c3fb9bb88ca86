#include "actors/version/layer_info.hpp"

#include "storage/store.hpp"

namespace cg {

std::optional<layer_info> describe_layer(const store& db, uint32_t proj) {
  auto base = db.layer_of(proj);
  if (!base.ok() || !*base) return std::nullopt;
  layer_info out;
  out.version = (*base)->version;
  if (auto all = db.projects(); all.ok())
    for (const auto& [name, id] : *all)
      if (id == (*base)->project) out.over = name;
  if (auto rec = db.version((*base)->project, (*base)->version); rec.ok()) out.commit = rec->commit;
  return out;
}

}  // namespace cg
