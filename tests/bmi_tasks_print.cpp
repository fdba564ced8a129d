// Prints every benchmark task as "id<TAB>family<TAB>dim_x<TAB>dim_y<TAB>truth" (truth to 17
// digits), for tests/bmi_truths.py to compare with its own SciPy computation.
#include <cstdio>

#include "infoplane/validation/bmi_tasks.hpp"

int main() {
  for (const auto* t : infoplane::validation::all_benchmark_tasks())
    std::printf("%s\t%s\t%ld\t%ld\t%.17g\n", t->id.c_str(), t->family.c_str(), long(t->dim_x), long(t->dim_y), t->mi);
  return 0;
}
