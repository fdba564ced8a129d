#pragma once
// Shared pieces of the figure programs: CSV output, a gnuplot run, progress on stderr, and the
// paper's toy problem with its quadrature truth.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "infoplane/infoplane.hpp"
#include "infoplane/validation/toy_truth.hpp"

namespace figures {

struct csv {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  void write(const std::string& path) const {
    std::ofstream f(path);
    for (std::size_t i = 0; i < columns.size(); ++i) f << (i ? "," : "") << columns[i];
    f << "\n";
    for (const auto& r : rows) {
      for (std::size_t i = 0; i < r.size(); ++i) f << (i ? "," : "") << r[i];
      f << "\n";
    }
  }
};

inline std::string num(double v) {
  if (!std::isfinite(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// Writes the gnuplot script next to the CSV and runs it; a missing gnuplot is a warning.
inline void plot(const std::string& script_path, const std::string& script) {
  std::ofstream(script_path) << script;
  const std::string cmd = "gnuplot '" + script_path + "'";
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    std::cerr << "  (gnuplot not found: wrote " << script_path << " but no PNG)\n";
    return;
  }
  if (std::system(cmd.c_str()) != 0) std::cerr << "  gnuplot failed on " << script_path << "\n";
}

class progress {
 public:
  explicit progress(std::string name) : name_(std::move(name)), t0_(std::chrono::steady_clock::now()) {}
  void operator()(const std::string& what) const {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    std::fprintf(stderr, "[%s %6.1fs] %s\n", name_.c_str(), s, what.c_str());
  }

 private:
  std::string name_;
  std::chrono::steady_clock::time_point t0_;
};

/// Per-dimension truth of the toy problem (units are independent: multiply by d).
inline infoplane::validation::toy_truth_1d truth(double noise_var) {
  static std::map<double, infoplane::validation::toy_truth_1d> cache;
  auto it = cache.find(noise_var);
  if (it == cache.end())
    it = cache.emplace(noise_var, infoplane::validation::toy_truth(infoplane::gaussian_dropout(infoplane::noise_variance(noise_var)))).first;
  return it->second;
}

/// Output folder from argv[1] (default out/figures), created if needed.
inline std::string out_dir(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "out/figures";
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace figures
