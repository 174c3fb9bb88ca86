#include "schema/graphql/lexer.hpp"

#include <algorithm>
#include <vector>

namespace cg::gql {

std::string_view describe(token::kind k) {
  using K = token::kind;
  switch (k) {
    case K::eof: return "<EOF>";
    case K::bang: return "\"!\"";
    case K::dollar: return "\"$\"";
    case K::amp: return "\"&\"";
    case K::paren_l: return "\"(\"";
    case K::paren_r: return "\")\"";
    case K::spread: return "\"...\"";
    case K::colon: return "\":\"";
    case K::equals: return "\"=\"";
    case K::at: return "\"@\"";
    case K::bracket_l: return "\"[\"";
    case K::bracket_r: return "\"]\"";
    case K::brace_l: return "\"{\"";
    case K::pipe: return "\"|\"";
    case K::brace_r: return "\"}\"";
    case K::name: return "Name";
    case K::int_: return "Int";
    case K::float_: return "Float";
    case K::string: return "String";
    case K::block_string: return "BlockString";
  }
  return "?";
}

namespace {
bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_continue(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string char_desc(char c) {
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return buf;
  }
  return std::string("\"") + c + "\"";
}
}  // namespace

bool lexer::next(token& out, std::string& error) {
  // Skip ignored tokens.
  for (;;) {
    if (pos_ >= src_.size()) break;
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == ',') {
      ++pos_;
    } else if (c == '\n') {
      ++pos_;
      newline(pos_);
    } else if (c == '\r') {
      ++pos_;
      if (pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
      newline(pos_);
    } else if (c == '#') {
      while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
    } else if (src_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) {
      pos_ += 3;
    } else {
      break;
    }
  }
  out = token{};
  out.loc = here();
  if (pos_ >= src_.size()) return true;
  char c = src_[pos_];
  using K = token::kind;
  auto punct = [&](K k) {
    out.k = k;
    ++pos_;
    return true;
  };
  switch (c) {
    case '!': return punct(K::bang);
    case '$': return punct(K::dollar);
    case '&': return punct(K::amp);
    case '(': return punct(K::paren_l);
    case ')': return punct(K::paren_r);
    case ':': return punct(K::colon);
    case '=': return punct(K::equals);
    case '@': return punct(K::at);
    case '[': return punct(K::bracket_l);
    case ']': return punct(K::bracket_r);
    case '{': return punct(K::brace_l);
    case '|': return punct(K::pipe);
    case '}': return punct(K::brace_r);
    case '.':
      if (src_.compare(pos_, 3, "...") == 0) {
        out.k = K::spread;
        pos_ += 3;
        return true;
      }
      error = "Unexpected character: \".\".";
      return false;
    case '"':
      if (src_.compare(pos_, 3, "\"\"\"") == 0) return read_block_string(out, error);
      return read_string(out, error);
    default: break;
  }
  if (name_start(c)) {
    size_t start = pos_;
    while (pos_ < src_.size() && name_continue(src_[pos_])) ++pos_;
    out.k = K::name;
    out.value = std::string(src_.substr(start, pos_ - start));
    return true;
  }
  if (digit(c) || c == '-') return read_number(out, error);
  error = "Unexpected character: " + char_desc(c) + ".";
  return false;
}

bool lexer::read_number(token& out, std::string& error) {
  size_t start = pos_;
  bool is_float = false;
  auto digits = [&]() -> bool {
    if (pos_ >= src_.size() || !digit(src_[pos_])) {
      error = "Invalid number, expected digit but got: " +
              (pos_ >= src_.size() ? std::string("<EOF>") : char_desc(src_[pos_])) + ".";
      return false;
    }
    while (pos_ < src_.size() && digit(src_[pos_])) ++pos_;
    return true;
  };
  if (src_[pos_] == '-') ++pos_;
  if (pos_ < src_.size() && src_[pos_] == '0') {
    ++pos_;
    if (pos_ < src_.size() && digit(src_[pos_])) {
      error = "Invalid number, unexpected digit after 0: " + char_desc(src_[pos_]) + ".";
      return false;
    }
  } else if (!digits()) {
    return false;
  }
  if (pos_ < src_.size() && src_[pos_] == '.') {
    is_float = true;
    ++pos_;
    if (!digits()) return false;
  }
  if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
    is_float = true;
    ++pos_;
    if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
    if (!digits()) return false;
  }
  if (pos_ < src_.size() && (src_[pos_] == '.' || name_start(src_[pos_]))) {
    error = "Invalid number, expected digit but got: " + char_desc(src_[pos_]) + ".";
    return false;
  }
  out.k = is_float ? token::kind::float_ : token::kind::int_;
  out.value = std::string(src_.substr(start, pos_ - start));
  return true;
}

