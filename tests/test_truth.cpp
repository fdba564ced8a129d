// The quadrature truth itself is checked against limits it must satisfy, so that a broken
// oracle cannot silently pass the estimator tests.
#include <catch2/catch.hpp>
#include <cmath>

#include "infoplane/validation/toy_truth.hpp"
#include "support/two_component_truth.hpp"

using namespace infoplane;

TEST_CASE("toy truth: h(Z|X) matches its closed-form pieces", "[truth]") {
  // For U ~ N(b, a^2) with b = 0: E log|U| = log a - (gamma + log 2) / 2.
  const double gamma = 0.57721566490153286061;
  const auto t = validation::toy_truth(gaussian_dropout(noise_variance(0.1)), {2.0, 0.0});
  const double expected = 0.5 * std::log(2 * M_PI * M_E * 0.1) + std::log(2.0) - 0.5 * (gamma + std::log(2.0));
  CHECK(t.h_z_given_x == Approx(expected).epsilon(1e-10));
}

TEST_CASE("toy truth: small noise approaches the additive-noise limit", "[truth]") {
  // As s -> 0, Z = U + s U eps tends to U, so h(Z) -> h(U) = 1/2 log(2 pi e a^2), from above.
  const auto t = validation::toy_truth(gaussian_dropout(noise_variance(0.003)));
  const double h_u = 0.5 * std::log(2 * M_PI * M_E * 4.0);
  CHECK(t.h_z > h_u);
  CHECK(t.h_z == Approx(h_u).margin(3e-3));
}

TEST_CASE("toy truth: MI decreases with noise and stays positive", "[truth]") {
  const double a = validation::toy_truth(gaussian_dropout(noise_variance(0.1))).mi;
  const double b = validation::toy_truth(gaussian_dropout(noise_variance(0.4))).mi;
  const double c = validation::toy_truth(gaussian_dropout(noise_variance(2.0))).mi;
  CHECK(a > b);
  CHECK(b > c);
  CHECK(c > 0);
}

TEST_CASE("two-component truth: identical components carry no information", "[truth]") {
  CHECK(test::two_component_mi(1.0, 0.3, 1.0, 0.3) == Approx(0.0).margin(1e-10));
  CHECK(test::two_component_mi(0.0, 0.01, 5.0, 0.01) == Approx(std::log(2.0)).epsilon(1e-9));
}
