#pragma once
// JSON output through nlohmann/json (strings escaped properly), printed as one object per line
// with ", " and ": " between fields, as the program always has. Keys that do not apply are
// null, and so are non-finite numbers (JSON has no Inf or NaN).
#include <nlohmann/json.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "infoplane/results/estimate_result.hpp"

namespace infoplane::cli {

using json = nlohmann::ordered_json;

inline json number_or_null(std::optional<double> v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }

/// One line: {"a": 1, "b": "x"}; nested values compact.
inline std::string one_line(const json& j) {
  if (!j.is_object()) return j.dump();
  std::string out = "{";
  for (auto it = j.begin(); it != j.end(); ++it)
    out += (it == j.begin() ? "" : ", ") + json(it.key()).dump() + ": " + it.value().dump();
  return out + "}";
}

/// The keys every estimate prints, in a fixed order.
inline json result_json(std::string_view estimator, const estimate_result& r, double seconds) {
  json j;
  j["estimator"] = estimator;
  j["value"] = number_or_null(r.value);
  j["std_error"] = number_or_null(r.std_error);
  j["lower"] = number_or_null(r.lower);
  j["upper"] = number_or_null(r.upper);
  j["ceiling"] = number_or_null(r.ceiling);
  j["kind"] = to_string(r.kind);
  j["n_samples"] = r.n_samples;
  j["seconds"] = seconds;
  j["status"] = to_string(r.status);
  return j;
}

}  // namespace infoplane::cli
