// Snapshot file: a 64-byte header (magic, version, kind, dim, live count, slots, high-water
// mark, payload size, CRC-32C of the payload, CRC-32C of the header) then the payload: the
// graph parameters, level-0 block, upper-layer link lists and (int8 kind) the float32 copies.
// Written to a temp file, fsynced, renamed over the target, and the directory fsynced.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "tuning.h"
#include "vector_core.h"

namespace bv {

namespace {

constexpr char kMagic[8] = {'B', 'C', 'V', 'I', 'D', 'X', '\r', '\n'};
constexpr uint32_t kVersion = 1;
constexpr size_t kIoChunk = 1 << 20;

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t version, kind, dim, reserved;
  uint64_t live, slots;
  double highWater;
  uint64_t payloadBytes;
  uint32_t payloadCrc, headerCrc;
};
#pragma pack(pop)
static_assert(sizeof(Header) == 64, "header is 64 bytes");

struct GraphParams {
  uint64_t slots, M, maxM, maxM0, efConstruction;
  double mult;
  int32_t maxLevel;
  uint32_t enterPoint;
  uint64_t sizeDataPerElement, sizeLinksPerElement;
};

[[noreturn]] void corrupt(const std::string &why) { throw std::runtime_error("snapshot corrupt: " + why); }

class Writer {
 public:
  explicit Writer(FILE *f) : f_(f), buf_(kIoChunk) {}
  // Copies before checksumming so a byte flipped concurrently (a deletion mark) cannot make
  // the stored checksum disagree with the stored bytes.
  void write(const void *p, size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n) {
      size_t m = std::min(n, buf_.size());
      std::memcpy(buf_.data(), c, m);
      crc_ = crc32c(crc_, buf_.data(), m);
      if (std::fwrite(buf_.data(), 1, m, f_) != m) throw std::runtime_error("snapshot write failed");
      bytes_ += m;
      c += m;
      n -= m;
    }
  }
  template <class T>
  void pod(const T &v) { write(&v, sizeof v); }
  uint32_t crc() const { return crc_; }
  uint64_t bytes() const { return bytes_; }

 private:
  FILE *f_;
  std::vector<char> buf_;
  uint32_t crc_ = 0;
  uint64_t bytes_ = 0;
};

class Reader {
 public:
  Reader(FILE *f, uint64_t limit) : f_(f), limit_(limit) {}
  void read(void *p, size_t n) {
    if (n > limit_ - bytes_) corrupt("payload shorter than its contents (truncated?)");
    char *c = static_cast<char *>(p);
    while (n) {
      size_t m = std::min(n, kIoChunk);
      if (std::fread(c, 1, m, f_) != m) corrupt("unexpected end of file (truncated?)");
      crc_ = crc32c(crc_, c, m);
      bytes_ += m;
      c += m;
      n -= m;
    }
  }
  template <class T>
  T pod() {
    T v;
    read(&v, sizeof v);
    return v;
  }
  uint32_t crc() const { return crc_; }
  uint64_t bytes() const { return bytes_; }

 private:
  FILE *f_;
  uint64_t limit_;
  uint32_t crc_ = 0;
  uint64_t bytes_ = 0;
};

struct FileCloser {
  FILE *f;
  ~FileCloser() {
    if (f) std::fclose(f);
  }
};

