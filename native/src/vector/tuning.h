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
// Navigation repair (graph_repair.h) at a snapshot once this many, and this share of the graph, were inserted since
// the last one; always after compaction, and when a bulk load asks (repair()). A pass searches for every node.
constexpr size_t kRepairMinInserts = 1024;
constexpr double kRepairShare = 0.1;
constexpr size_t kRepairEf = 32;     // ef of those searches: a node found at 32 is found at the service's ef
constexpr size_t kRepairLinks = 8;       // links a missed node gets from where its search ended, and as many from
constexpr size_t kRepairSourceEf = 256;  // its nearest nodes as a search with this ef finds them
constexpr unsigned kRepairRounds = 2;    // the nodes still missed are searched for, and linked, again
}  // namespace bv
