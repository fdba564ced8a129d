#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: magic 00 00 TT DD (TT the element type,
// DD the number of dimensions), DD big-endian uint32 sizes, then the elements, big-endian,
// row-major. Plain or gzip-compressed (recognised by the gzip magic 1f 8b, not the name);
// .gz needs zlib: link infoplane::zlib, which defines INFOPLANE_HAS_ZLIB. Everything
// malformed, truncated or unsupported throws infoplane::file_error naming the file.
#include <Eigen/Core>
#include <bit>
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <istream>
#include <optional>
#include <streambuf>
#include <string>
#include <vector>

#include "infoplane/io/detail/common.hpp"

#ifdef INFOPLANE_HAS_ZLIB
#include <zlib.h>
#endif

namespace infoplane::io {

/// An IDX array as an N x (product of the other sizes) matrix, and the sizes as stored.
struct idx_array {
  Eigen::MatrixXd values;          ///< images 60000 x 28 x 28 become 60000 x 784; labels N become N x 1
  std::vector<std::size_t> dims;   ///< e.g. {60000, 28, 28}
  std::uint8_t type_code = 0;      ///< 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
};

namespace detail {

#ifdef INFOPLANE_HAS_ZLIB
// Inflates gzip data from `src` on demand, member after member, so that the reader above
// never holds more than the bytes it asked for.
class gzip_buf : public std::streambuf {
 public:
  // `prefix`: bytes already taken from `src` (the magic number that identified gzip).
  gzip_buf(std::istream& src, const std::string& name, const std::vector<unsigned char>& prefix)
      : src_(src), name_(name) {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) fail(name_, "cannot initialise zlib");
    std::copy(prefix.begin(), prefix.end(), in_.begin());
    z_.next_in = in_.data();
    z_.avail_in = static_cast<uInt>(prefix.size());
  }
  gzip_buf(const gzip_buf&) = delete;
  gzip_buf& operator=(const gzip_buf&) = delete;
  ~gzip_buf() override { inflateEnd(&z_); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    while (true) {
      if (z_.avail_in == 0) {
        src_.read(reinterpret_cast<char*>(in_.data()), static_cast<std::streamsize>(in_.size()));
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(src_.gcount());
        if (z_.avail_in == 0) {
          if (in_member_) fail(name_, "truncated gzip data");
          return traits_type::eof();
        }
      }
      z_.next_out = out_.data();
      z_.avail_out = static_cast<uInt>(out_.size());
      in_member_ = true;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const std::size_t produced = out_.size() - z_.avail_out;
      if (rc == Z_STREAM_END) {
        in_member_ = false;  // gzip allows several members back to back
        inflateReset(&z_);
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z_.avail_in == 0)) {
        fail(name_, std::string("corrupt gzip data (zlib: ") + (z_.msg ? z_.msg : "error " + std::to_string(rc)) + ")");
      }
      if (produced > 0) {
        char* b = reinterpret_cast<char*>(out_.data());
        setg(b, b, b + produced);
        return traits_type::to_int_type(*b);
      }
    }
  }

 private:
  std::istream& src_;
  std::string name_;
  z_stream z_{};
  bool in_member_ = false;
  std::vector<unsigned char> in_ = std::vector<unsigned char>(1 << 16), out_ = std::vector<unsigned char>(1 << 16);
};
#endif

struct idx_type {
  std::uint8_t code;
  std::size_t width;
  decoder decode;
};

inline const idx_type* find_idx_type(std::uint8_t code) {
  static const idx_type types[] = {{0x08, 1, decode<std::uint8_t>}, {0x09, 1, decode<std::int8_t>},
                                   {0x0B, 2, decode<std::int16_t>}, {0x0C, 4, decode<std::int32_t>},
                                   {0x0D, 4, decode<float>},        {0x0E, 8, decode<double>}};
  for (const auto& t : types)
    if (t.code == code) return &t;
  return nullptr;
}

