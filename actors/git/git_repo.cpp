#include "actors/git/git_repo.hpp"

#include <git2.h>

#include <algorithm>
#include <mutex>
#include <optional>

namespace cg {
namespace {

std::string last_git_error(std::string_view what) {
  const git_error* e = git_error_last();
  return std::string(what) + ": " + (e && e->message ? e->message : "unknown libgit2 error");
}

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });  // never shut down: process lifetime
}

template <class T, void (*Free)(T*)>
struct owned {
  T* p = nullptr;
  owned() = default;
  owned(const owned&) = delete;
  owned& operator=(const owned&) = delete;
  owned(owned&& o) noexcept : p(o.p) { o.p = nullptr; }
  owned& operator=(owned&&) = delete;
  ~owned() {
    if (p) Free(p);
  }
};
using object_ptr = owned<git_object, git_object_free>;
using commit_ptr = owned<git_commit, git_commit_free>;
using tree_ptr = owned<git_tree, git_tree_free>;
using blob_ptr = owned<git_blob, git_blob_free>;
using odb_ptr = owned<git_odb, git_odb_free>;
using revwalk_ptr = owned<git_revwalk, git_revwalk_free>;

std::string hex(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return buf;
}

git_commit_info describe(const git_commit* c) {
  git_commit_info info;
  info.sha = hex(git_commit_id(c));
  if (const git_signature* a = git_commit_author(c)) {
    info.author = a->name ? a->name : "";
    info.email = a->email ? a->email : "";
  }
  info.time = static_cast<int64_t>(git_commit_time(c));
  if (const char* m = git_commit_message(c)) info.message = m;
  while (!info.message.empty() && (info.message.back() == '\n' || info.message.back() == '\r')) info.message.pop_back();
  info.summary = info.message.substr(0, info.message.find('\n'));
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) info.parents.push_back(hex(git_commit_parent_id(c, i)));
  return info;
}

result<git_oid> resolve_commit(git_repository* repo, std::string_view rev) {
  std::string spec(rev);
  object_ptr obj;
  if (git_revparse_single(&obj.p, repo, spec.c_str()) != 0) {
    auto message = last_git_error("unknown revision '" + spec + "'");
    if (git_repository_is_shallow(repo) == 1)
      message +=
          " (a shallow clone: its history ends at the shallow boundary; `git fetch --unshallow` brings the rest)";
    return make_error(errc::not_found, message);
  }
  object_ptr peeled;
  if (git_object_peel(&peeled.p, obj.p, GIT_OBJECT_COMMIT) != 0)
    return make_error(errc::invalid_argument, "'" + spec + "' does not name a commit");
  return *git_object_id(peeled.p);
}

struct walk_payload {
  git_odb* odb;
  std::vector<git_tree_entry_info>* out;
  std::string error;
};

int on_entry(const char* root, const git_tree_entry* e, void* p) {
  auto& w = *static_cast<walk_payload*>(p);
  const git_filemode_t mode = git_tree_entry_filemode(e);
  if (mode == GIT_FILEMODE_TREE) return 0;
  git_tree_entry_info f;
  f.path = std::string(root) + git_tree_entry_name(e);
  f.blob = hex(git_tree_entry_id(e));
  if (mode == GIT_FILEMODE_LINK)
    f.what = git_tree_entry_info::kind::link;
  else if (mode == GIT_FILEMODE_COMMIT)
    f.what = git_tree_entry_info::kind::submodule;
  if (f.what != git_tree_entry_info::kind::submodule) {
    size_t len = 0;
    git_object_t type{};
    if (git_odb_read_header(&len, &type, w.odb, git_tree_entry_id(e)) != 0) {
      w.error = last_git_error("cannot read " + f.path);  // a missing object: corrupt or partial clone
      return -1;
    }
    f.size = len;
  }
  w.out->push_back(std::move(f));
  return 0;
}

}  // namespace

