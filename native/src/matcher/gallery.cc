// Two-stage 1:N search: a scan of the MinHash sketches (sketch.h) over every entry picks the candidates,
// the full cylinder comparison ranks them. Both stages split the work across threads.
#include "gallery.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <thread>

namespace fm {
namespace {

struct Scored {
  float score;
  uint32_t index;
};
inline bool better(const Scored& a, const Scored& b) { return a.score > b.score || (a.score == b.score && a.index < b.index); }

/** Keeps the best `cap` items seen; a min-heap on `better`. */
void pushBounded(std::vector<Scored>& heap, size_t cap, Scored s) {
  if (heap.size() < cap) {
    heap.push_back(s);
    std::push_heap(heap.begin(), heap.end(), better);
  } else if (cap > 0 && better(s, heap.front())) {
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = s;
    std::push_heap(heap.begin(), heap.end(), better);
  }
}

void runThreads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> pool;
  for (int t = 1; t < n; t++) pool.emplace_back(body, t);
  body(0);
  for (auto& th : pool) th.join();
}

}  // namespace

void Gallery::setSketch(size_t at, const Sketch& s) {
  uint16_t* dst = sketchKeys_.data() + at * kStride;
  std::fill(dst, dst + kStride, 0);
  for (int band = 0; band < kSketchBands; band++)
    std::copy_n(s.keys.data() + size_t(band) * s.count, s.count, dst + size_t(band) * kSketchMax);
  sketchCount_[at] = s.count;
}

void Gallery::addLocked(double id, uint8_t position, Features&& features) {
  Sketch sketch = std::move(features.sketch);
  features.sketch = Sketch{};
  auto e = std::make_unique<Entry>(Entry{id, position, std::move(features)});
  size_t at;
  auto it = index_.find(id);
  if (it != index_.end()) {
    at = it->second;
    entries_[at] = std::move(e);
  } else {
    at = entries_.size();
    index_[id] = at;
    entries_.push_back(std::move(e));
    positions_.push_back(0);
    sketchCount_.push_back(0);
    sketchKeys_.resize(sketchKeys_.size() + kStride);
  }
  positions_[at] = position;
  setSketch(at, sketch);
}

void Gallery::add(double id, uint8_t position, Features&& features) {
  std::unique_lock lock(mu_);
  addLocked(id, position, std::move(features));
}

void Gallery::addMany(std::vector<double>&& ids, std::vector<uint8_t>&& positions, std::vector<Features>&& features) {
  std::unique_lock lock(mu_);
  entries_.reserve(entries_.size() + ids.size());
  sketchKeys_.reserve(sketchKeys_.size() + ids.size() * kStride);
  for (size_t i = 0; i < ids.size(); i++) addLocked(ids[i], positions[i], std::move(features[i]));
}

bool Gallery::remove(double id) {
  std::unique_lock lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  size_t at = it->second, last = entries_.size() - 1;
  index_.erase(it);
  if (at != last) {
    entries_[at] = std::move(entries_[last]);
    index_[entries_[at]->id] = at;
    positions_[at] = positions_[last];
    sketchCount_[at] = sketchCount_[last];
    std::copy_n(sketchKeys_.data() + last * kStride, kStride, sketchKeys_.data() + at * kStride);
  }
  entries_.pop_back();
  positions_.pop_back();
  sketchCount_.pop_back();
  sketchKeys_.resize(last * kStride);
  return true;
}

size_t Gallery::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

size_t Gallery::memoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = entries_.capacity() * sizeof(void*) + index_.size() * (sizeof(double) + sizeof(size_t) + 2 * sizeof(void*));
  bytes += positions_.capacity() + sketchCount_.capacity() * 2 + sketchKeys_.capacity() * 2;
  for (const auto& e : entries_)
    bytes += sizeof(Entry) + e->features.cylinders.capacity() * sizeof(Cylinder) + e->features.points.capacity() * sizeof(Point) +
             e->features.hull.c.capacity() * 3 * sizeof(float);
  return bytes;
}

std::vector<Hit> Gallery::search(const Features& probe, const SearchOptions& opt, SearchStats* stats) const {
  std::shared_lock lock(mu_);
  const size_t n = entries_.size();
  int threads = opt.threads > 0 ? opt.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = int(std::max<size_t>(1, std::min<size_t>(threads, (n + 255) / 256)));
  bool anyPosition = opt.positions.empty() || std::find(opt.positions.begin(), opt.positions.end(), 0) != opt.positions.end();
  bool allowed[256] = {};
  allowed[0] = true;
  for (int p : opt.positions)
    if (p >= 0 && p < 256) allowed[p] = true;
  auto eligible = [&](size_t i) { return anyPosition || allowed[positions_[i]]; };

  // Stage 1: every eligible entry, by pair-bitset similarity (skipped when exhaustive).
  std::vector<uint32_t> candidates;
  std::atomic<size_t> scanned{0};
  const size_t rerank = std::max<size_t>(size_t(std::max(0, opt.rerankMin)), size_t(std::ceil(opt.rerankFraction * double(n))));
  if (opt.exhaustive || n <= rerank) {
    for (size_t i = 0; i < n; i++)
      if (eligible(i)) candidates.push_back(uint32_t(i));
    scanned = candidates.size();
  } else {
    std::vector<std::vector<Scored>> heaps(threads);
    SketchProbe sp;
    buildSketchProbe(probe.sketch, sp);
    runThreads(threads, [&](int t) {
      size_t from = n * t / threads, to = n * (t + 1) / threads, seen = 0;
      auto& heap = heaps[t];
      heap.reserve(rerank);
      for (size_t i = from; i < to; i++) {
        if (!eligible(i)) continue;
        seen++;
        float s = sketchScore(sp, sketchKeys_.data() + i * kStride, sketchCount_[i], kSketchMax);
        if (heap.size() == rerank && s <= heap.front().score) continue;  // cannot enter: skip the heap
        pushBounded(heap, rerank, Scored{s, uint32_t(i)});
      }
      scanned += seen;
    });
    std::vector<Scored> all;
    for (auto& h : heaps) all.insert(all.end(), h.begin(), h.end());
    if (all.size() > rerank) {
      std::nth_element(all.begin(), all.begin() + rerank, all.end(), better);
      all.resize(rerank);
    }
    for (const Scored& s : all) candidates.push_back(s.index);
  }

  // Stage 2: full comparison of the candidates, shared out through an atomic cursor.
  const size_t k = size_t(std::max(1, opt.k));
  std::vector<std::vector<Scored>> best(threads);
  std::atomic<size_t> cursor{0};
  runThreads(threads, [&](int t) {
    constexpr size_t kChunk = 64;
    for (;;) {
      size_t from = cursor.fetch_add(kChunk);
      if (from >= candidates.size()) break;
      size_t to = std::min(candidates.size(), from + kChunk);
      for (size_t c = from; c < to; c++) {
        uint32_t i = candidates[c];
        pushBounded(best[t], k, Scored{float(compareFeatures(probe, entries_[i]->features)), i});
      }
    }
  });
  std::vector<Scored> merged;
  for (auto& b : best) merged.insert(merged.end(), b.begin(), b.end());
  std::sort(merged.begin(), merged.end(), better);
  if (merged.size() > k) merged.resize(k);
  std::vector<Hit> hits;
  for (const Scored& s : merged) hits.push_back(Hit{entries_[s.index]->id, s.score});
  if (stats) {
    stats->scanned = scanned;
    stats->compared = candidates.size();
  }
  return hits;
}

}  // namespace fm
