#include "net/certificate_expiry.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace paygate::net {

std::optional<std::int64_t> certificate_not_after(const std::filesystem::path& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem.c_str(), "r"), BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace paygate::net
