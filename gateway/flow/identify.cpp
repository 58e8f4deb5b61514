#include "gateway/flow/identify.h"

#include "gateway/snapshot.h"

namespace paygate::gateway {

Identity identify(const Snapshot& snapshot, const Credentials& credentials) {
  Identity out;
  if (!snapshot.merchants.enabled()) return out;  // anonymous
  const config::Merchant* by_key =
      credentials.api_key.empty() ? nullptr : snapshot.merchants.by_api_key(credentials.api_key);
  if (!credentials.api_key.empty() && !by_key) {
    out.failure = "unknown_api_key";
    return out;
  }
  const config::Merchant* by_certificate =
      credentials.certificate ? snapshot.merchants.by_certificate(*credentials.certificate) : nullptr;
  if (credentials.certificate && !by_certificate && !by_key) {
    out.failure = "unknown_certificate";
    return out;
  }
  if (by_key && by_certificate && by_key != by_certificate) {
    out.failure = "credentials_disagree";
    return out;
  }
  out.merchant = by_key ? by_key : by_certificate;
  if (!out.merchant) out.failure = "no_credentials";
  return out;
}

}  // namespace paygate::gateway
