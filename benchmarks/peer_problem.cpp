// Writes the kernel workload (means, variances, samples) as .npy for the NumPy peer, then
// times infoplane's kernels on exactly that workload and prints one JSON line per kernel.
// usage: peer_problem OUTDIR N M d [noise_var]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "support/kernel_problem.hpp"

namespace {

// Minimal .npy (v1.0) writer for a C-order float64 matrix; enough for this benchmark.
void write_npy(const std::string& path, const double* data, std::size_t rows, std::size_t cols) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ').push_back('\n');
  std::ofstream f(path, std::ios::binary);
  const unsigned short len = static_cast<unsigned short>(header.size());
  f.write("\x93NUMPY\x01\x00", 8);
  f.write(reinterpret_cast<const char*>(&len), 2);
  f << header;
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(rows * cols * sizeof(double)));
}

template <class T>
void time_kernels(const infoplane::test::kernel_problem<T>& pr, const char* type) {
  using namespace infoplane;
  for (auto [kernel, name] : {std::pair{mixture_kernel::simd_brute_force, "brute"}, {mixture_kernel::simd_pruned, "pruned"}}) {
    const mixture_evaluator<T> ev(pr.mixture(), kernel);
    std::vector<double> out(pr.p);
    double best = 1e300, h = 0;
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      ev.parallel(pr.samples(), out.data(), pr.own_log_weight.data(), 0);  // plug-in: own included
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    h = 0;
    for (std::size_t i = 0; i < pr.p; ++i) {
      const double a = out[i], w = pr.own_log_weight[i], m = std::max(a, w);
      h -= m + std::log(std::exp(a - m) + std::exp(w - m)) - std::log(double(pr.k));
    }
    std::printf("{\"impl\": \"infoplane-%s-%s\", \"seconds\": %.4f, \"h_z\": %.12f}\n", name, type, best, h / pr.p);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: peer_problem OUTDIR N M d [noise_var]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::size_t n = std::stoul(argv[2]), m = std::stoul(argv[3]), d = std::stoul(argv[4]);
  const double var = argc > 5 ? std::stod(argv[5]) : 0.1;
  const auto pr = infoplane::test::make_kernel_problem<double>(n * m, n, d, var);
  std::vector<double> variances(n * d);
  for (std::size_t i = 0; i < n * d; ++i) variances[i] = 0.5 / pr.half_prec[i];
  write_npy(dir + "/means.npy", pr.mean.data(), n, d);
  write_npy(dir + "/variances.npy", variances.data(), n, d);
  write_npy(dir + "/samples.npy", pr.z.data(), n * m, d);
  time_kernels(pr, "double");
  time_kernels(infoplane::test::make_kernel_problem<float>(n * m, n, d, var), "float");
}
