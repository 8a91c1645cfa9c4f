// An in-memory 1:N gallery of fingers: a readers/writer lock lets searches run while entries come and go.
// Entries keep their cylinders for the full comparison; the first-stage sketch keys live in an inverted index
// (one posting list per band and key), so the first stage touches only the entries sharing a key with the probe.
#pragma once
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>
#include "fingerprint.h"

namespace fm {

struct SearchOptions {
  int k = 10;
  std::vector<int> positions;  // empty: any position
  int threads = 0;             // 0: all cores
  // Share of the gallery passed from the first stage to the full comparison: chosen from the rerank curve of
  // bench/results/finger-identification.md (2 % keeps >= 1M effective comparisons/s per core at 1M entries).
  double rerankFraction = 0.02;
  int rerankMin = 500;           // ... but never fewer than this many
  bool exhaustive = false;       // full comparison against every entry (the reference for the two-stage search)
  // First-stage ranking: false = key votes over the product of both sketch sizes (the original); true = votes
  // weighted by each key's rarity, ranked by how far they exceed the chance level expected for the entry's size.
  bool rareKeyScore = true;
};

struct Hit {
  double id;
  double score;
};

struct SearchStats {
  size_t scanned = 0;   // entries passing the position filter
  size_t compared = 0;  // full comparisons made
  size_t postings = 0;  // inverted-index postings the first stage visited
  double firstStageMs = 0, rerankMs = 0;  // wall time of each stage
};

class Gallery {
 public:
  /** Adds or replaces an entry. */
  void add(double id, uint8_t position, Features&& features);
  /** Adds or replaces many entries under one lock (features built by the caller, on as many threads as it likes). */
  void addMany(std::vector<double>&& ids, std::vector<uint8_t>&& positions, std::vector<Features>&& features);
  bool remove(double id);
  size_t size() const;
  size_t memoryBytes() const;
  std::vector<Hit> search(const Features& probe, const SearchOptions& opt, SearchStats* stats) const;

 private:
  struct Entry {
    double id;
    uint8_t position;
    Features features;
  };
  void addLocked(double id, uint8_t position, Features&& features);
  /** Adds entry `at`'s keys to the posting lists. */
  void index(size_t at, const Sketch& s);
  /** Posting list ops for every key of entry `from`'s sketch: drop one `from` (to == npos) or renumber it to `to`. */
  void unindex(size_t from, size_t to);
  std::vector<uint32_t>& postingList(int band, uint16_t key) { return postings_[size_t(band) << 16 | key]; }

  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<double, size_t> index_;
  // Parallel to entries_, contiguous: what the first stage reads per entry.
  std::vector<uint8_t> positions_;
  std::vector<uint16_t> sketchCount_;
  // Entry indices holding each (band, key), one occurrence per key occurrence (votes count multiplicity).
  std::vector<std::vector<uint32_t>> postings_ = std::vector<std::vector<uint32_t>>(size_t(kSketchBands) << 16);
};

}  // namespace fm
