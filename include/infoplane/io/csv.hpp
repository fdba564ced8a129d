#pragma once
// Numeric CSV: one sample per line, comma-separated, optional header line of names. Errors
// name the file, line and column.
#include <Eigen/Core>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <vector>

#include "infoplane/errors.hpp"

namespace infoplane::io {

inline Eigen::MatrixXd read_csv(const std::string& path) {
  std::ifstream f(path);
  if (!f) infoplane::detail::raise<file_error>(path + ": cannot open file");
  std::vector<double> values;
  std::size_t cols = 0, rows = 0, line_no = 0;
  std::string line;
  while (std::getline(f, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<double> row;
    bool numeric = true;
    std::size_t start = 0;
    while (true) {
      const std::size_t end = std::min(line.find(',', start), line.size());
      std::string cell = line.substr(start, end - start);
      const auto b = cell.find_first_not_of(" \t"), e = cell.find_last_not_of(" \t");
      cell = b == std::string::npos ? "" : cell.substr(b, e - b + 1);
      double v = 0;
      const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (cell.empty() || ec != std::errc{} || p != cell.data() + cell.size()) {
        if (rows == 0 && values.empty()) {
          numeric = false;  // a header line
        } else {
          infoplane::detail::raise<file_error>(path + ": line " + std::to_string(line_no) + ", column " +
                                               std::to_string(row.size() + 1) + ": '" + cell + "' is not a number");
        }
      }
      row.push_back(v);
      if (end == line.size()) break;
      start = end + 1;
    }
    if (!numeric) {
      if (cols == 0) cols = row.size();
      continue;
    }
    if (cols == 0) cols = row.size();
    if (row.size() != cols)
      infoplane::detail::raise<file_error>(path + ": line " + std::to_string(line_no) + " has " +
                                           std::to_string(row.size()) + " columns, expected " + std::to_string(cols));
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) infoplane::detail::raise<file_error>(path + ": no data rows");
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = values[i * cols + j];
  return m;
}


}  // namespace infoplane::io
