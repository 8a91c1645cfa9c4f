// Two-stage 1:N search: a popcount scan of the pair bitsets over every entry picks the candidates,
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

void Gallery::add(double id, uint8_t position, Features&& features) {
  auto e = std::make_unique<Entry>(Entry{id, position, std::move(features)});
  std::unique_lock lock(mu_);
  auto it = index_.find(id);
  if (it != index_.end()) {
    entries_[it->second] = std::move(e);
  } else {
    index_[id] = entries_.size();
    entries_.push_back(std::move(e));
  }
}

bool Gallery::remove(double id) {
  std::unique_lock lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  size_t at = it->second;
  index_.erase(it);
  if (at + 1 != entries_.size()) {
    entries_[at] = std::move(entries_.back());
    index_[entries_[at]->id] = at;
  }
  entries_.pop_back();
  return true;
}

size_t Gallery::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

size_t Gallery::memoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = entries_.capacity() * sizeof(void*) + index_.size() * (sizeof(double) + sizeof(size_t) + 2 * sizeof(void*));
  for (const auto& e : entries_) bytes += sizeof(Entry) + e->features.cylinders.capacity() * sizeof(Cylinder);
  return bytes;
}

std::vector<Hit> Gallery::search(const Features& probe, const SearchOptions& opt, SearchStats* stats) const {
  std::shared_lock lock(mu_);
  const size_t n = entries_.size();
  int threads = opt.threads > 0 ? opt.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = int(std::max<size_t>(1, std::min<size_t>(threads, (n + 255) / 256)));
  bool anyPosition = opt.positions.empty() || std::find(opt.positions.begin(), opt.positions.end(), 0) != opt.positions.end();
  auto eligible = [&](const Entry& e) {
    return anyPosition || e.position == 0 || std::find(opt.positions.begin(), opt.positions.end(), e.position) != opt.positions.end();
  };

  // Stage 1: every eligible entry, by pair-bitset similarity (skipped when exhaustive).
  std::vector<uint32_t> candidates;
  std::atomic<size_t> scanned{0};
  const size_t rerank = std::max<size_t>(size_t(std::max(0, opt.rerankMin)), size_t(std::ceil(opt.rerankFraction * double(n))));
  if (opt.exhaustive || n <= rerank) {
    for (size_t i = 0; i < n; i++)
      if (eligible(*entries_[i])) candidates.push_back(uint32_t(i));
    scanned = candidates.size();
  } else {
    std::vector<std::vector<Scored>> heaps(threads);
    runThreads(threads, [&](int t) {
      size_t from = n * t / threads, to = n * (t + 1) / threads, seen = 0;
      auto& heap = heaps[t];
      heap.reserve(rerank);
      for (size_t i = from; i < to; i++) {
        const Entry& e = *entries_[i];
        if (!eligible(e)) continue;
        seen++;
        pushBounded(heap, rerank, Scored{float(filterSimilarity(probe, e.features)), uint32_t(i)});
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
