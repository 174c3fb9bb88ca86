#include "actors/graph/builtins.hpp"

#include <algorithm>
#include <array>

namespace cg {
namespace {

// Sorted lists: looked up with binary search.
constexpr std::array python_names = std::to_array<std::string_view>({
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BlockingIOError",
    "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError", "ConnectionAbortedError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError",
    "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception", "False", "FileExistsError",
    "FileNotFoundError", "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
    "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError", "KeyError",
    "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "None",
    "NotADirectoryError", "NotImplemented", "NotImplementedError", "OSError", "OverflowError",
    "PendingDeprecationWarning", "PermissionError", "ProcessLookupError", "RecursionError", "ReferenceError",
    "ResourceWarning", "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True", "TypeError",
    "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
    "UnicodeWarning", "UserWarning", "ValueError", "Warning", "ZeroDivisionError", "__build_class__",
    "__debug__", "__import__", "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint",
    "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex", "copyright", "credits",
    "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "exit", "filter", "float", "format",
    "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance",
    "issubclass", "iter", "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next",
    "object", "oct", "open", "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round",
    "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip",
});

constexpr std::array js_names = std::to_array<std::string_view>({
    "AbortController", "Array", "ArrayBuffer", "BigInt", "Blob", "Boolean", "Buffer", "DataView", "Date",
    "Error", "EvalError", "Event", "EventTarget", "FormData", "Function", "Headers", "Infinity", "Int16Array",
    "Int32Array", "Int8Array", "Intl", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy",
    "RangeError", "ReferenceError", "Reflect", "RegExp", "Request", "Response", "Set", "SharedArrayBuffer",
    "String", "Symbol", "SyntaxError", "TextDecoder", "TextEncoder", "TypeError", "URIError", "URL",
    "URLSearchParams", "Uint16Array", "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef",
    "WeakSet", "WebSocket", "Worker", "XMLHttpRequest", "alert", "atob", "btoa", "cancelAnimationFrame",
    "clearImmediate", "clearInterval", "clearTimeout", "console", "decodeURI", "decodeURIComponent", "document",
    "encodeURI", "encodeURIComponent", "escape", "eval", "exports", "fetch", "globalThis", "isFinite", "isNaN",
    "module", "navigator", "parseFloat", "parseInt", "performance", "process", "queueMicrotask",
    "requestAnimationFrame", "require", "setImmediate", "setInterval", "setTimeout", "structuredClone",
    "undefined", "unescape", "window",
});

constexpr std::array go_names = std::to_array<std::string_view>({
    "any", "append", "bool", "byte", "cap", "clear", "close", "comparable", "complex", "complex128", "complex64",
    "copy", "delete", "error", "false", "float32", "float64", "imag", "int", "int16", "int32", "int64", "int8",
    "iota", "len", "make", "max", "min", "new", "nil", "panic", "print", "println", "real", "recover", "rune",
    "string", "true", "uint", "uint16", "uint32", "uint64", "uint8", "uintptr",
});

constexpr std::array java_names = std::to_array<std::string_view>({
    "ArithmeticException", "ArrayIndexOutOfBoundsException", "AssertionError", "AutoCloseable", "Boolean",
    "Byte", "CharSequence", "Character", "Class", "ClassCastException", "ClassLoader", "ClassNotFoundException",
    "CloneNotSupportedException", "Cloneable", "Comparable", "Deprecated", "Double", "Enum", "Error",
    "Exception", "FunctionalInterface", "IllegalAccessException", "IllegalArgumentException",
    "IllegalStateException", "IndexOutOfBoundsException", "Integer", "InterruptedException", "Iterable",
    "Long", "Math", "NullPointerException", "Number", "NumberFormatException", "Object", "Override",
    "Process", "Record", "Runnable", "Runtime", "RuntimeException", "SafeVarargs", "SecurityException", "Short",
    "StackOverflowError", "StrictMath", "String", "StringBuffer", "StringBuilder", "SuppressWarnings", "System",
    "Thread", "ThreadLocal", "Throwable", "UnsupportedOperationException", "Void",
});

constexpr std::array rust_names = std::to_array<std::string_view>({
    "Box", "Clone", "Copy", "Default", "Drop", "Eq", "Err", "Fn", "FnMut", "FnOnce", "From", "Into",
    "IntoIterator", "Iterator", "None", "Ok", "Option", "Ord", "PartialEq", "PartialOrd", "Result", "Send",
    "Sized", "Some", "String", "Sync", "ToOwned", "ToString", "Vec", "assert", "assert_eq", "assert_ne",
    "cfg", "column", "compile_error", "concat", "dbg", "debug_assert", "debug_assert_eq", "debug_assert_ne",
    "drop", "env", "eprint", "eprintln", "file", "format", "format_args", "include", "include_bytes",
    "include_str", "line", "matches", "module_path", "panic", "print", "println", "stringify", "todo",
    "unimplemented", "unreachable", "vec", "write", "writeln",
});

constexpr std::array c_names = std::to_array<std::string_view>({
    "abort", "abs", "assert", "atexit", "atof", "atoi", "atol", "bsearch", "calloc", "clock", "close", "exit",
    "fclose", "feof", "ferror", "fflush", "fgetc", "fgets", "fopen", "fprintf", "fputc", "fputs", "fread",
    "free", "freopen", "fscanf", "fseek", "ftell", "fwrite", "getc", "getchar", "getenv", "isalnum", "isalpha",
    "isdigit", "islower", "isspace", "isupper", "labs", "malloc", "memchr", "memcmp", "memcpy", "memmove",
    "memset", "open", "perror", "printf", "putc", "putchar", "puts", "qsort", "rand", "read", "realloc",
    "remove", "rename", "rewind", "scanf", "snprintf", "sprintf", "srand", "sscanf", "strcat", "strchr",
    "strcmp", "strcpy", "strcspn", "strdup", "strerror", "strlen", "strncat", "strncmp", "strncpy", "strndup",
    "strpbrk", "strrchr", "strspn", "strstr", "strtod", "strtok", "strtol", "strtoul", "system", "time",
    "tolower", "toupper", "ungetc", "vfprintf", "vprintf", "vsnprintf", "vsprintf", "write",
});

template <size_t N>
bool contains(const std::array<std::string_view, N>& a, std::string_view s) {
  return std::binary_search(a.begin(), a.end(), s);
}

}  // namespace

bool is_builtin_name(language lang, std::string_view name) {
  switch (lang) {
    case language::python: return contains(python_names, name);
    case language::javascript: case language::jsx: case language::typescript: case language::tsx:
      return contains(js_names, name);
    case language::go: return contains(go_names, name);
    case language::java: return contains(java_names, name);
    case language::rust: return contains(rust_names, name);
    case language::c: case language::cpp: return contains(c_names, name);
    case language::unknown: return false;
  }
  return false;
}

bool is_builtin_qualifier(language lang, std::string_view q) {
  auto head = q.substr(0, q.find_first_of(".:"));
  switch (lang) {
    case language::cpp: return head == "std";
    case language::rust: return head == "std" || head == "core" || head == "alloc";
    default: return is_builtin_name(lang, head);
  }
}

}  // namespace cg
