// The command-line parser of `infoplane`: the input is argv, its arguments separated by NUL
// bytes (at most 48). run_infoplane runs parse-only: every flag and value is checked and the
// estimators are built from their options, but no file is read and nothing is computed. A bad
// command line must end as an exit status with a message; anything else escaping aborts.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "infoplane_app.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::vector<std::string> args = {"infoplane"};
  std::string arg;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(data[i]));
    }
  }
  if (!arg.empty()) args.push_back(arg);
  if (args.size() > 48) return 0;
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  const int rc = infoplane::cli::app::run_infoplane(static_cast<int>(args.size()), argv.data(), {out, err, true});
  // A failure must say why.
  if (rc != 0 && err.str().empty()) __builtin_trap();
  return 0;
}
