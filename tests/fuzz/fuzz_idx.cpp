// Plain and gzip-compressed IDX (gzip where the build found zlib: infoplane::zlib).
#include "fuzz_target.hpp"
#include "infoplane/io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return infoplane::test::fuzz_reader(data, size, [](std::istream& in) { return infoplane::io::read_idx(in, "<fuzz>"); });
}
