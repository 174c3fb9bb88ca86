#pragma once
// Small string helpers shared by the resolver's translation units.
#include <string>
#include <string_view>
#include <vector>

namespace cg::resolve_util {

// Splits a qualifier on "::", "." and "->": "a.b->c::d" -> {a, b, c, d}.
std::vector<std::string_view> split_path(std::string_view q);
std::string join(const std::vector<std::string_view>& parts, std::string_view sep, size_t from = 0,
                 size_t to = std::string::npos);
// Splits on `sep` ("." or "::"), dropping empty parts: "a..b" -> {a, b}.
std::vector<std::string> split_words(std::string_view s, std::string_view sep);
std::string join_words(const std::vector<std::string>& parts, std::string_view sep);
// Rust: crate::, self::, super:: made absolute against the file's module path.
std::string rust_absolute(std::string_view file_module, std::string_view path);
// Strips generic arguments, pointers, references and arrays: "const Foo<T>*&" -> "Foo".
std::string_view bare_type(std::string_view t);
// Normalises "a/./b/../c" -> "a/c" (leading ".." that escape the root are dropped).
std::string normalize_path(std::string_view p);
// Length of the common directory prefix of two paths (for "nearest" tie-breaks).
size_t common_prefix(std::string_view a, std::string_view b);
// Python: the parameter an argument lands in, from the function's parameter list as the
// extractor gives it ("self,x,*,key,*args,**kw"): a position (after `skip` bound ones,
// such as self) or a keyword; spread when it goes into *args or **kwargs. Empty if none.
std::string_view parameter_for(std::string_view list, std::string_view slot, size_t skip, bool& spread);

}  // namespace cg::resolve_util
