// A minimal fork-join loop: items handed out in small chunks by an atomic counter.
// The first exception thrown by any worker is rethrown on the calling thread.
#pragma once
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bv {

inline unsigned defaultThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

// f(item, threadIndex) for every item in [0, n).
template <class F>
void parallelFor(size_t n, unsigned threads, size_t chunk, F &&f) {
  if (n == 0) return;
  threads = std::max(1u, std::min<unsigned>(threads ? threads : defaultThreads(), unsigned((n + chunk - 1) / chunk)));
  std::atomic<size_t> next{0};
  std::exception_ptr err;
  std::mutex errMu;
  auto body = [&](unsigned t) {
    try {
      for (;;) {
        size_t s = next.fetch_add(chunk);
        if (s >= n) break;
        size_t e = std::min(n, s + chunk);
        for (size_t i = s; i < e; i++) f(i, t);
      }
    } catch (...) {
      std::lock_guard<std::mutex> l(errMu);
      if (!err) err = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; t++) pool.emplace_back(body, t);
  body(0);
  for (auto &th : pool) th.join();
  if (err) std::rethrow_exception(err);
}

}  // namespace bv