git_repo::git_repo(::git_repository* r) : repo_(r) {
  if (const char* wd = git_repository_workdir(r)) root_ = wd;
  git_dir_ = git_repository_path(r);
  for (auto* s : {&root_, &git_dir_})
    while (s->size() > 1 && s->back() == '/') s->pop_back();
  // The work tree names the repository only when the repository can be found from it
  // again (a bare mirror's config may still name one): else the git directory does.
  if (!root_.empty() && git_dir_ != root_ + "/.git") {
    git_repository* probe = nullptr;
    if (git_repository_open_ext(&probe, root_.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) root_.clear();
    git_repository_free(probe);
  }
  if (root_.empty()) root_ = git_dir_;
}

git_repo::~git_repo() { git_repository_free(repo_); }

result<std::unique_ptr<git_repo>> git_repo::open(const std::string& path) {
  init_once();
  git_repository* r = nullptr;
  if (git_repository_open_ext(&r, path.c_str(), 0, nullptr) != 0)
    return make_error(errc::not_found, last_git_error("not a git repository: " + path));
  return std::unique_ptr<git_repo>(new git_repo(r));
}

result<git_commit_info> git_repo::commit(std::string_view rev) const {
  auto id = resolve_commit(repo_, rev);
  if (!id.ok()) return id.err();
  commit_ptr c;
  if (git_commit_lookup(&c.p, repo_, &*id) != 0) return make_error(errc::corrupt, last_git_error("cannot read commit"));
  return describe(c.p);
}

result<std::vector<git_commit_info>> git_repo::range(std::string_view spec) const {
  auto dots = spec.find("..");
  if (dots == std::string_view::npos) {
    auto one = commit(spec);
    if (!one.ok()) return one.err();
    return std::vector<git_commit_info>{*one};
  }
  if (spec.substr(dots + 2).starts_with("."))
    return make_error(errc::invalid_argument, "'" + std::string(spec) + "': A...B is not supported, use A..B");
  std::string_view from = spec.substr(0, dots), to = spec.substr(dots + 2);
  auto head = resolve_commit(repo_, to.empty() ? "HEAD" : to);
  if (!head.ok()) return head.err();
  revwalk_ptr walk;
  if (git_revwalk_new(&walk.p, repo_) != 0) return make_error(errc::internal, last_git_error("revwalk"));
  git_revwalk_sorting(walk.p, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  git_revwalk_simplify_first_parent(walk.p);
  if (git_revwalk_push(walk.p, &*head) != 0) return make_error(errc::corrupt, last_git_error("cannot walk"));
  std::optional<git_oid> base;
  if (!from.empty()) {
    auto b = resolve_commit(repo_, from);
    if (!b.ok()) return b.err();
    base = *b;
    if (git_revwalk_hide(walk.p, &*base) != 0) return make_error(errc::corrupt, last_git_error("cannot walk"));
  }
  std::vector<git_commit_info> out;
  git_oid id;
  int rc = 0;
  while ((rc = git_revwalk_next(&id, walk.p)) == 0) {
    commit_ptr c;
    if (git_commit_lookup(&c.p, repo_, &id) != 0)
      return make_error(errc::corrupt, last_git_error("cannot read commit " + hex(&id)));
    out.push_back(describe(c.p));
  }
  if (rc == GIT_ITEROVER) return out;
  // libgit2 1.5 walks into the parents a shallow clone lacks: there, the first-parent
  // line from `to` back to `from` (or to the boundary, for a range without a start).
  if (shallow()) return first_parent_line(hex(&*head), base ? hex(&*base) : std::string(), spec);
  return make_error(errc::corrupt, last_git_error("history walk failed"));
}

result<std::vector<git_commit_info>> git_repo::first_parent_line(const std::string& to, const std::string& from,
                                                                 std::string_view spec) const {
  std::vector<git_commit_info> line;
  auto c = commit(to);
  if (!c.ok()) return c.err();
  while (c->sha != from) {
    line.push_back(*c);
    if (c->parents.empty()) break;
    auto parent = commit(c->parents.front());
    if (!parent.ok()) {
      if (from.empty()) break;  // the boundary ends a range without a start
      return make_error(errc::not_found, "'" + std::string(spec) +
                                             "': its start is not on the first-parent line of its end within this "
                                             "shallow clone (`git fetch --unshallow` brings the rest)");
    }
    c = std::move(parent);
  }
  if (!from.empty() && c->sha != from)
    return make_error(errc::not_found, "'" + std::string(spec) + "': its start is not an ancestor of its end");
  return std::vector<git_commit_info>(line.rbegin(), line.rend());
}

namespace {
result<tree_ptr> tree_of(git_repository* repo, const std::string& sha) {
  git_oid id;
  if (git_oid_fromstr(&id, sha.c_str()) != 0) return make_error(errc::invalid_argument, "bad commit id " + sha);
  commit_ptr c;
  if (git_commit_lookup(&c.p, repo, &id) != 0)
    return make_error(errc::not_found, last_git_error("cannot read commit " + sha));
  tree_ptr tree;
  if (git_commit_tree(&tree.p, c.p) != 0) return make_error(errc::corrupt, last_git_error("cannot read its tree"));
  return tree;
}
using diff_ptr = owned<git_diff, git_diff_free>;
}  // namespace

result<std::vector<git_tree_entry_info>> git_repo::files(const std::string& sha) const {
  auto tree = tree_of(repo_, sha);
  if (!tree.ok()) return tree.err();
  odb_ptr odb;
  if (git_repository_odb(&odb.p, repo_) != 0) return make_error(errc::corrupt, last_git_error("object database"));
  std::vector<git_tree_entry_info> out;
  walk_payload w{odb.p, &out, {}};
  if (git_tree_walk(tree->p, GIT_TREEWALK_PRE, on_entry, &w) != 0)
    return make_error(errc::corrupt, w.error.empty() ? last_git_error("cannot walk the tree") : w.error);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

result<size_t> git_repo::paths_changed(const std::string& from_sha, const std::string& to_sha) const {
  auto a = tree_of(repo_, from_sha);
  if (!a.ok()) return a.err();
  auto b = tree_of(repo_, to_sha);
  if (!b.ok()) return b.err();
  diff_ptr d;
  if (git_diff_tree_to_tree(&d.p, repo_, a->p, b->p, nullptr) != 0)
    return make_error(errc::corrupt, last_git_error("cannot compare the trees"));
  return static_cast<size_t>(git_diff_num_deltas(d.p));
}

result<std::string> git_repo::blob(std::string_view hex_id, uint64_t max_bytes) const {
  git_oid id;
  std::string s(hex_id);
  if (git_oid_fromstr(&id, s.c_str()) != 0) return make_error(errc::invalid_argument, "bad blob id " + s);
  blob_ptr b;
  if (git_blob_lookup(&b.p, repo_, &id) != 0) return make_error(errc::corrupt, last_git_error("cannot read blob " + s));
  auto size = static_cast<uint64_t>(git_blob_rawsize(b.p));
  if (size > max_bytes) return make_error(errc::too_large, "blob " + s + " is larger than the limit");
  const auto* data = static_cast<const char*>(git_blob_rawcontent(b.p));
  return std::string(data, data + size);
}

bool git_repo::shallow() const { return git_repository_is_shallow(repo_) == 1; }

std::string git_repo::head_branch() const {
  git_reference* head = nullptr;
  if (git_repository_head(&head, repo_) != 0) return {};
  std::string out;
  if (git_reference_is_branch(head)) {
    const char* name = nullptr;
    if (git_branch_name(&name, head) == 0 && name) out = name;
  }
  git_reference_free(head);
  return out;
}

std::vector<std::pair<std::string, std::string>> git_repo::named_commits() const {
  std::vector<std::pair<std::string, std::string>> out;
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo_) != 0) return out;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    std::string name = git_reference_name(ref);
    std::string as;
    if (name.starts_with("refs/heads/"))
      as = "branch/" + name.substr(11);
    else if (name.starts_with("refs/tags/"))
      as = "tag/" + name.substr(10);
    git_object* peeled = nullptr;
    if (!as.empty() && git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
      out.emplace_back(as, hex(git_object_id(peeled)));
      git_object_free(peeled);
    }
    git_reference_free(ref);
  }
  git_reference_iterator_free(it);
  return out;
}

