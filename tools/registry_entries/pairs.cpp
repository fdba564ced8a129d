// The registry's pairs family (binning, edge, ksg, gaussian_mi), built once for the project's programs and
// tests (INFOPLANE_REGISTRY_PREBUILT in include/infoplane/registry.hpp).
#include "infoplane/registry.hpp"

namespace infoplane::registry {
INFOPLANE_REGISTRY_INSTANCES(, 4)
INFOPLANE_REGISTRY_INSTANCES(, 5)
INFOPLANE_REGISTRY_INSTANCES(, 6)
INFOPLANE_REGISTRY_INSTANCES(, 7)
}  // namespace infoplane::registry
