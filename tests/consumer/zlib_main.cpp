// Built against infoplane::zlib: gzip-compressed IDX must be readable (a gzip of the IDX
// labels 00 00 08 01 00 00 00 01 07, written by Python's gzip.compress with mtime 0).
#include <infoplane/io/idx.hpp>
#include <cstdio>
#include <sstream>
#include <string>

#ifndef INFOPLANE_HAS_ZLIB
#error "infoplane::zlib must define INFOPLANE_HAS_ZLIB"
#endif

int main() {
  static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xe0, 0x60, 0x64,
                                     0x60, 0x60, 0x60, 0x64, 0x07, 0x00, 0x8e, 0x2d, 0xc5, 0x99, 0x09, 0x00, 0x00, 0x00};
  std::istringstream in(std::string(reinterpret_cast<const char*>(gz), sizeof gz));
  const auto a = infoplane::io::read_idx(in, "labels.gz");
  if (a.values.rows() != 1 || a.values(0, 0) != 7) return 1;
  std::printf("consumer ok zlib\n");
  return 0;
}
