#pragma once
// NumPy .npy files (format versions 1, 2 and 3): float32/float64 and (u)int8..64, little-endian,
// C or Fortran order, 0-, 1- or 2-D. Everything malformed, truncated or unsupported throws
// infoplane::file_error naming the file and the problem (float16 and big-endian say what to do).
// Sizes in the header are checked against the input before anything is allocated.
// read_npy_rows reads a range of rows only (the rows an MPI process needs, say).
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
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
  return std::string(trim(out));
}

// Non-negative decimal integer, or nullopt (also on overflow of 64 bits).
inline std::optional<std::uint64_t> parse_uint(const std::string& t) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc{} || p != t.data() + t.size()) return std::nullopt;
  return v;
}

inline std::vector<std::uint64_t> parse_shape(const std::string& shape_text, const std::string& name) {
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    fail(name, "malformed shape " + excerpt(shape_text));
  std::vector<std::uint64_t> shape;
  const std::string inner = shape_text.substr(1, shape_text.size() - 2);
  std::size_t start = 0;
  while (start <= inner.size()) {
    const std::size_t end = std::min(inner.find(',', start), inner.size());
    const std::string tok(trim(std::string_view(inner).substr(start, end - start)));
    start = end + 1;
    if (tok.empty() && end == inner.size()) break;  // "(3,)" and "()"
    const auto v = parse_uint(tok);
    if (!v) {
      if (tok.find_first_not_of("0123456789") == std::string::npos && !tok.empty())
        fail(name, "shape " + excerpt(shape_text) + ": dimension " + excerpt(tok) + " does not fit in 64 bits");
      fail(name, "malformed shape " + excerpt(shape_text));
    }
    shape.push_back(*v);
  }
  return shape;
}

inline decoder npy_decoder(char kind, std::uint64_t width, const std::string& descr, const std::string& name) {
  if (kind == 'f' && width == 8) return decode<double>;
  if (kind == 'f' && width == 4) return decode<float>;
  if (kind == 'f' && width == 2)
    fail(name, "float16 dtype '" + excerpt(descr) + "' is not supported: save it as float32 (a.astype(np.float32))");
  if (kind == 'i' && width == 1) return decode<std::int8_t>;
  if (kind == 'i' && width == 2) return decode<std::int16_t>;
  if (kind == 'i' && width == 4) return decode<std::int32_t>;
  if (kind == 'i' && width == 8) return decode<std::int64_t>;
  if ((kind == 'u' || kind == 'b') && width == 1) return decode<std::uint8_t>;
  if (kind == 'u' && width == 2) return decode<std::uint16_t>;
  if (kind == 'u' && width == 4) return decode<std::uint32_t>;
  if (kind == 'u' && width == 8) return decode<std::uint64_t>;
  fail(name, "unsupported dtype '" + excerpt(descr) + "' (need float32/64 or integer)");
}

}  // namespace detail

/// What a .npy header says, checked against the input's size where that is known.
struct npy_header {
  std::uint64_t rows = 0, cols = 0;  ///< a 1-D array is N x 1, a 0-D one 1 x 1
  std::uint64_t width = 0;           ///< bytes per element
  bool fortran = false;
  std::uint64_t data_offset = 0;     ///< bytes from the start of the array to its first element
  bool size_checked = false;         ///< the input's size was known (a file, not a pipe)
  std::string shape_text;            ///< the header's shape, for messages
  detail::decoder decode = nullptr;
};

