// Greedy descent through the upper layers of an HNSW graph (as hnswlib's searchKnn does, without its shared
// counters): the node where a base-layer search for q starts.
#pragma once
#include "spaces.h"

namespace bv {

inline hnswlib::tableint descendToBaseLayer(const hnswlib::HierarchicalNSW<float> &g, const void *q) {
  const auto dist = g.fstdistfunc_;
  const void *param = g.dist_func_param_;
  hnswlib::tableint cur = g.enterpoint_node_;
  float curd = dist(q, g.getDataByInternalId(cur), param);
  for (int level = g.maxlevel_; level > 0; level--) {
    for (bool changed = true; changed;) {
      changed = false;
      unsigned *data = g.get_linklist(cur, level);
      const int n = g.getListCount(data);
      const hnswlib::tableint *nb = data + 1;
      for (int i = 0; i < n; i++) {
        const float d = dist(q, g.getDataByInternalId(nb[i]), param);
        if (d < curd) {
          curd = d;
          cur = nb[i];
          changed = true;
        }
      }
    }
  }
  return cur;
}

}  // namespace bv
