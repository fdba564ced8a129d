#pragma once
// One JSON object per result; keys that do not apply are null, and so are non-finite numbers
// (JSON has no Inf or NaN).
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "infoplane/results/estimate_result.hpp"

namespace infoplane::cli {

class json_object {
 public:
  json_object& add(const std::string& key, std::optional<double> v) {
    char buf[64] = "null";
    if (v && std::isfinite(*v)) std::snprintf(buf, sizeof buf, "%.17g", *v);
    return raw(key, buf);
  }
  json_object& add(const std::string& key, double v) { return add(key, std::optional<double>(v)); }
  json_object& add(const std::string& key, std::size_t v) { return raw(key, std::to_string(v)); }
  json_object& add(const std::string& key, const std::string& v) { return raw(key, "\"" + v + "\""); }
  json_object& add(const std::string& key, std::string_view v) { return add(key, std::string(v)); }
  json_object& add(const std::string& key, const char* v) { return add(key, std::string(v)); }

  [[nodiscard]] std::string str() const {
    std::string out = "{";
    for (std::size_t i = 0; i < fields_.size(); ++i)
      out += (i ? ", \"" : "\"") + fields_[i].first + "\": " + fields_[i].second;
    return out + "}";
  }

 private:
  json_object& raw(const std::string& key, std::string v) {
    fields_.emplace_back(key, std::move(v));
    return *this;
  }
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// The keys every estimate prints, in a fixed order.
inline json_object result_json(std::string_view estimator, const estimate_result& r, double seconds) {
  json_object j;
  j.add("estimator", estimator)
      .add("value", r.value)
      .add("std_error", r.std_error)
      .add("lower", r.lower)
      .add("upper", r.upper)
      .add("ceiling", r.ceiling)
      .add("kind", to_string(r.kind))
      .add("n_samples", r.n_samples)
      .add("seconds", seconds)
      .add("status", to_string(r.status));
  return j;
}

}  // namespace infoplane::cli