/// Reads the header of the .npy array at the start of `in` and leaves `in` at its first element.
/// `name` (a file name, say) starts every error message.
inline npy_header read_npy_header(std::istream& in, const std::string& name) {
  using detail::fail;
  const auto size = detail::bytes_left(in);
  std::vector<unsigned char> buf;
  detail::read_exact(in, 8, buf);
  if (buf.size() < 8) fail(name, "truncated: shorter than the .npy preamble");
  if (std::memcmp(buf.data(), "\x93NUMPY", 6) != 0) fail(name, "not a .npy file (bad magic string)");
  const int major = buf[6];
  if (major < 1 || major > 3) fail(name, "unsupported .npy format version " + std::to_string(major));
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  detail::read_exact(in, len_bytes, buf);
  if (buf.size() < len_bytes) fail(name, "truncated .npy header length");
  std::uint32_t header_len = 0;
  for (std::size_t i = len_bytes; i-- > 0;) header_len = header_len << 8 | buf[i];
  if (header_len > (1u << 24)) fail(name, "malformed .npy header: implausible length");
  const std::uint64_t preamble = 8 + len_bytes;
  if (size && *size < preamble + header_len) fail(name, "truncated .npy header");
  detail::read_exact(in, header_len, buf);
  if (buf.size() < header_len) fail(name, "truncated .npy header");
  const std::string header(buf.begin(), buf.end());
  if (header.find('{') == std::string::npos || header.find('}') == std::string::npos)
    fail(name, "malformed .npy header: not a dict");

  std::string descr = detail::header_field(header, "descr", name);
  if (descr.size() < 5 || (descr.front() != '\'' && descr.front() != '"') || descr.back() != descr.front())
    fail(name, "malformed dtype " + detail::excerpt(descr));
  descr = descr.substr(1, descr.size() - 2);
  const std::string order = detail::header_field(header, "fortran_order", name);
  if (order != "True" && order != "False") fail(name, "malformed fortran_order '" + detail::excerpt(order) + "'");
  npy_header h;
  h.fortran = order == "True";
  const std::string shape_field = detail::header_field(header, "shape", name);
  const auto shape = detail::parse_shape(shape_field, name);
  h.shape_text = detail::excerpt(shape_field);
  if (shape.size() > 2) fail(name, "unsupported: " + std::to_string(shape.size()) + "-D array (need 1-D or 2-D)");
  h.rows = shape.empty() ? 1 : shape[0];
  h.cols = shape.size() == 2 ? shape[1] : 1;

  const char endian = descr[0], kind = descr[1];
  const auto width = detail::parse_uint(descr.substr(2));
  if (!width) fail(name, "unsupported dtype '" + detail::excerpt(descr) + "'");
  if (endian == '>')
    fail(name, "unsupported: big-endian dtype '" + detail::excerpt(descr) +
                   "' (save it with a.astype(a.dtype.newbyteorder('<')))");
  if (endian != '<' && endian != '|' && endian != '=') fail(name, "malformed dtype '" + detail::excerpt(descr) + "'");
  h.decode = detail::npy_decoder(kind, *width, descr, name);
  h.width = *width;

  const auto count = detail::checked_mul(h.rows, h.cols, detail::max_elements);
  if (!count || h.rows > detail::max_elements || h.cols > detail::max_elements)
    fail(name, "shape " + h.shape_text + " is too large to hold in memory");
  const std::uint64_t bytes = *count * h.width;  // width <= 8, so no overflow
  h.data_offset = preamble + header_len;
  h.size_checked = size.has_value();
  const std::uint64_t present = size ? *size - h.data_offset : bytes;
  if (present < bytes)
    fail(name, "truncated data: shape " + h.shape_text + " needs " + std::to_string(bytes) +
                   " bytes, the file holds " + std::to_string(present));
  if (present > bytes)
    fail(name, std::to_string(present - bytes) + " bytes after the data of shape " + h.shape_text +
                   " (several arrays in one file are not supported)");
  return h;
}

