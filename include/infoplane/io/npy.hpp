#pragma once
// NumPy .npy files (format versions 1, 2 and 3): float32/float64 and (u)int8..64, little-endian,
// C or Fortran order, 0-, 1- or 2-D. Everything malformed, truncated or unsupported throws
// infoplane::file_error naming the file and the problem.
#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "infoplane/io/detail/common.hpp"

namespace infoplane::io {

namespace detail {

// Value of `key` in the header dict, as raw text up to the next top-level ',' or '}'.
inline std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) fail(path, "malformed .npy header: no '" + key + "' field");
  auto pos = header.find(':', at);
  if (pos == std::string::npos) fail(path, "malformed .npy header near '" + key + "'");
  ++pos;
  int depth = 0;
  std::string out;
  for (; pos < header.size(); ++pos) {
    const char c = header[pos];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    out += c;
  }
  const auto b = out.find_first_not_of(" \t"), e = out.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

template <class T>
void convert(const char* raw, std::size_t count, double* out) {
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

}  // namespace detail

/// Reads a .npy file into an N x d matrix of doubles (a 1-D array becomes N x 1).
inline Eigen::MatrixXd read_npy(const std::string& path) {
  using detail::fail;
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open file");
  char magic[8];
  if (!f.read(magic, 8)) fail(path, "truncated: shorter than the .npy preamble");
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic string)");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) fail(path, "unsupported .npy format version " + std::to_string(major));
  std::uint32_t header_len = 0;
  unsigned char len_bytes[4] = {0, 0, 0, 0};
  if (!f.read(reinterpret_cast<char*>(len_bytes), major == 1 ? 2 : 4)) fail(path, "truncated .npy header length");
  header_len = len_bytes[0] | (len_bytes[1] << 8) | (std::uint32_t(len_bytes[2]) << 16) | (std::uint32_t(len_bytes[3]) << 24);
  if (header_len > (1u << 24)) fail(path, "malformed .npy header: implausible length");
  std::string header(header_len, '\0');
  if (!f.read(header.data(), header_len)) fail(path, "truncated .npy header");
  if (header.find('{') == std::string::npos || header.find('}') == std::string::npos)
    fail(path, "malformed .npy header: not a dict");

  std::string descr = detail::header_field(header, "descr", path);
  if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"')) fail(path, "malformed dtype " + descr);
  descr = descr.substr(1, descr.size() - 2);
  const std::string order = detail::header_field(header, "fortran_order", path);
  if (order != "True" && order != "False") fail(path, "malformed fortran_order '" + order + "'");
  const bool fortran = order == "True";
  std::string shape_text = detail::header_field(header, "shape", path);
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    fail(path, "malformed shape " + shape_text);
  std::vector<std::size_t> shape;
  {
    std::string inner = shape_text.substr(1, shape_text.size() - 2), tok;
    for (std::size_t i = 0; i <= inner.size(); ++i) {
      if (i == inner.size() || inner[i] == ',') {
        const auto b = tok.find_first_not_of(" "), e = tok.find_last_not_of(" ");
        if (b != std::string::npos) {
          const std::string t = tok.substr(b, e - b + 1);
          if (t.find_first_not_of("0123456789") != std::string::npos) fail(path, "malformed shape " + shape_text);
          shape.push_back(std::stoull(t));
        }
        tok.clear();
      } else {
        tok += inner[i];
      }
    }
  }
  if (shape.size() > 2) fail(path, "unsupported: " + std::to_string(shape.size()) + "-D array (need 1-D or 2-D)");
  const std::size_t rows = shape.empty() ? 1 : shape[0], cols = shape.size() == 2 ? shape[1] : 1;

  if (descr.size() < 3) fail(path, "malformed dtype '" + descr + "'");
  const char endian = descr[0], kind = descr[1];
  const std::string width_text = descr.substr(2);
  if (width_text.find_first_not_of("0123456789") != std::string::npos) fail(path, "unsupported dtype '" + descr + "'");
  const int width = std::stoi(width_text);
  if (endian == '>' ) fail(path, "unsupported: big-endian dtype '" + descr + "'");
  if (endian != '<' && endian != '|' && endian != '=') fail(path, "malformed dtype '" + descr + "'");
  void (*conv)(const char*, std::size_t, double*) = nullptr;
  if (kind == 'f' && width == 8) conv = detail::convert<double>;
  else if (kind == 'f' && width == 4) conv = detail::convert<float>;
  else if (kind == 'i' && width == 1) conv = detail::convert<std::int8_t>;
  else if (kind == 'i' && width == 2) conv = detail::convert<std::int16_t>;
  else if (kind == 'i' && width == 4) conv = detail::convert<std::int32_t>;
  else if (kind == 'i' && width == 8) conv = detail::convert<std::int64_t>;
  else if (kind == 'u' && width == 1) conv = detail::convert<std::uint8_t>;
  else if (kind == 'u' && width == 2) conv = detail::convert<std::uint16_t>;
  else if (kind == 'u' && width == 4) conv = detail::convert<std::uint32_t>;
  else if (kind == 'u' && width == 8) conv = detail::convert<std::uint64_t>;
  else if (kind == 'b' && width == 1) conv = detail::convert<std::uint8_t>;
  else fail(path, "unsupported dtype '" + descr + "' (need float32/64 or integer)");

  const std::size_t count = rows * cols;
  if (count > (std::size_t(1) << 34) / static_cast<std::size_t>(width)) fail(path, "array too large");
  std::vector<char> raw(count * static_cast<std::size_t>(width));
  if (!f.read(raw.data(), static_cast<std::streamsize>(raw.size())))
    fail(path, "truncated data: expected " + std::to_string(raw.size()) + " bytes for shape " + shape_text);
  std::vector<double> values(count);
  conv(raw.data(), count, values.data());
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = fortran ? values[j * rows + i] : values[i * cols + j];
  return m;
}

/// Writes an N x d matrix as a C-order float64 .npy file (version 1.0).
template <class Derived>
void write_npy(const std::string& path, const Eigen::DenseBase<Derived>& m) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) + ", " +
                       std::to_string(m.cols()) + "), }";
  header.append(63 - (10 + header.size()) % 64, ' ').push_back('\n');  // total preamble: multiple of 64
  std::ofstream f(path, std::ios::binary);
  if (!f) detail::fail(path, "cannot open for writing");
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  const unsigned char len_le[2] = {static_cast<unsigned char>(len & 0xff), static_cast<unsigned char>(len >> 8)};
  f.write("\x93NUMPY\x01\x00", 8);
  f.write(reinterpret_cast<const char*>(len_le), 2);
  f << header;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      const double v = static_cast<double>(m(i, j));
      f.write(reinterpret_cast<const char*>(&v), sizeof v);
    }
  if (!f) detail::fail(path, "write failed");
}

}  // namespace infoplane::io