std::string git_repo::common_dir() const {
  std::string d = git_repository_commondir(repo_);
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

int64_t git_repo::stamp(std::string_view hex_id) {
  uint64_t v = 0;
  for (size_t i = 0; i < 15 && i < hex_id.size(); ++i) {
    char c = hex_id[i];
    v = v * 16 + static_cast<uint64_t>(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
  }
  return static_cast<int64_t>(v);  // 60 bits: always positive
}

result<std::vector<line_hunk>> diff_lines(std::string_view before, std::string_view after) {
  init_once();
  std::vector<line_hunk> out;
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  auto on_hunk = [](const git_diff_delta*, const git_diff_hunk* h, void* payload) -> int {
    static_cast<std::vector<line_hunk>*>(payload)->push_back(
        {static_cast<uint32_t>(h->old_start), static_cast<uint32_t>(h->old_lines), static_cast<uint32_t>(h->new_start),
         static_cast<uint32_t>(h->new_lines)});
    return 0;
  };
  int rc = git_diff_buffers(before.data(), before.size(), nullptr, after.data(), after.size(), nullptr, &opts, nullptr,
                            nullptr, on_hunk, nullptr, &out);
  if (rc != 0) return make_error(errc::internal, last_git_error("diff"));
  return out;
}

}  // namespace cg
