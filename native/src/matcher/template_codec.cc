// The matcher's own template: versioned, little-endian, checksummed; decoding validates every field.
//   0 "BCFM" | 4 version u8 (=1) | 5 position u8 | 6 count u16 | 8 width u16 | 10 height u16
//  12 count x { x i16, y i16 (quarter pixels at 500 ppi), angle u16 (1/65536 turn), type u8, quality u8 }
//  12+8n FNV-1a 32 of all preceding bytes
#include <cmath>
#include <cstring>
#include "fingerprint.h"

namespace fm {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 12, kPerMinutia = 8, kTrailer = 4;

uint32_t fnv1a(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}
void put16(std::vector<uint8_t>& b, uint32_t v) { b.push_back(v & 0xff); b.push_back((v >> 8) & 0xff); }
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

}  // namespace

std::vector<uint8_t> encodeTemplate(const Finger& f) {
  std::vector<uint8_t> b;
  b.reserve(kHeader + kPerMinutia * f.minutiae.size() + kTrailer);
  for (uint8_t c : {uint8_t('B'), uint8_t('C'), uint8_t('F'), uint8_t('M'), kVersion, f.position}) b.push_back(c);
  put16(b, uint32_t(f.minutiae.size()));
  put16(b, f.width);
  put16(b, f.height);
  for (const Minutia& m : f.minutiae) {
    put16(b, uint16_t(int16_t(std::lround(m.x * 4))));
    put16(b, uint16_t(int16_t(std::lround(m.y * 4))));
    double turns = m.angle / kTwoPi;
    turns -= std::floor(turns);
    put16(b, uint32_t(std::lround(turns * 65536)) & 0xffff);
    b.push_back(m.type);
    b.push_back(m.quality);
  }
  uint32_t h = fnv1a(b.data(), b.size());
  put16(b, h & 0xffff);
  put16(b, h >> 16);
  return b;
}

std::string decodeTemplate(const uint8_t* d, size_t len, Finger& out) {
  if (len < kHeader + kTrailer) return "TEMPLATE_TRUNCATED|template is " + std::to_string(len) + " bytes, shorter than the 16-byte minimum";
  if (std::memcmp(d, "BCFM", 4) != 0) return "TEMPLATE_UNKNOWN_FORMAT|bytes 0-3 are not the magic \"BCFM\"";
  if (d[4] != kVersion) return "TEMPLATE_UNKNOWN_FORMAT|byte 4: unsupported template version " + std::to_string(d[4]);
  if (d[5] > 10) return "TEMPLATE_INVALID_FIELD|byte 5: finger position " + std::to_string(d[5]) + " is outside 0..10";
  size_t n = get16(d + 6);
  if (n > size_t(kMaxMinutiae)) return "TEMPLATE_INVALID_FIELD|bytes 6-7: " + std::to_string(n) + " minutiae exceeds the limit of 255";
  size_t want = kHeader + kPerMinutia * n + kTrailer;
  if (len != want) return "TEMPLATE_LENGTH_MISMATCH|template is " + std::to_string(len) + " bytes but its header implies " + std::to_string(want);
  uint32_t stored = uint32_t(get16(d + len - 4)) | (uint32_t(get16(d + len - 2)) << 16);
  if (stored != fnv1a(d, len - 4)) return "TEMPLATE_INVALID_FIELD|bytes " + std::to_string(len - 4) + "-" + std::to_string(len - 1) + ": checksum mismatch";
  out.position = d[5];
  out.width = get16(d + 8);
  out.height = get16(d + 10);
  out.minutiae.resize(n);
  for (size_t i = 0; i < n; i++) {
    const uint8_t* p = d + kHeader + kPerMinutia * i;
    Minutia& m = out.minutiae[i];
    m.x = int16_t(get16(p)) / 4.0f;
    m.y = int16_t(get16(p + 2)) / 4.0f;
    m.angle = float(get16(p + 4) * kTwoPi / 65536.0);
    m.type = p[6];
    m.quality = p[7];
    size_t off = kHeader + kPerMinutia * i;
    if (std::fabs(m.x) > kMaxCoordinate || std::fabs(m.y) > kMaxCoordinate)
      return "TEMPLATE_INVALID_FIELD|bytes " + std::to_string(off) + "-" + std::to_string(off + 3) + ": minutia " + std::to_string(i) + " lies outside +-4000 pixels";
    if (m.type > 2) return "TEMPLATE_INVALID_FIELD|byte " + std::to_string(off + 6) + ": minutia type " + std::to_string(m.type) + " is not 0..2";
    if (m.quality > 100) return "TEMPLATE_INVALID_FIELD|byte " + std::to_string(off + 7) + ": minutia quality " + std::to_string(m.quality) + " exceeds 100";
  }
  return "";
}

}  // namespace fm
