// The face search index: hnswlib's HNSW graph driven directly (batched threaded insertion,
// per-query ef, watchlist filtering with an exact fallback, deletion by mark, compaction),
// an exact multi-threaded scan as the reference, and a checksummed snapshot file.
// Every method may be called from worker threads; the locking rules are in vector_core.cc.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph_repair.h"
#include "spaces.h"

namespace bv {

struct IndexParams {
  size_t dim = 128;
  VecKind kind = VecKind::F32;
  size_t M = 16;
  size_t efConstruction = 200;
  size_t capacity = 1024;
  uint64_t seed = 100;
};

struct Hit {
  double id;
  float score;  // cosine similarity
};

struct SearchRequest {
  const float *queries;          // nq x dim, need not be normalised
  size_t nq, k, ef;
  bool exact;
  const uint32_t *allowed;       // watchlists a result may belong to; null = all
  size_t nAllowed;
  unsigned threads;
};

struct SearchStats {
  std::atomic<uint64_t> exactFallbacks{0};
  std::atomic<uint64_t> repairedNodes{0};  // nodes a search for their own vector missed (graph_repair.h)
};

class VectorCore {
 public:
  explicit VectorCore(const IndexParams &p);
  ~VectorCore();

  const IndexParams &params() const { return p_; }

  // Inserts or replaces (same id) a batch across `threads`; throws std::exception on failure.
  void addBatch(const double *ids, const float *vectors, const uint32_t *watchlists, size_t n, unsigned threads);
  // Marks the id deleted; false when it is not in the index.
  bool remove(double id);
  // Fills out[q*k + j] for j < counts[q], best first.
  void search(const SearchRequest &r, std::vector<Hit> &out, std::vector<uint32_t> &counts);
  // Rebuilds the graph from the live vectors only (drops deleted slots).
  void compact(unsigned threads);
  // Navigation repair of the whole graph now (graph_repair.h): for the end of a bulk load. Snapshots and compaction
  // repair on their own once enough was inserted.
  RepairResult repair(unsigned threads);

  // Atomic snapshot: temp file + fsync + rename. Throws on I/O failure.
  void save(const std::string &path, double highWater);
  // Throws std::runtime_error with a message starting "snapshot corrupt:" when the file fails its checks.
  static std::unique_ptr<VectorCore> load(const std::string &path, double &highWater);

  size_t size() const;        // live ids
  size_t elements() const;    // graph slots, deleted included
  size_t deleted() const;
  size_t capacity() const;
  size_t indexBytes() const;  // graph + vectors + side arrays (approximate for hash maps)
  uint64_t exactFallbacks() const { return stats_.exactFallbacks.load(); }
  uint64_t repairedNodes() const { return stats_.repairedNodes.load(); }

 private:
  using Hnsw = hnswlib::HierarchicalNSW<float>;
  struct Allowed;

  void makeSpace();
  const float *vec32(uint32_t internal) const;
  void encode(const float *normalised, char *out) const;
  void ensureCapacity(size_t needed);
  void appendLists(size_t from, size_t to);
  void rebuildMeta();
  void reapplyRemovals(Hnsw &g);
  // Repairs navigation (graph_repair.h) once enough insertions accumulated, or whenever any did when forced.
  // Caller holds writeMu_ (no insertion runs) and structMu_ shared, or owns a graph nobody searches yet.
  void repairIfDue(Hnsw &g, bool force);
  RepairResult runRepair(Hnsw &g, unsigned threads);  // same locking as repairIfDue
  void insertParallel(Hnsw &g, std::vector<float> *side, const std::vector<uint64_t> &labels,
                      const float *vectors, unsigned threads);
  void searchOne(const float *q, size_t k, size_t ef, size_t totalLive, const Allowed *allowed, Hit *out, uint32_t &count,
                 std::vector<char> &scratch);
  void hnswOne(const float *q, size_t k, size_t ef, const Allowed *allowed, Hit *out, uint32_t &count,
               std::vector<char> &scratch);
  void exactBatch(const float *qs, size_t nq, size_t k, const Allowed *allowed, unsigned threads, Hit *out,
                  uint32_t *counts);

  IndexParams p_;
  std::unique_ptr<hnswlib::SpaceInterface<float>> space_;
  std::unique_ptr<Hnsw> g_;
  std::vector<float> side32_;  // float32 copies by slot, only for the int8 kind (re-ranking, exact scan)

  // live id -> watchlist, live count per watchlist, slots ever created per watchlist
  std::unordered_map<uint64_t, uint32_t> live_;
  std::vector<size_t> liveCount_;
  std::vector<std::vector<uint32_t>> lists_;
  size_t insertedSinceRepair_ = 0;          // guarded by writeMu_
  bool writeInFlight_ = false;               // an add or compaction is inserting into the graph
  std::vector<uint64_t> removedDuringWrite_;  // labels removed meanwhile: re-applied when it ends

  mutable std::shared_mutex structMu_;  // exclusive: resize, list append, swap; shared: everything else
  std::mutex writeMu_;                  // one add / save / compact at a time
  mutable std::mutex metaMu_;           // live_, liveCount_, writeInFlight_, removedDuringWrite_
  SearchStats stats_;
};

}  // namespace bv
