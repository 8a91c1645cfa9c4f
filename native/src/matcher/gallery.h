// An in-memory 1:N gallery of fingers: a readers/writer lock lets searches run while entries come and go.
// Entries keep their cylinders for the full comparison; the first-stage sketches live in one flat array.
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
  double rerankFraction = 0.01;  // share of the gallery passed from the first stage to the full comparison
  int rerankMin = 500;           // ... but never fewer than this many
  bool exhaustive = false;       // full comparison against every entry (the reference for the two-stage search)
};

struct Hit {
  double id;
  double score;
};

struct SearchStats {
  size_t scanned = 0;   // entries passing the position filter
  size_t compared = 0;  // full comparisons made
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
  void setSketch(size_t at, const Sketch& s);

  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<double, size_t> index_;
  // What the first stage scans, contiguous and parallel to entries_: no pointer chasing per entry.
  static constexpr size_t kStride = size_t(kSketchBands) * kSketchMax;
  std::vector<uint8_t> positions_;
  std::vector<uint16_t> sketchCount_;
  std::vector<uint16_t> sketchKeys_;  // kStride per entry: keys[band * kSketchMax + c]
};

}  // namespace fm
