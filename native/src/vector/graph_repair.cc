// HNSW finds a node only if a search that ends near it can step onto it: it must keep links from the nodes a search
// for it reaches. Neighbour selection drops exactly those links for a node unlike its surroundings: a small group
// of faces from another population or camera, enrolled before a large gallery arrived around it, keeps its links
// to the early nodes only, and a search near it ends among newer nodes that never link to it — in bench/face-check
// the graph missed 10 of 10 such real faces that exact search ranked first. The repair searches for every node with
// its own vector; a node the search does not return gets links from where that search ended and from its nearest
// nodes as a wide search finds them (appended when such a node has room, else in place of its link to the node with
// the most other in-links), and is searched for again.
#include "graph_repair.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "descend.h"
#include "parallel.h"
#include "tuning.h"

namespace bv {

namespace {

using Hnsw = hnswlib::HierarchicalNSW<float>;
using hnswlib::tableint;

tableint *baseLinks(const Hnsw &g, tableint u, unsigned &count) {
  hnswlib::linklistsizeint *ll = g.get_linklist0(u);
  count = g.getListCount(ll);
  return reinterpret_cast<tableint *>(ll + 1);
}

/** Searches for u's own vector with `ef`: true when the search returns u. `closest` gets the nodes it returned
 *  other than u, best first, at most kRepairLinks. */
bool searchFor(const Hnsw &g, tableint u, size_t ef, std::vector<tableint> &closest) {
  const void *q = g.getDataByInternalId(u);
  auto top = g.searchBaseLayerST<true>(descendToBaseLayer(g, q), q, ef, nullptr);  // farthest on top
  bool found = false;
  closest.clear();
  for (; !top.empty(); top.pop()) {
    if (top.top().second == u) found = true;
    else closest.push_back(top.top().second);
  }
  std::reverse(closest.begin(), closest.end());
  if (closest.size() > kRepairLinks) closest.resize(kRepairLinks);
  return found;
}

/** Gives v a link to u: appended when v has room, else in place of v's link to the node with the most in-links
 *  (at least two, so it stays linked). False when v links only to nodes with a single in-link. */
bool linkFrom(Hnsw &g, tableint v, tableint u, std::vector<uint32_t> &indegree) {
  std::unique_lock<std::mutex> lock(g.link_list_locks_[v]);
  hnswlib::linklistsizeint *ll = g.get_linklist0(v);
  unsigned c = g.getListCount(ll);
  tableint *nb = reinterpret_cast<tableint *>(ll + 1);
  for (unsigned i = 0; i < c; i++)
    if (nb[i] == u) return true;
  if (c < g.maxM0_) {
    nb[c] = u;  // the neighbour first, then the count a concurrent search reads (the fence keeps that order)
    std::atomic_thread_fence(std::memory_order_release);
    g.setListCount(ll, (unsigned short)(c + 1));
  } else {
    int victim = -1;
    for (unsigned i = 0; i < c; i++)
      if (indegree[nb[i]] >= 2 && (victim < 0 || indegree[nb[i]] > indegree[nb[victim]])) victim = int(i);
    if (victim < 0) return false;
    indegree[nb[victim]]--;
    nb[victim] = u;
  }
  indegree[u]++;
  return true;
}

}  // namespace

RepairResult repairNavigation(Hnsw &g, size_t ef, unsigned threads) {
  RepairResult r;
  const size_t n = g.cur_element_count;
  if (n < 2) return r;
  std::vector<uint32_t> indegree(n, 0);
  for (size_t u = 0; u < n; u++) {
    unsigned c;
    const tableint *nb = baseLinks(g, tableint(u), c);
    for (unsigned i = 0; i < c; i++) indegree[nb[i]]++;
  }
  std::vector<tableint> todo;
  for (size_t u = 0; u < n; u++)
    if (!g.isMarkedDeleted(tableint(u))) todo.push_back(tableint(u));
  r.checked = todo.size();
  // Round 1 searches for every node; later rounds for those still missed, from where their search now ends.
  for (unsigned round = 0; round < kRepairRounds && !todo.empty(); round++) {
    std::vector<std::vector<tableint>> from(todo.size());  // stays empty (unallocated) for the nodes found
    std::vector<uint8_t> missed(todo.size(), 0);
    parallelFor(todo.size(), threads, 64, [&](size_t i, unsigned) {
      thread_local std::vector<tableint> ended, wide;
      if (searchFor(g, todo[i], ef, ended)) return;
      missed[i] = 1;
      // Links from where the search for u ended (searches near u end there too), and from u's nearest nodes as a
      // wide search finds them (where searches from elsewhere end).
      searchFor(g, todo[i], kRepairSourceEf, wide);
      from[i] = ended;
      for (tableint v : wide)
        if (std::find(from[i].begin(), from[i].end(), v) == from[i].end()) from[i].push_back(v);
    });
    std::vector<tableint> next;
    for (size_t i = 0; i < todo.size(); i++) {
      if (!missed[i]) continue;
      next.push_back(todo[i]);
      for (tableint v : from[i]) r.linked += linkFrom(g, v, todo[i], indegree);
    }
    if (round == 0) r.missed = next.size();
    todo.swap(next);
  }
  std::vector<uint8_t> again(todo.size());
  parallelFor(todo.size(), threads, 16, [&](size_t i, unsigned) {
    thread_local std::vector<tableint> ended;
    again[i] = !searchFor(g, todo[i], ef, ended);
  });
  for (uint8_t a : again) r.stillMissed += a;
  return r;
}

}  // namespace bv