inline std::string hex_bytes(const unsigned char* p, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

// The IDX array after its 4-byte `magic`; `size` is the bytes left in `in` where known.
inline idx_array parse_idx(std::istream& in, const unsigned char* magic, std::optional<std::uint64_t> size,
                           const std::string& name) {
  if (magic[0] != 0 || magic[1] != 0) fail(name, "not an IDX file (magic " + hex_bytes(magic, 4) + ")");
  const idx_type* type = find_idx_type(magic[2]);
  if (!type) fail(name, "unsupported IDX element type 0x" + hex_bytes(magic + 2, 1));
  const std::size_t ndims = magic[3];
  if (ndims == 0) fail(name, "IDX file with no dimensions");
  std::vector<unsigned char> buf;
  read_exact(in, 4 * ndims, buf);
  if (buf.size() < 4 * ndims) fail(name, "truncated IDX header: " + std::to_string(ndims) + " sizes expected");
  idx_array out;
  out.type_code = type->code;
  std::uint64_t rest = 1;  // the product of the sizes after the first: one row
  for (std::size_t k = 0; k < ndims; ++k) {
    const unsigned char* p = buf.data() + 4 * k;
    out.dims.push_back(std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3]);
    const auto r = checked_mul(rest, k == 0 ? 1 : out.dims.back(), max_elements);
    if (!r) fail(name, "IDX sizes overflow: more than " + std::to_string(max_elements) + " elements per row");
    rest = *r;
  }
  const auto count = checked_mul(out.dims[0], rest, max_elements);
  if (!count) fail(name, "IDX sizes overflow: more than " + std::to_string(max_elements) + " elements");
  const std::uint64_t bytes = *count * type->width, header = 4 * ndims;
  if (size && *size < header + bytes)
    fail(name, "truncated IDX data: the sizes need " + std::to_string(bytes) + " bytes, the file holds " +
                   std::to_string(*size - std::min(*size, header)));
  if (size && *size > header + bytes) fail(name, std::to_string(*size - header - bytes) + " bytes after the IDX data");
  read_exact(in, bytes, buf);
  if (buf.size() < bytes)
    fail(name, "truncated IDX data: the sizes need " + std::to_string(bytes) + " bytes, got " + std::to_string(buf.size()));
  if (!size && in.peek() != std::char_traits<char>::eof()) fail(name, "bytes after the IDX data");
  const auto rows = static_cast<Eigen::Index>(out.dims[0]), cols = static_cast<Eigen::Index>(rest);
  out.values.resize(rows, cols);
  if (*count == 0) return out;  // sizes (2^32 - 1, 0) are valid: no looping over empty rows
  std::vector<double> row(static_cast<std::size_t>(cols));
  for (Eigen::Index i = 0; i < rows; ++i) {  // row-major on disk, column-major in memory
    type->decode(buf.data() + static_cast<std::size_t>(i * cols) * type->width, row.size(), std::endian::big, row.data());
    out.values.row(i) = Eigen::Map<const Eigen::RowVectorXd>(row.data(), cols);
  }
  return out;
}

}  // namespace detail

// The readers differ with and without zlib: distinct names keep a program that mixes both
// kinds of translation unit free of ODR violations.
#ifdef INFOPLANE_HAS_ZLIB
inline namespace with_zlib {
#else
inline namespace without_zlib {
#endif

/// Reads an IDX array, plain or gzip-compressed, from `in`; `name` starts every error message.
inline idx_array read_idx(std::istream& in, const std::string& name) {
  const auto size = detail::bytes_left(in);
  std::vector<unsigned char> magic;
  detail::read_exact(in, 4, magic);
  if (magic.size() >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
#ifdef INFOPLANE_HAS_ZLIB
    detail::gzip_buf buf(in, name, magic);
    std::istream inflated(&buf);
    inflated.exceptions(std::ios::badbit);  // let gzip_buf's file_error through
    detail::read_exact(inflated, 4, magic);
    if (magic.size() < 4) detail::fail(name, "truncated: the gzip data is shorter than the IDX magic number");
    return detail::parse_idx(inflated, magic.data(), std::nullopt, name);
#else
    detail::fail(name, "gzip-compressed, but infoplane was built without zlib (link infoplane::zlib, "
                       "which defines INFOPLANE_HAS_ZLIB, or gunzip the file)");
#endif
  }
  if (magic.size() < 4) detail::fail(name, "truncated: shorter than the IDX magic number");
  return detail::parse_idx(in, magic.data(), size ? std::optional<std::uint64_t>(*size - 4) : std::nullopt, name);
}

/// Reads an IDX file, plain or gzip-compressed.
inline idx_array read_idx(const std::string& path) {
  std::ifstream f = detail::open_input(path);
  return read_idx(f, path);
}

}  // inline namespace with_zlib / without_zlib

}  // namespace infoplane::io
