#pragma once
// Shared by the file readers: errors that name the file, bounded reads, checked sizes.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/detail/memory.hpp"
#include "infoplane/errors.hpp"

namespace infoplane::io::detail {

[[noreturn]] inline void fail(const std::string& name, const std::string& what) {
  infoplane::detail::raise<file_error>(name + ": " + what);
}

// The file at `path` opened for binary reading, or a file_error saying why not.
inline std::ifstream open_input(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a file");
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open file");
  return f;
}

// Bytes left in a seekable stream, or nullopt for a pipe.
inline std::optional<std::uint64_t> bytes_left(std::istream& in) {
  const auto here = in.tellg();
  if (here == std::streampos(-1)) return std::nullopt;
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  in.seekg(here);
  if (end == std::streampos(-1) || !in) {
    in.clear();
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(end - here);
}

// Reads exactly n bytes. The buffer grows with the bytes that actually arrive, so a size
// claimed by a header can never allocate more than the input holds.
inline void read_exact(std::istream& in, std::uint64_t n, std::vector<unsigned char>& out) {
  constexpr std::uint64_t chunk = std::uint64_t(1) << 20;
  out.clear();
  while (out.size() < n) {
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, n - out.size()));
    const std::size_t old = out.size();
    out.resize(old + take);
    in.read(reinterpret_cast<char*>(out.data() + old), static_cast<std::streamsize>(take));
    if (static_cast<std::size_t>(in.gcount()) != take) {
      out.resize(old + static_cast<std::size_t>(in.gcount()));
      return;
    }
  }
}

using infoplane::detail::checked_mul;

// Largest element count a reader accepts: an Eigen index, and its doubles addressable.
inline constexpr std::uint64_t max_elements =
    static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(double);

inline std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Text for messages: at most 40 characters of possibly hostile input.
inline std::string excerpt(const std::string& s) {
  return s.size() <= 40 ? s : s.substr(0, 37) + "...";
}

// Converts `count` values of type T stored in byte order `order` to doubles.
template <class T>
void decode(const unsigned char* raw, std::size_t count, std::endian order, double* out) {
  unsigned char bytes[sizeof(T)];
  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(bytes, raw + i * sizeof(T), sizeof(T));
    if (order != std::endian::native) std::reverse(bytes, bytes + sizeof(T));
    T v;
    std::memcpy(&v, bytes, sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

using decoder = void (*)(const unsigned char*, std::size_t, std::endian, double*);

}  // namespace infoplane::io::detail
