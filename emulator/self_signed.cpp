#include "emulator/self_signed.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace wlg::emulator {

namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const { Free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using cert_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;

std::string openssl_error(const char* what) {
  char text[256];
  ERR_error_string_n(ERR_get_error(), text, sizeof text);
  return std::string{what} + ": " + text;
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext)
    return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

} // namespace

result<pem_pair, std::string> make_self_signed_certificate() {
  key_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    return fail(openssl_error("generating a P-256 key"));
  cert_ptr cert{X509_new()};
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("dockercloud-emulator"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE")
      || !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign")
      || !add_extension(cert.get(), NID_ext_key_usage, "serverAuth")
      || !add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")
      || !add_extension(cert.get(), NID_subject_key_identifier, "hash"))
    return fail(openssl_error("adding certificate extensions"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return fail(openssl_error("signing the certificate"));

  bio_ptr cert_bio{BIO_new(BIO_s_mem())};
  bio_ptr key_bio{BIO_new(BIO_s_mem())};
  if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1
      || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(openssl_error("writing PEM"));
  return pem_pair{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

} // namespace wlg::emulator
