#pragma once
// Shared by the libFuzzer entry points: any input must give a result or an
// infoplane::file_error. Anything else escaping (std::bad_alloc, std::out_of_range, ...)
// aborts, and libFuzzer reports it as a crash, as it does any sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <sstream>
#include <string>

#include "infoplane/errors.hpp"

namespace infoplane::test {

template <class Read>
int fuzz_reader(const std::uint8_t* data, std::size_t size, Read read) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    read(in);
  } catch (const infoplane::file_error&) {
  }
  return 0;
}

}  // namespace infoplane::test
