// The seed-layout folder of `infoplane ip`: the input describes up to 8 files (name and small
// contents) written to a fresh temporary folder, then scan_directory, the cross-entropy and
// label readers and run_ip (tiny data, one thread, no output files) run on it. Input format:
// records of  name-length byte, name, content-length byte, content.  Names are reduced to
// one path component. Problems must end as infoplane::file_error / invalid_argument (or as an
// (epoch, split) refused inside run_ip); anything else escaping aborts.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "ip_command.hpp"

namespace fs = std::filesystem;

namespace {

// Fixed prefixes make the fuzzer reach the layout's names quickly: the first name byte picks one.
const char* const prefixes[] = {"", "no_noise_train_representations_", "no_noise_test_representations_",
                                "alpha_train_", "alpha_test_", "train_labels", "test_labels", "cross_entropy"};

fs::path fresh_dir() {
  static const fs::path root = fs::temp_directory_path() / ("infoplane-fuzz-ip-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root);
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path dir = fresh_dir();
  std::size_t i = 0;
  for (int files = 0; files < 8 && i < size; ++files) {
    const std::size_t name_len = data[i++] % 48;
    if (i + name_len > size || name_len == 0) break;
    std::string name = prefixes[data[i] % 8];
    name.append(reinterpret_cast<const char*>(data + i + 1), name_len - 1);
    i += name_len;
    if (i >= size) break;
    const std::size_t content_len = data[i++];
    if (i + content_len > size) break;
    for (char& c : name)
      if (c == '/' || c == '\0') c = '_';
    if (name.empty() || name == "." || name == ".." || name.size() > 200) continue;
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(data + i), std::streamsize(content_len));
    i += content_len;
  }
  try {
    const auto in = infoplane::ip::scan_directory(dir.string());
    if (in.cross_entropy) infoplane::ip::read_cross_entropy(*in.cross_entropy);
    for (const auto& labels : {in.train_labels, in.test_labels})
      if (labels) infoplane::ip::read_labels(*labels);
    infoplane::ip::ip_options o;
    o.dir = dir.string();
    o.noise_var = 0.1;
    o.threads = 1;
    o.quiet = true;
    o.write_files = false;
    std::ostringstream progress, summary;
    infoplane::ip::run_ip(o, progress, summary);
  } catch (const infoplane::file_error&) {
  } catch (const infoplane::invalid_argument&) {
  }
  return 0;
}
