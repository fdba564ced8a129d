// Time per training step of infoplane's DoE (Gaussian) and separable-critic InfoNCE, for the
// same width and batch as benchmarks/torch_peer.py. Prints JSON lines.
// usage: neural_step DIM HIDDEN BATCH STEPS
#include <chrono>
#include <cstdio>
#include <string>

#include "infoplane/estimators/neural/doe.hpp"
#include "infoplane/estimators/neural/variational.hpp"
#include "support/correlated_gaussians.hpp"

int main(int argc, char** argv) {
  using namespace infoplane;
  if (argc != 5) {
    std::fprintf(stderr, "usage: neural_step DIM HIDDEN BATCH STEPS\n");
    return 2;
  }
  const std::size_t dim = std::stoul(argv[1]), hidden = std::stoul(argv[2]), batch = std::stoul(argv[3]),
                    steps = std::stoul(argv[4]);
  const auto g = test::correlated_gaussians(batch * 50, dim, 0.5, 1);
  const neural::training_options o{.hidden = hidden, .steps = steps, .batch = batch, .lr = 1e-3, .clip = 1.0};
  auto time = [&](auto est, const char* name) {
    const auto t0 = std::chrono::steady_clock::now();
    est.fit(paired_samples{g.x, g.y});
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"impl\": \"infoplane\", \"model\": \"%s\", \"ms_per_step\": %.4f}\n", name, 1e3 * s / double(steps));
  };
  time(doe(o), "doe");
  time(infonce_bound({.train = o, .embedding = 32}), "infonce");
}
