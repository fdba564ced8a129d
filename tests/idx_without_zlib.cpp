// Built without INFOPLANE_HAS_ZLIB: a gzip file must be refused with a message saying why,
// and a plain IDX file still read.
#include <cstdio>
#include <sstream>
#include <string>

#include "infoplane/io/idx.hpp"

#ifdef INFOPLANE_HAS_ZLIB
#error "this check must be built without zlib"
#endif

int main() {
  int failures = 0;
  std::istringstream gz(std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  try {
    infoplane::io::read_idx(gz, "labels.gz");
    std::puts("FAILED: a gzip file was accepted without zlib");
    ++failures;
  } catch (const infoplane::file_error& e) {
    const std::string what = e.what();
    const bool ok = what.find("labels.gz") != std::string::npos && what.find("without zlib") != std::string::npos;
    std::printf("%s gzip refused: %s\n", ok ? "ok    " : "FAILED", e.what());
    failures += !ok;
  }
  std::istringstream plain(std::string("\x00\x00\x08\x01\x00\x00\x00\x02\x07\x09", 10));
  const auto a = infoplane::io::read_idx(plain, "labels.idx");
  const bool ok = a.values.rows() == 2 && a.values(1, 0) == 9;
  std::printf("%s plain IDX read\n", ok ? "ok    " : "FAILED");
  failures += !ok;
  return failures == 0 ? 0 : 1;
}