namespace detail {

// Rows [begin, end) of the array whose header `h` was read from `in`. The whole array is read
// in order (no seeking: `in` may be a pipe); a part of it, by seeking from the array's start
// (C order: one run of bytes; Fortran order: one per column). From a file (size checked) a
// megabyte's worth of elements at a time is decoded into the matrix, so the peak is the matrix
// and that megabyte; from a pipe the bytes are read first, so that a size the header
// claims allocates nothing before the bytes arrive.
inline Eigen::MatrixXd read_npy_block(std::istream& in, const npy_header& h, std::uint64_t begin, std::uint64_t end,
                                      const std::string& name) {
  const bool whole = begin == 0 && end == h.rows;
  const auto truncated = [&] {
    fail(name, "truncated data: expected " + std::to_string(h.rows * h.cols * h.width) + " bytes for shape " +
                   h.shape_text);
  };
  std::vector<unsigned char> buf;
  std::size_t at_byte = 0;  // into buf, when it holds the whole array
  if (!h.size_checked) {
    if (!whole) fail(name, "a range of rows needs a file, not a stream of unknown size");
    read_exact(in, h.rows * h.cols * h.width, buf);
    if (buf.size() < h.rows * h.cols * h.width) truncated();
  }
  const auto r = static_cast<Eigen::Index>(end - begin), c = static_cast<Eigen::Index>(h.cols);
  Eigen::MatrixXd m(r, c);
  if (m.size() == 0) return m;  // shape (10^14, 0) is valid: no looping over 10^14 empty rows
  const auto seek = [&](std::uint64_t element) {
    if (whole) return;
    in.clear();
    in.seekg(static_cast<std::streamoff>(h.data_offset + element * h.width));
    if (!in) fail(name, "cannot seek to row " + std::to_string(begin) + " of shape " + h.shape_text);
  };
  std::vector<double> values;
  // `count` elements from the current position, `per_chunk` at a time: put(first, n) each.
  const auto stream = [&](std::uint64_t count, std::uint64_t per_chunk, auto&& put) {
    for (std::uint64_t done = 0; done < count;) {
      const std::uint64_t n = std::min(per_chunk, count - done);
      const unsigned char* raw = buf.data() + at_byte;
      if (h.size_checked) {
        read_exact(in, n * h.width, buf);
        if (buf.size() < n * h.width) truncated();
        raw = buf.data();
      } else {
        at_byte += static_cast<std::size_t>(n * h.width);
      }
      values.resize(static_cast<std::size_t>(n));
      h.decode(raw, values.size(), std::endian::little, values.data());
      put(done, n);
      done += n;
    }
  };
  constexpr std::uint64_t per_mb = std::uint64_t{1} << 17;  // elements: a megabyte as doubles
  if (h.fortran) {
    for (Eigen::Index j = 0; j < c; ++j) {
      seek(static_cast<std::uint64_t>(j) * h.rows + begin);
      stream(static_cast<std::uint64_t>(r), per_mb, [&](std::uint64_t at, std::uint64_t n) {
        std::copy_n(values.data(), n, m.col(j).data() + at);
      });
    }
  } else {
    seek(begin * h.cols);
    const std::uint64_t cols = h.cols, rows_per_chunk = std::max<std::uint64_t>(1, per_mb / cols);
    stream(static_cast<std::uint64_t>(r) * cols, rows_per_chunk * cols, [&](std::uint64_t at, std::uint64_t n) {
      for (std::uint64_t i = 0; i < n / cols; ++i)
        for (std::uint64_t j = 0; j < cols; ++j)
          m(static_cast<Eigen::Index>(at / cols + i), static_cast<Eigen::Index>(j)) = values[i * cols + j];
    });
  }
  return m;
}

}  // namespace detail

/// Reads one .npy array from `in` into an N x d matrix of doubles (a 1-D array becomes N x 1);
/// `name` (a file name, say) starts every error message. The array must end the input.
inline Eigen::MatrixXd read_npy(std::istream& in, const std::string& name) {
  const npy_header h = read_npy_header(in, name);
  Eigen::MatrixXd m = detail::read_npy_block(in, h, 0, h.rows, name);
  if (!h.size_checked && m.size() > 0 && in.peek() != std::char_traits<char>::eof())
    detail::fail(name, "bytes after the data of shape " + h.shape_text);
  return m;
}

/// Reads a .npy file into an N x d matrix of doubles (a 1-D array becomes N x 1).
inline Eigen::MatrixXd read_npy(const std::string& path) {
  std::ifstream f = detail::open_input(path);
  return read_npy(f, path);
}

/// The header of a .npy file (shape, dtype, order), its size checked; reads no data.
inline npy_header read_npy_header(const std::string& path) {
  std::ifstream f = detail::open_input(path);
  return read_npy_header(f, path);
}

/// Rows [begin, end) of a .npy file (the array at its start) as an (end - begin) x d matrix of
/// doubles, reading only those rows' bytes: read_npy(path).middleRows(begin, end - begin).
inline Eigen::MatrixXd read_npy_rows(const std::string& path, std::uint64_t begin, std::uint64_t end) {
  std::ifstream f = detail::open_input(path);
  const npy_header h = read_npy_header(f, path);
  if (begin > end || end > h.rows)
    detail::fail(path, "rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") lie outside shape " +
                           h.shape_text);
  return detail::read_npy_block(f, h, begin, end, path);
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