bool lexer::read_string(token& out, std::string& error) {
  ++pos_;  // the opening quote
  std::string v;
  while (pos_ < src_.size()) {
    unsigned char c = static_cast<unsigned char>(src_[pos_]);
    if (c == '"') {
      ++pos_;
      out.k = token::kind::string;
      out.value = std::move(v);
      return true;
    }
    if (c == '\n' || c == '\r') break;
    if (c < 0x20 && c != '\t') {
      error = "Invalid character within String: " + char_desc(static_cast<char>(c)) + ".";
      return false;
    }
    if (c != '\\') {
      v += static_cast<char>(c);
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= src_.size()) break;
    char e = src_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"': v += '"'; break;
      case '\\': v += '\\'; break;
      case '/': v += '/'; break;
      case 'b': v += '\b'; break;
      case 'f': v += '\f'; break;
      case 'n': v += '\n'; break;
      case 'r': v += '\r'; break;
      case 't': v += '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        auto read_hex4 = [&](uint32_t& got) {
          if (pos_ + 4 > src_.size()) return false;
          got = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex(src_[pos_ + i]);
            if (h < 0) return false;
            got = got << 4 | static_cast<uint32_t>(h);
          }
          pos_ += 4;
          return true;
        };
        if (pos_ < src_.size() && src_[pos_] == '{') {  // \u{1F600}
          size_t p = pos_ + 1;
          int n = 0;
          while (p < src_.size() && src_[p] != '}' && hex(src_[p]) >= 0 && n < 8) {
            cp = cp << 4 | static_cast<uint32_t>(hex(src_[p]));
            ++p;
            ++n;
          }
          if (p >= src_.size() || src_[p] != '}' || n == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            error = "Invalid Unicode escape sequence.";
            return false;
          }
          pos_ = p + 1;
        } else {
          if (!read_hex4(cp)) {
            error = "Invalid Unicode escape sequence.";
            return false;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
            uint32_t lo = 0;
            if (src_.compare(pos_, 2, "\\u") == 0) {
              pos_ += 2;
              if (!read_hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) {
                error = "Invalid Unicode escape sequence.";
                return false;
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              error = "Invalid Unicode escape sequence.";
              return false;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            error = "Invalid Unicode escape sequence.";
            return false;
          }
        }
        append_utf8(v, cp);
        break;
      }
      default: error = std::string("Invalid character escape sequence: \"\\") + e + "\"."; return false;
    }
  }
  error = "Unterminated string.";
  return false;
}

bool lexer::read_block_string(token& out, std::string& error) {
  pos_ += 3;
  std::string raw;
  while (pos_ < src_.size()) {
    if (src_.compare(pos_, 3, "\"\"\"") == 0) {
      pos_ += 3;
      out.k = token::kind::block_string;
      out.value = block_string_value(raw);
      return true;
    }
    if (src_.compare(pos_, 4, "\\\"\"\"") == 0) {
      raw += "\"\"\"";
      pos_ += 4;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(src_[pos_]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      error = "Invalid character within String: " + char_desc(static_cast<char>(c)) + ".";
      return false;
    }
    raw += static_cast<char>(c);
    ++pos_;
    if (c == '\n') {
      newline(pos_);
    } else if (c == '\r') {
      if (pos_ < src_.size() && src_[pos_] == '\n') {
        raw += '\n';
        ++pos_;
      }
      newline(pos_);
    }
  }
  error = "Unterminated string.";
  return false;
}

std::string block_string_value(std::string_view raw) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i <= raw.size(); ++i) {
    if (i == raw.size() || raw[i] == '\n' || raw[i] == '\r') {
      lines.push_back(raw.substr(start, i - start));
      if (i < raw.size() && raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  auto indent_of = [](std::string_view l) {
    size_t n = 0;
    while (n < l.size() && (l[n] == ' ' || l[n] == '\t')) ++n;
    return n;
  };
  size_t common = std::string_view::npos;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t ind = indent_of(lines[i]);
    if (ind == lines[i].size()) continue;  // blank
    common = std::min(common, ind);
  }
  std::vector<std::string_view> out(lines.begin(), lines.end());
  if (common != std::string_view::npos)
    for (size_t i = 1; i < out.size(); ++i) out[i] = out[i].substr(std::min(common, out[i].size()));
  auto blank = [&](std::string_view l) { return indent_of(l) == l.size(); };
  size_t first = 0, last = out.size();
  while (first < last && blank(out[first])) ++first;
  while (last > first && blank(out[last - 1])) --last;
  std::string s;
  for (size_t i = first; i < last; ++i) {
    if (i > first) s += '\n';
    s += out[i];
  }
  return s;
}

}  // namespace cg::gql
