#pragma once
#include <string>

#include "infoplane/io/csv.hpp"
#include "infoplane/io/npy.hpp"

namespace infoplane::io {

/// Reads .npy or .csv (by extension) into an N x d matrix.
inline Eigen::MatrixXd read_matrix(const std::string& path) {
  auto ends_with = [&](const char* s) {
    const std::string e(s);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(".npy")) return read_npy(path);
  if (ends_with(".csv")) return read_csv(path);
  infoplane::detail::raise<file_error>(path + ": unknown file type (need .npy or .csv)");
}

}  // namespace infoplane::io