void fsyncDir(const std::string &path) {
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void VectorCore::save(const std::string &path, double highWater) {
  static std::atomic<uint64_t> seq{0};
  std::lock_guard<std::mutex> w(writeMu_);
  std::shared_lock<std::shared_mutex> s(structMu_);
  repairIfDue(*g_, false);  // enrolments trickling in are repaired here, in the background, once enough arrived
  const Hnsw &g = *g_;
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  try {
    FileCloser closer{f};
    Header h{};
    std::memcpy(h.magic, kMagic, 8);
    h.version = kVersion;
    h.kind = uint32_t(p_.kind);
    h.dim = uint32_t(p_.dim);
    {
      std::lock_guard<std::mutex> meta(metaMu_);
      h.live = live_.size();
    }
    const size_t n = g.cur_element_count;
    h.slots = n;
    h.highWater = highWater;
    if (std::fwrite(&h, sizeof h, 1, f) != 1) throw std::runtime_error("snapshot write failed");
    Writer out(f);
    GraphParams gp{n, g.M_, g.maxM_, g.maxM0_, g.ef_construction_, g.mult_, int32_t(g.maxlevel_),
                   uint32_t(g.enterpoint_node_), g.size_data_per_element_, g.size_links_per_element_};
    out.pod(gp);
    out.write(g.data_level0_memory_, n * g.size_data_per_element_);
    for (size_t i = 0; i < n; i++) {
      uint32_t bytes = g.element_levels_[i] > 0 ? uint32_t(g.size_links_per_element_ * g.element_levels_[i]) : 0;
      out.pod(bytes);
      if (bytes) out.write(g.linkLists_[i], bytes);
    }
    if (p_.kind == VecKind::I8) out.write(side32_.data(), n * p_.dim * sizeof(float));
    h.payloadBytes = out.bytes();
    h.payloadCrc = out.crc();
    h.headerCrc = crc32c(0, &h, offsetof(Header, headerCrc));
    if (std::fseek(f, 0, SEEK_SET) != 0 || std::fwrite(&h, sizeof h, 1, f) != 1 || std::fflush(f) != 0 ||
        ::fsync(fileno(f)) != 0)
      throw std::runtime_error(std::string("snapshot write failed: ") + std::strerror(errno));
    closer.f = nullptr;
    if (std::fclose(f) != 0) throw std::runtime_error("snapshot close failed");
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot rename snapshot into place: " + std::string(std::strerror(errno)));
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  fsyncDir(path);
}

std::unique_ptr<VectorCore> VectorCore::load(const std::string &path, double &highWater) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("snapshot missing: cannot open " + path + ": " + std::strerror(errno));
  FileCloser closer{f};
  struct stat st;
  if (::fstat(fileno(f), &st) != 0) throw std::runtime_error("cannot stat " + path);
  Header h;
  if (uint64_t(st.st_size) < sizeof h || std::fread(&h, sizeof h, 1, f) != 1) corrupt("file shorter than its header");
  if (std::memcmp(h.magic, kMagic, 8) != 0) corrupt("not a biocheck vector index (bad magic)");
  if (crc32c(0, &h, offsetof(Header, headerCrc)) != h.headerCrc) corrupt("header checksum mismatch");
  if (h.version != kVersion) corrupt("unsupported version " + std::to_string(h.version));
  if (uint64_t(st.st_size) != sizeof h + h.payloadBytes)
    corrupt("file is " + std::to_string(st.st_size) + " bytes, header says " + std::to_string(sizeof h + h.payloadBytes) +
            " (truncated?)");
  if (h.kind > 1 || h.dim == 0 || h.dim > 4096) corrupt("bad kind or dim in header");

  Reader in(f, h.payloadBytes);
  GraphParams gp = in.pod<GraphParams>();
  if (gp.slots != h.slots || gp.M < 2 || gp.M > 4096 || gp.maxM0 != 2 * gp.M || gp.maxM != gp.M ||
      gp.slots * gp.sizeDataPerElement > h.payloadBytes)
    corrupt("graph parameters disagree with the header");
  IndexParams p;
  p.dim = h.dim;
  p.kind = VecKind(h.kind);
  p.M = gp.M;
  p.efConstruction = gp.efConstruction;
  p.capacity = gp.slots + gp.slots / 8;
  auto core = std::make_unique<VectorCore>(p);
  Hnsw &g = *core->g_;
  if (g.size_data_per_element_ != gp.sizeDataPerElement || g.size_links_per_element_ != gp.sizeLinksPerElement)
    corrupt("element layout disagrees with dim and M");
  in.read(g.data_level0_memory_, gp.slots * gp.sizeDataPerElement);
  for (size_t i = 0; i < gp.slots; i++) {
    uint32_t bytes = in.pod<uint32_t>();
    if (bytes % gp.sizeLinksPerElement != 0 || bytes / gp.sizeLinksPerElement > kMaxLevels) corrupt("bad link list size");
    g.element_levels_[i] = int(bytes / gp.sizeLinksPerElement);
    g.linkLists_[i] = nullptr;
    if (bytes) {
      g.linkLists_[i] = static_cast<char *>(std::malloc(bytes));
      if (!g.linkLists_[i]) throw std::runtime_error("out of memory loading snapshot");
    }
    g.cur_element_count = i + 1;  // so the destructor frees what is allocated so far
    if (bytes) in.read(g.linkLists_[i], bytes);
  }
  if (p.kind == VecKind::I8) in.read(core->side32_.data(), gp.slots * p.dim * sizeof(float));
  if (in.bytes() != h.payloadBytes) corrupt("trailing bytes after the payload");
  if (in.crc() != h.payloadCrc) corrupt("payload checksum mismatch");
  if (gp.slots > 0 && (gp.enterPoint >= gp.slots || gp.maxLevel != g.element_levels_[gp.enterPoint]))
    corrupt("entry point disagrees with the graph");

  g.cur_element_count = gp.slots;
  g.maxlevel_ = gp.slots ? gp.maxLevel : -1;
  g.enterpoint_node_ = gp.slots ? gp.enterPoint : hnswlib::tableint(-1);
  g.mult_ = gp.mult;
  g.revSize_ = 1.0 / gp.mult;
  g.ef_construction_ = gp.efConstruction;
  g.num_deleted_ = 0;
  for (size_t i = 0; i < gp.slots; i++) {
    g.label_lookup_[g.getExternalLabel(i)] = hnswlib::tableint(i);
    if (g.isMarkedDeleted(i)) g.num_deleted_++;
  }
  core->rebuildMeta();
  // h.live is informational: a removal racing with the save may be in the bytes but not the count.
  highWater = h.highWater;
  return core;
}

}  // namespace bv
