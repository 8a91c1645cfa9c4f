// Locking rules:
//  - writeMu_ serialises addBatch, compact and save (the only code that resizes or swaps the graph).
//  - structMu_ is held shared by searches, removals and the insert phase, exclusive only for
//    resize, list appends and the compaction swap, so searches run alongside insertion
//    (hnswlib supports concurrent addPoint and search).
//  - metaMu_ guards the id bookkeeping; it is always taken after structMu_.
#include "vector_core.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>

#include "descend.h"
#include "graph_repair.h"
#include "parallel.h"
#include "tuning.h"

namespace bv {

namespace {

uint64_t makeLabel(uint64_t id, uint32_t wl) { return (id << kWatchlistBits) | wl; }
uint64_t labelId(uint64_t label) { return label >> kWatchlistBits; }
uint32_t labelWatchlist(uint64_t label) { return uint32_t(label & kMaxWatchlist); }

uint64_t checkedId(double id) {
  if (!(id >= 0 && id <= kMaxId) || std::floor(id) != id)
    throw std::invalid_argument("id must be an integer in [0, 2^47)");
  return uint64_t(id);
}

void normalise(const float *v, size_t dim, float *out) {
  double s = 0;
  for (size_t i = 0; i < dim; i++) s += double(v[i]) * v[i];
  if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument("vector must be finite and non-zero");
  float inv = float(1.0 / std::sqrt(s));
  for (size_t i = 0; i < dim; i++) out[i] = v[i] * inv;
}

using MinHeap = std::vector<std::pair<float, uint32_t>>;  // (score, slot); front = worst kept
auto heapCmp = [](const std::pair<float, uint32_t> &a, const std::pair<float, uint32_t> &b) {
  return a.first > b.first;
};
inline void heapOffer(MinHeap &h, size_t k, float score, uint32_t slot) {
  if (h.size() < k) {
    h.emplace_back(score, slot);
    std::push_heap(h.begin(), h.end(), heapCmp);
  } else if (score > h.front().first) {
    std::pop_heap(h.begin(), h.end(), heapCmp);
    h.back() = {score, slot};
    std::push_heap(h.begin(), h.end(), heapCmp);
  }
}

}  // namespace

struct VectorCore::Allowed : hnswlib::BaseFilterFunctor {
  std::vector<uint64_t> bits;
  std::vector<uint32_t> watchlists;
  size_t live = 0;
  bool has(uint32_t wl) const { return wl / 64 < bits.size() && (bits[wl / 64] >> (wl % 64)) & 1; }
  bool operator()(hnswlib::labeltype label) override { return has(labelWatchlist(label)); }
};

VectorCore::VectorCore(const IndexParams &p) : p_(p) {
  if (p_.dim == 0 || p_.dim > 4096) throw std::invalid_argument("dim must be in [1, 4096]");
  makeSpace();
  p_.capacity = std::max<size_t>(p_.capacity, 1024);
  g_ = std::make_unique<Hnsw>(space_.get(), p_.capacity, p_.M, p_.efConstruction, p_.seed);
  if (p_.kind == VecKind::I8) side32_.resize(p_.capacity * p_.dim);
  liveCount_.assign(kMaxWatchlist + 1, 0);
  lists_.resize(kMaxWatchlist + 1);
}

VectorCore::~VectorCore() = default;

void VectorCore::makeSpace() {
  if (p_.kind == VecKind::F32)
    space_ = std::make_unique<F32Space>(p_.dim);
  else
    space_ = std::make_unique<I8Space>(p_.dim);
}

const float *VectorCore::vec32(uint32_t slot) const {
  if (p_.kind == VecKind::F32) return reinterpret_cast<const float *>(g_->getDataByInternalId(slot));
  return side32_.data() + size_t(slot) * p_.dim;
}

void VectorCore::encode(const float *v, char *out) const {
  if (p_.kind == VecKind::F32)
    std::memcpy(out, v, p_.dim * sizeof(float));
  else
    I8Space::encode(v, p_.dim, out);
}

size_t VectorCore::size() const {
  std::lock_guard<std::mutex> m(metaMu_);
  return live_.size();
}
size_t VectorCore::elements() const {
  std::shared_lock<std::shared_mutex> s(structMu_);
  return g_->cur_element_count;
}
size_t VectorCore::deleted() const {
  std::shared_lock<std::shared_mutex> s(structMu_);
  return g_->num_deleted_;
}
size_t VectorCore::capacity() const {
  std::shared_lock<std::shared_mutex> s(structMu_);
  return g_->max_elements_;
}

size_t VectorCore::indexBytes() const {
  std::shared_lock<std::shared_mutex> s(structMu_);
  const Hnsw &g = *g_;
  size_t n = g.cur_element_count;
  size_t bytes = g.max_elements_ * g.size_data_per_element_;
  for (size_t i = 0; i < n; i++) bytes += g.element_levels_[i] * g.size_links_per_element_;
  bytes += g.max_elements_ * (sizeof(void *) + sizeof(int) + sizeof(std::mutex));
  bytes += side32_.size() * sizeof(float);
  bytes += n * (sizeof(uint64_t) + sizeof(uint32_t)) * 2;  // label lookup + id map, roughly
  bytes += n * sizeof(uint32_t);                           // watchlist lists
  return bytes;
}

void VectorCore::ensureCapacity(size_t needed) {
  if (needed <= g_->max_elements_) return;
  size_t cap = std::max({needed, g_->max_elements_ + g_->max_elements_ / 2, size_t(1024)});
  std::unique_lock<std::shared_mutex> x(structMu_);
  g_->resizeIndex(cap);
  if (p_.kind == VecKind::I8) side32_.resize(cap * p_.dim);
}

void VectorCore::appendLists(size_t from, size_t to) {
  std::unique_lock<std::shared_mutex> x(structMu_);
  for (size_t i = from; i < to; i++) lists_[labelWatchlist(g_->getExternalLabel(i))].push_back(uint32_t(i));
}

// Derives the id map, live counts and per-watchlist slot lists from the graph's labels.
void VectorCore::rebuildMeta() {
  live_.clear();
  liveCount_.assign(kMaxWatchlist + 1, 0);
  for (auto &l : lists_) l.clear();
  size_t n = g_->cur_element_count;
  live_.reserve(n);
  for (size_t i = 0; i < n; i++) {
    uint64_t label = g_->getExternalLabel(i);
    uint32_t wl = labelWatchlist(label);
    lists_[wl].push_back(uint32_t(i));
    if (!g_->isMarkedDeleted(i)) {
      live_[labelId(label)] = wl;
      liveCount_[wl]++;
    }
  }
}

void VectorCore::reapplyRemovals(Hnsw &g) {
  for (uint64_t label : removedDuringWrite_) {
    auto it = g.label_lookup_.find(label);
    if (it != g.label_lookup_.end() && !g.isMarkedDeleted(it->second)) g.markDelete(label);
  }
  removedDuringWrite_.clear();
  writeInFlight_ = false;
}

void VectorCore::insertParallel(Hnsw &g, std::vector<float> *side, const std::vector<uint64_t> &labels,
                                const float *vectors, unsigned threads) {
  const size_t dim = p_.dim, dataSize = space_->get_data_size();
  std::vector<std::vector<char>> scratch(std::max(1u, threads ? threads : defaultThreads()),
                                         std::vector<char>(dataSize));
  parallelFor(labels.size(), unsigned(scratch.size()), 16, [&](size_t i, unsigned t) {
    const float *v = vectors + i * dim;
    encode(v, scratch[t].data());
    hnswlib::tableint slot;
    {
      std::unique_lock<std::mutex> l(g.getLabelOpMutex(labels[i]));
      slot = g.addPoint(scratch[t].data(), labels[i], -1);
    }
    if (side) std::memcpy(side->data() + size_t(slot) * dim, v, dim * sizeof(float));
  });
}

void VectorCore::addBatch(const double *ids, const float *vectors, const uint32_t *watchlists, size_t n,
                          unsigned threads) {
  std::lock_guard<std::mutex> w(writeMu_);
  const size_t dim = p_.dim;
  for (size_t i = 0; i < n; i++) {
    checkedId(ids[i]);
    if (watchlists[i] > kMaxWatchlist) throw std::invalid_argument("watchlist must be in [0, 65535]");
  }
  for (size_t start = 0; start < n; start += kAddChunk) {
    const size_t m = std::min(kAddChunk, n - start);
    std::unordered_map<uint64_t, size_t> last;  // the last occurrence of an id in the chunk wins
    last.reserve(m);
    for (size_t i = 0; i < m; i++) last[uint64_t(ids[start + i])] = i;
    std::vector<uint64_t> labels;
    labels.reserve(last.size());
    std::vector<float> buf(last.size() * dim);
    for (size_t i = 0, j = 0; i < m; i++) {
      if (last[uint64_t(ids[start + i])] != i) continue;
      normalise(vectors + (start + i) * dim, dim, buf.data() + j * dim);
      j++;
    }
    {
      std::shared_lock<std::shared_mutex> s(structMu_);
      std::lock_guard<std::mutex> meta(metaMu_);
      for (size_t i = 0; i < m; i++) {
        uint64_t id = uint64_t(ids[start + i]);
        if (last[id] != i) continue;
        uint32_t wl = watchlists[start + i];
        auto it = live_.find(id);
        if (it == live_.end()) {
          live_.emplace(id, wl);
          liveCount_[wl]++;
        } else if (it->second != wl) {  // moved to another watchlist: the old label goes
          g_->markDelete(makeLabel(id, it->second));
          liveCount_[it->second]--;
          liveCount_[wl]++;
          it->second = wl;
        }
        labels.push_back(makeLabel(id, wl));
      }
      writeInFlight_ = true;
    }
    ensureCapacity(g_->cur_element_count + labels.size());
    size_t before = g_->cur_element_count;
    try {
      std::shared_lock<std::shared_mutex> s(structMu_);
      insertParallel(*g_, p_.kind == VecKind::I8 ? &side32_ : nullptr, labels, buf.data(), threads);
    } catch (...) {
      appendLists(before, g_->cur_element_count);
      std::shared_lock<std::shared_mutex> s(structMu_);
      std::lock_guard<std::mutex> meta(metaMu_);
      reapplyRemovals(*g_);
      throw;
    }
    appendLists(before, g_->cur_element_count);
    std::shared_lock<std::shared_mutex> s(structMu_);
    std::lock_guard<std::mutex> meta(metaMu_);
    reapplyRemovals(*g_);
    insertedSinceRepair_ += labels.size();
  }
}

RepairResult VectorCore::repair(unsigned threads) {
  std::lock_guard<std::mutex> w(writeMu_);
  std::shared_lock<std::shared_mutex> s(structMu_);
  return runRepair(*g_, threads);
}

void VectorCore::repairIfDue(Hnsw &g, bool force) {
  const size_t due = std::max(kRepairMinInserts, size_t(kRepairShare * double(g.cur_element_count)));
  if (insertedSinceRepair_ == 0 || (!force && insertedSinceRepair_ < due)) return;
  runRepair(g, 0);
}

RepairResult VectorCore::runRepair(Hnsw &g, unsigned threads) {
  insertedSinceRepair_ = 0;
  RepairResult r = repairNavigation(g, kRepairEf, threads ? threads : defaultThreads());
  stats_.repairedNodes += r.missed;
  return r;
}

bool VectorCore::remove(double idD) {
  uint64_t id = checkedId(idD);
  std::shared_lock<std::shared_mutex> s(structMu_);
  std::lock_guard<std::mutex> meta(metaMu_);
  auto it = live_.find(id);
  if (it == live_.end()) return false;
  uint64_t label = makeLabel(id, it->second);
  liveCount_[it->second]--;
  live_.erase(it);
  if (writeInFlight_) removedDuringWrite_.push_back(label);
  try {
    g_->markDelete(label);
  } catch (const std::exception &) {
    // Not inserted yet (its batch is in flight): reapplyRemovals deletes it when the batch ends.
  }
  return true;
}

void VectorCore::compact(unsigned threads) {
  std::lock_guard<std::mutex> w(writeMu_);
  std::vector<uint64_t> labels;
  std::vector<float> buf;
  {
    std::shared_lock<std::shared_mutex> s(structMu_);
    std::lock_guard<std::mutex> meta(metaMu_);
    writeInFlight_ = true;
    size_t n = g_->cur_element_count;
    labels.reserve(n - g_->num_deleted_);
    buf.reserve((n - g_->num_deleted_) * p_.dim);
    for (size_t i = 0; i < n; i++) {
      if (g_->isMarkedDeleted(i)) continue;
      labels.push_back(g_->getExternalLabel(i));
      const float *v = vec32(uint32_t(i));
      buf.insert(buf.end(), v, v + p_.dim);
    }
  }
  size_t cap = std::max<size_t>(labels.size() + labels.size() / 8, 1024);
  auto ng = std::make_unique<Hnsw>(space_.get(), cap, p_.M, p_.efConstruction, p_.seed);
  std::vector<float> nside(p_.kind == VecKind::I8 ? cap * p_.dim : 0);
  try {
    insertParallel(*ng, p_.kind == VecKind::I8 ? &nside : nullptr, labels, buf.data(), threads);
  } catch (...) {
    std::lock_guard<std::mutex> meta(metaMu_);
    removedDuringWrite_.clear();
    writeInFlight_ = false;
    throw;
  }
  insertedSinceRepair_ = labels.size();
  repairIfDue(*ng, true);  // nobody searches the new graph yet
  std::unique_lock<std::shared_mutex> x(structMu_);
  std::lock_guard<std::mutex> meta(metaMu_);
  reapplyRemovals(*ng);
  g_.swap(ng);
  side32_.swap(nside);
  rebuildMeta();
}

// ---- search ----

void VectorCore::search(const SearchRequest &r, std::vector<Hit> &out, std::vector<uint32_t> &counts) {
  const size_t dim = p_.dim;
  if (r.k == 0) throw std::invalid_argument("k must be at least 1");
  out.assign(r.nq * r.k, Hit{0, 0});
  counts.assign(r.nq, 0);
  std::vector<float> qn(r.nq * dim);
  for (size_t i = 0; i < r.nq; i++) normalise(r.queries + i * dim, dim, qn.data() + i * dim);
  std::unique_ptr<Allowed> allowed;
  std::shared_lock<std::shared_mutex> s(structMu_);
  size_t totalLive;
  {
    std::lock_guard<std::mutex> meta(metaMu_);
    totalLive = live_.size();
  }
  if (r.allowed) {
    allowed = std::make_unique<Allowed>();
    std::lock_guard<std::mutex> meta(metaMu_);
    for (size_t i = 0; i < r.nAllowed; i++) {
      uint32_t wl = r.allowed[i];
      if (wl > kMaxWatchlist || allowed->has(wl)) continue;
      if (allowed->bits.size() <= wl / 64) allowed->bits.resize(wl / 64 + 1, 0);
      allowed->bits[wl / 64] |= uint64_t(1) << (wl % 64);
      allowed->watchlists.push_back(wl);
      allowed->live += liveCount_[wl];
    }
  }
  if (r.exact) {
    exactBatch(qn.data(), r.nq, r.k, allowed.get(), r.threads, out.data(), counts.data());
    return;
  }
  unsigned threads = r.threads ? r.threads : defaultThreads();
  std::vector<std::vector<char>> scratch(threads);
  parallelFor(r.nq, threads, 4, [&](size_t i, unsigned t) {
    searchOne(qn.data() + i * dim, r.k, r.ef, totalLive, allowed.get(), out.data() + i * r.k, counts[i], scratch[t]);
  });
}

void VectorCore::searchOne(const float *q, size_t k, size_t ef, size_t totalLive, const Allowed *allowed, Hit *out,
                           uint32_t &count, std::vector<char> &scratch) {
  size_t live = allowed ? allowed->live : totalLive;
  bool exact = false;
  if (allowed) {
    size_t limit = std::max(kExactFallbackMinEntries, size_t(kExactFallbackShare * double(totalLive)));
    exact = allowed->live <= limit;
  }
  if (!exact) {
    hnswOne(q, k, ef, allowed, out, count, scratch);
    // A selective filter or many deletions can starve the walk: fall back to the exact scan.
    if (count >= std::min(k, live)) return;
    stats_.exactFallbacks++;
  }
  exactBatch(q, 1, k, allowed, 1, out, &count);
}

void VectorCore::hnswOne(const float *q, size_t k, size_t ef, const Allowed *allowed, Hit *out, uint32_t &count,
                         std::vector<char> &scratch) {
  const Hnsw &g = *g_;
  count = 0;
  if (g.cur_element_count == 0) return;
  scratch.resize(space_->get_data_size());
  encode(q, scratch.data());
  const void *qd = scratch.data();
  const hnswlib::tableint cur = descendToBaseLayer(g, qd);
  size_t efq = std::max(ef, k);
  Allowed *filter = const_cast<Allowed *>(allowed);
  auto top = (g.num_deleted_ == 0 && !allowed) ? g.searchBaseLayerST<true>(cur, qd, efq, nullptr)
                                               : g.searchBaseLayerST<false>(cur, qd, efq, filter);
  std::vector<std::pair<float, uint32_t>> cand;  // (score, slot)
  cand.reserve(top.size());
  while (!top.empty()) {
    cand.emplace_back(1.0f - top.top().first, top.top().second);
    top.pop();
  }
  if (p_.kind == VecKind::I8) {
    // Re-rank every candidate with its float32 vector: scores are exact cosines.
    const auto dot = kernels().dotF32;
    for (auto &c : cand) c.first = dot(q, vec32(c.second), p_.dim);
  }
  size_t n = std::min(k, cand.size());
  std::partial_sort(cand.begin(), cand.begin() + n, cand.end(),
                    [](const auto &a, const auto &b) { return a.first > b.first; });
  for (size_t i = 0; i < n; i++) out[i] = Hit{double(labelId(g.getExternalLabel(cand[i].second))), cand[i].first};
  count = uint32_t(n);
}

// Exact top-k: slots are split across threads; each thread scans its range in blocks that
// stay in cache while every query passes over them, then per-thread heaps are merged.
void VectorCore::exactBatch(const float *qs, size_t nq, size_t k, const Allowed *allowed, unsigned threads,
                            Hit *out, uint32_t *counts) {
  const Hnsw &g = *g_;
  const size_t dim = p_.dim;
  std::vector<uint32_t> cand;
  const bool all = !allowed;
  if (!all)
    for (uint32_t wl : allowed->watchlists) cand.insert(cand.end(), lists_[wl].begin(), lists_[wl].end());
  const size_t nc = all ? size_t(g.cur_element_count) : cand.size();
  threads = std::max(1u, std::min<unsigned>(threads ? threads : defaultThreads(), unsigned(nc / kExactBlock + 1)));
  std::vector<std::vector<MinHeap>> heaps(threads, std::vector<MinHeap>(nq));
  const size_t perThread = (nc + threads - 1) / threads;
  const auto dot = kernels().dotF32;
  parallelFor(threads, threads, 1, [&](size_t t, unsigned) {
    size_t begin = t * perThread, end = std::min(nc, begin + perThread);
    uint32_t slots[kExactBlock];
    for (size_t b = begin; b < end; b += kExactBlock) {
      size_t m = 0;
      for (size_t j = b; j < std::min(end, b + kExactBlock); j++) {
        uint32_t slot = all ? uint32_t(j) : cand[j];
        if (!g.isMarkedDeleted(slot)) slots[m++] = slot;
      }
      for (size_t qi = 0; qi < nq; qi++) {
        const float *q = qs + qi * dim;
        MinHeap &h = heaps[t][qi];
        for (size_t j = 0; j < m; j++) heapOffer(h, k, dot(q, vec32(slots[j]), dim), slots[j]);
      }
    }
  });
  for (size_t qi = 0; qi < nq; qi++) {
    MinHeap merged;
    for (unsigned t = 0; t < threads; t++)
      for (auto &e : heaps[t][qi]) heapOffer(merged, k, e.first, e.second);
    std::sort(merged.begin(), merged.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (size_t i = 0; i < merged.size(); i++)
      out[qi * k + i] = Hit{double(labelId(g.getExternalLabel(merged[i].second))), merged[i].first};
    counts[qi] = uint32_t(merged.size());
  }
}

}  // namespace bv
