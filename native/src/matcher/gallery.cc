// Two-stage 1:N search: a scan of the MinHash sketches (sketch.h) over every entry picks the candidates,
// the full cylinder comparison ranks them. Both stages split the work across threads.
#include "gallery.h"
#include <algorithm>
#include <atomic>
#include <chrono>
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

void Gallery::index(size_t at, const Sketch& s) {
  for (int band = 0; band < kSketchBands; band++)
    for (int c = 0; c < s.count; c++) postingList(band, s.keys[size_t(band) * s.count + c]).push_back(uint32_t(at));
  sketchCount_[at] = s.count;
}

void Gallery::unindex(size_t from, size_t to) {
  // The keys are not kept per entry: rebuilding them from the cylinders is exact and costs only on removal.
  Sketch s;
  buildSketch(entries_[from]->features.cylinders, s);
  for (int band = 0; band < kSketchBands; band++)
    for (int c = 0; c < s.count; c++) {
      auto& list = postingList(band, s.keys[size_t(band) * s.count + c]);
      auto it = std::find(list.begin(), list.end(), uint32_t(from));
      if (it == list.end()) continue;  // cannot happen: every key was indexed
      if (to == size_t(-1)) {
        *it = list.back();
        list.pop_back();
      } else {
        *it = uint32_t(to);
      }
    }
}

void Gallery::addLocked(double id, uint8_t position, Features&& features) {
  Sketch sketch = std::move(features.sketch);
  features.sketch = Sketch{};
  auto e = std::make_unique<Entry>(Entry{id, position, std::move(features)});
  size_t at;
  auto it = index_.find(id);
  if (it != index_.end()) {
    at = it->second;
    unindex(at, size_t(-1));
    entries_[at] = std::move(e);
  } else {
    at = entries_.size();
    index_[id] = at;
    entries_.push_back(std::move(e));
    positions_.push_back(0);
    sketchCount_.push_back(0);
  }
  positions_[at] = position;
  index(at, sketch);
}

void Gallery::add(double id, uint8_t position, Features&& features) {
  std::unique_lock lock(mu_);
  addLocked(id, position, std::move(features));
}

void Gallery::addMany(std::vector<double>&& ids, std::vector<uint8_t>&& positions, std::vector<Features>&& features) {
  std::unique_lock lock(mu_);
  entries_.reserve(entries_.size() + ids.size());
  for (size_t i = 0; i < ids.size(); i++) addLocked(ids[i], positions[i], std::move(features[i]));
}

bool Gallery::remove(double id) {
  std::unique_lock lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  size_t at = it->second, last = entries_.size() - 1;
  index_.erase(it);
  unindex(at, size_t(-1));
  if (at != last) {
    unindex(last, at);  // the last entry moves into the hole
    entries_[at] = std::move(entries_[last]);
    index_[entries_[at]->id] = at;
    positions_[at] = positions_[last];
    sketchCount_[at] = sketchCount_[last];
  }
  entries_.pop_back();
  positions_.pop_back();
  sketchCount_.pop_back();
  return true;
}

size_t Gallery::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

size_t Gallery::memoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = entries_.capacity() * sizeof(void*) + index_.size() * (sizeof(double) + sizeof(size_t) + 2 * sizeof(void*));
  bytes += positions_.capacity() + sketchCount_.capacity() * 2 + postings_.capacity() * sizeof(postings_[0]);
  for (const auto& list : postings_) bytes += list.capacity() * sizeof(uint32_t);
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

  // Stage 1: votes from the posting lists of the probe's keys (skipped when exhaustive). Same votes and scores
  // as scanning every entry's keys against the probe's key set; entries sharing no key score 0.
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::vector<uint32_t> candidates;
  size_t scanned = 0, postingsVisited = 0;
  const size_t rerank = std::max<size_t>(size_t(std::max(0, opt.rerankMin)), size_t(std::ceil(opt.rerankFraction * double(n))));
  if (opt.exhaustive || n <= rerank) {
    for (size_t i = 0; i < n; i++)
      if (eligible(i)) candidates.push_back(uint32_t(i));
    scanned = candidates.size();
  } else {
    // Votes per entry, each key weighted by its rarity when asked (idf: a key held by many entries says little).
    thread_local std::vector<float> votes;
    votes.assign(n, 0.f);
    const Sketch& ps = probe.sketch;
    thread_local std::vector<uint16_t> keys;
    for (int band = 0; band < kSketchBands; band++) {
      // The probe's keys are a set per band: each distinct key counts once.
      keys.assign(ps.keys.begin() + size_t(band) * ps.count, ps.keys.begin() + size_t(band + 1) * ps.count);
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (uint16_t key : keys) {
        const auto& list = postings_[size_t(band) << 16 | key];
        if (list.empty()) continue;
        postingsVisited += list.size();
        const float w = opt.rareKeyScore ? float(std::log1p(double(n) / double(list.size()))) : 1.f;
        for (uint32_t at : list) votes[at] += w;
      }
    }
    const float probeCount = float(std::max<int>(ps.count, 1));
    // Chance level: an entry's weighted votes grow with its number of sketched cylinders; the rate per cylinder is
    // this probe's own (some probes share common keys with everyone). Entries are ranked by votes above that
    // level in units of its spread (Poisson-like), so small entries with a few lucky votes do not crowd out the mate.
    double voteSum = 0, countSum = 0;
    if (opt.rareKeyScore)
      for (size_t i = 0; i < n; i++)
        if (eligible(i)) { voteSum += votes[i]; countSum += sketchCount_[i]; }
    const double rate = countSum > 0 ? voteSum / countSum : 0;
    std::vector<Scored> pool;
    for (size_t i = 0; i < n; i++) {
      if (!eligible(i)) continue;
      scanned++;
      if (votes[i] <= 0.f) continue;
      const float c = float(std::max<int>(sketchCount_[i], 1));
      float score;
      if (opt.rareKeyScore) {
        const double expected = rate * c;
        score = float((votes[i] - expected) / std::sqrt(expected + 1.0));
      } else {
        score = votes[i] / (c * probeCount);
      }
      pool.push_back(Scored{score, uint32_t(i)});
    }
    if (pool.size() > rerank) {
      std::nth_element(pool.begin(), pool.begin() + rerank, pool.end(), better);
      pool.resize(rerank);
    }
    for (const Scored& s : pool) candidates.push_back(s.index);
    // Too few entries share a key: the rest of the share goes to zero-vote entries, lowest index first.
    for (size_t i = 0; i < n && candidates.size() < rerank; i++)
      if (eligible(i) && votes[i] <= 0.f) candidates.push_back(uint32_t(i));
  }
  const auto t1 = Clock::now();

  // Stage 2: full comparison of the candidates, shared out through an atomic cursor. The probe's own pair
  // distances and radial angles are computed once here rather than in every comparison.
  Features prepared = probe;
  preparePairTable(prepared);
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
        pushBounded(best[t], k, Scored{float(compareFeatures(prepared, entries_[i]->features)), i});
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
    stats->postings = postingsVisited;
    stats->firstStageMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
    stats->rerankMs = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  }
  return hits;
}

}  // namespace fm
