#pragma once
// Numeric CSV: one sample per line, comma-separated. The first line is a header of names
// only when none of its fields is a number; any other field that is not a number is an error
// naming the file, line and column, so no row is ever skipped quietly. Blank lines are ignored.
#include <Eigen/Core>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <istream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "infoplane/io/detail/common.hpp"

namespace infoplane::io {

namespace detail {

enum class csv_field { number, not_number, out_of_range };

inline csv_field parse_csv_field(std::string_view cell, double& v) {
  // std::from_chars rejects the leading '+' that spreadsheets and printf("%+g") write.
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '+' && cell[1] != '-') cell.remove_prefix(1);
  if (cell.empty()) return csv_field::not_number;
  const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (p != cell.data() + cell.size()) return csv_field::not_number;
  if (ec == std::errc::result_out_of_range) return csv_field::out_of_range;
  return ec == std::errc{} ? csv_field::number : csv_field::not_number;
}

[[noreturn]] inline void csv_bad_field(const std::string& name, std::size_t line, std::size_t col,
                                       std::string_view cell, csv_field kind, const std::string& hint) {
  const std::string shown = "'" + excerpt(std::string(cell)) + "'";
  fail(name, "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                 (kind == csv_field::out_of_range ? shown + " is out of the range of a double"
                  : cell.empty()                  ? "empty field" + hint
                                                  : shown + " is not a number" + hint));
}

}  // namespace detail

/// Reads CSV text from `in`; `name` (a file name, say) starts every error message.
inline Eigen::MatrixXd read_csv(std::istream& in, const std::string& name) {
  std::vector<double> values, row;
  std::vector<detail::csv_field> kinds;
  std::vector<std::string_view> cells;
  std::size_t cols = 0, rows = 0, line_no = 0;
  bool first = true;
  std::string text;
  while (std::getline(in, text)) {
    ++line_no;
    std::string_view line(text);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 byte-order mark
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (detail::trim(line).empty()) continue;
    row.clear();
    kinds.clear();
    cells.clear();
    for (std::size_t start = 0;;) {
      const std::size_t end = std::min(line.find(',', start), line.size());
      cells.push_back(detail::trim(line.substr(start, end - start)));
      double v = 0;
      kinds.push_back(detail::parse_csv_field(cells.back(), v));
      row.push_back(v);
      if (end == line.size()) break;
      start = end + 1;
    }
    const bool header = first && std::all_of(kinds.begin(), kinds.end(),
                                             [](detail::csv_field k) { return k == detail::csv_field::not_number; });
    for (std::size_t j = 0; !header && j < kinds.size(); ++j)
      if (kinds[j] != detail::csv_field::number)
        detail::csv_bad_field(name, line_no, j + 1, cells[j], kinds[j],
                              first ? " (a header line must have no numeric field)" : "");
    if (first) cols = row.size();
    first = false;
    if (row.size() != cols)
      detail::fail(name, "line " + std::to_string(line_no) + " has " + std::to_string(row.size()) +
                             " columns, expected " + std::to_string(cols));
    if (header) continue;
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (in.bad()) detail::fail(name, "read error after line " + std::to_string(line_no));
  if (rows == 0) detail::fail(name, "no data rows");
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = values[i * cols + j];
  return m;
}

/// Reads a CSV file into an N x d matrix.
inline Eigen::MatrixXd read_csv(const std::string& path) {
  std::ifstream f = detail::open_input(path);
  return read_csv(f, path);
}

}  // namespace infoplane::io
