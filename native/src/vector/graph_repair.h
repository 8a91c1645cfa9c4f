// Navigation repair of an HNSW graph (graph_repair.cc).
#pragma once
#include <cstddef>

#include "spaces.h"

namespace bv {

struct RepairResult {
  size_t checked = 0;    // live nodes searched for with their own vector
  size_t missed = 0;     // ... that the search did not return
  size_t linked = 0;     // links added (or redirected) to them
  size_t stillMissed = 0;  // missed again when searched once more after the links
};

// Searches for every live node with its own vector (ef `ef`); each node the search does not return gets links from
// the closest nodes the search did reach, then is searched for again (kRepairRounds). Safe alongside searches (links are written under hnswlib's per-node locks,
// the neighbour before the count); not alongside insertions.
RepairResult repairNavigation(hnswlib::HierarchicalNSW<float> &g, size_t ef, unsigned threads);

}  // namespace bv
