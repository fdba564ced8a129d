#pragma once
// Files and streams for the reader tests, written by the tests themselves.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <streambuf>
#include <string>

namespace infoplane::test {

// Per process, so that several builds' test runs on one machine do not share files.
inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("infoplane_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

inline std::string write_file(const std::string& name, const std::string& bytes) {
  const auto path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// A stream that cannot seek, like a pipe: a reader cannot learn the input's size up front.
struct pipe_buf : std::streambuf {
  explicit pipe_buf(std::string s) : data(std::move(s)) { setg(data.data(), data.data(), data.data() + data.size()); }
  std::string data;
};

}  // namespace infoplane::test
