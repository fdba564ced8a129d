// Reads any supported .npy and writes it back as float64, for the NumPy interop test.
#include <cstdio>
#include <exception>

#include "infoplane/io/npy.hpp"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  try {
    infoplane::io::write_npy(argv[2], infoplane::io::read_npy(argv[1]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
