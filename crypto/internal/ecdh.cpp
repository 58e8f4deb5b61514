#include "crypto/internal/ecdh.h"

#include <botan/bigint.h>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/exceptn.h>
#include <botan/hash.h>
#include <botan/pubkey.h>

#include "crypto/random.h"

namespace paygate::crypto::internal {
namespace {

const Botan::EC_Group& p256() {
  static const Botan::EC_Group group("secp256r1");
  return group;
}

void put_u32(Botan::HashFunction& h, std::uint32_t n) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                             static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  h.update(b, 4);
}

}  // namespace

Result<std::shared_ptr<const Botan::PointGFp>> p256_point(std::span<const std::uint8_t> x,
                                                          std::span<const std::uint8_t> y) {
  if (x.size() != 32 || y.size() != 32) return make_error(ErrorCode::malformed, "P-256 coordinates are 32 bytes each");
  const Botan::BigInt bx(x.data(), x.size());
  const Botan::BigInt by(y.data(), y.size());
  if (bx >= p256().get_p() || by >= p256().get_p()) return make_error(ErrorCode::malformed, "P-256 coordinate out of range");
  try {
    auto point = std::make_shared<Botan::PointGFp>(p256().point(bx, by));
    // Invalid-curve attacks: a point off the curve would leak the private key bit by bit.
    if (point->is_zero() || !point->on_the_curve()) return make_error(ErrorCode::malformed, "point is not on P-256");
    return std::shared_ptr<const Botan::PointGFp>(std::move(point));
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::malformed, "point is not on P-256");
  }
}

Result<std::shared_ptr<const Botan::PointGFp>> p256_point_of(const Botan::Public_Key& key) {
  const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(&key);
  if (!ec) return make_error(ErrorCode::wrong_key_use, "not an EC key");
  if (ec->domain() != p256()) return make_error(ErrorCode::unsupported, "EC key is not on P-256");
  const Botan::PointGFp& point = ec->public_point();
  if (point.is_zero() || !point.on_the_curve()) return make_error(ErrorCode::malformed, "point is not on P-256");
  return std::make_shared<const Botan::PointGFp>(point);
}

Result<Botan::secure_vector<std::uint8_t>> ecdh_p256(const Botan::Private_Key& key, const Botan::PointGFp& peer) {
  const auto* ec = dynamic_cast<const Botan::ECDH_PrivateKey*>(&key);
  if (!ec || ec->domain() != p256()) return make_error(ErrorCode::wrong_key_use, "not a P-256 ECDH private key");
  try {
    Botan::PK_Key_Agreement agreement(*ec, system_rng(), "Raw");
    const std::vector<std::uint8_t> encoded = peer.encode(Botan::PointGFp::UNCOMPRESSED);
    return agreement.derive_key(0, encoded).bits_of();
  } catch (const Botan::Exception&) {
    return make_error(ErrorCode::malformed, "ECDH key agreement failed");
  }
}

std::unique_ptr<Botan::Private_Key> p256_generate() {
  return std::make_unique<Botan::ECDH_PrivateKey>(system_rng(), p256());
}

void p256_coordinates(const Botan::PointGFp& point, std::vector<std::uint8_t>& x, std::vector<std::uint8_t>& y) {
  x.assign(32, 0);
  y.assign(32, 0);
  point.get_affine_x().binary_encode(x.data(), 32);
  point.get_affine_y().binary_encode(y.data(), 32);
}

const Botan::PointGFp& public_point_of(const Botan::Private_Key& key) {
  return dynamic_cast<const Botan::EC_PublicKey&>(key).public_point();
}

Botan::secure_vector<std::uint8_t> concat_kdf_sha256(std::span<const std::uint8_t> z, std::string_view algorithm_id,
                                                     std::span<const std::uint8_t> apu,
                                                     std::span<const std::uint8_t> apv, std::size_t key_bytes) {
  auto h = Botan::HashFunction::create_or_throw("SHA-256");
  put_u32(*h, 1);  // round counter: one SHA-256 output covers up to 256 bits
  h->update(z.data(), z.size());
  put_u32(*h, static_cast<std::uint32_t>(algorithm_id.size()));
  h->update(reinterpret_cast<const std::uint8_t*>(algorithm_id.data()), algorithm_id.size());
  put_u32(*h, static_cast<std::uint32_t>(apu.size()));
  h->update(apu.data(), apu.size());
  put_u32(*h, static_cast<std::uint32_t>(apv.size()));
  h->update(apv.data(), apv.size());
  put_u32(*h, static_cast<std::uint32_t>(key_bytes * 8));
  Botan::secure_vector<std::uint8_t> out = h->final();
  out.resize(key_bytes);
  return out;
}

}  // namespace paygate::crypto::internal
