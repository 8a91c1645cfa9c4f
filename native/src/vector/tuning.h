// Tuned constants of the vector index, in one place.
#pragma once
#include <cstddef>

namespace bv {
// Watchlist ids live in the low bits of the hnswlib label; sample ids above them.
constexpr unsigned kWatchlistBits = 16;
constexpr size_t kMaxWatchlist = (size_t(1) << kWatchlistBits) - 1;
constexpr double kMaxId = 140737488355327.0;  // 2^47 - 1
// A filtered query scans its watchlists exactly when they hold at most this many live entries
// or this share of the index: a graph walk would discard most of what it visits.
constexpr size_t kExactFallbackMinEntries = 4096;
constexpr double kExactFallbackShare = 0.03;
// Insertions are processed in chunks so temporary buffers stay bounded.
constexpr size_t kAddChunk = 65536;
// Exact scan block: slots scanned against every query before moving on (fits L2).
constexpr size_t kExactBlock = 256;
constexpr unsigned kMaxLevels = 64;
}  // namespace bv
