#include "crypto/pkcs11_kek.h"

#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/key_wrap.h"

namespace paygate::crypto {
namespace {

struct ReturnName {
  CK_RV rv;
  const char* name;
};
constexpr std::array<ReturnName, 22> return_names{{
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
    {CKR_HOST_MEMORY, "CKR_HOST_MEMORY"},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
    {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID"},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
    {CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE"},
    {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
    {CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
    {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID"},
    {CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE"},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
}};

std::string rv_text(CK_RV rv) {
  for (const auto& r : return_names) {
    if (r.rv == rv) return r.name;
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "CKR 0x%lx", static_cast<unsigned long>(rv));
  return hex;
}

// A token that stopped answering, as opposed to one that refused what was asked.
bool token_gone(CK_RV rv) {
  return rv == CKR_DEVICE_ERROR || rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
         rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED || rv == CKR_CRYPTOKI_NOT_INITIALIZED ||
         rv == CKR_GENERAL_ERROR || rv == CKR_DEVICE_MEMORY;
}

// One loaded module: dlopen'ed once per process (never closed: a module may keep threads),
// initialized while at least one KEK of it is open.
struct Module {
  void* handle = nullptr;
  CK_FUNCTION_LIST* functions = nullptr;
  int users = 0;
};

std::mutex& modules_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, Module>& modules() {
  static std::map<std::string, Module> m;
  return m;
}

Result<CK_FUNCTION_LIST*> acquire_module(const std::string& path) {
  std::lock_guard lock(modules_mutex());
  Module& m = modules()[path];
  if (!m.functions) {
    m.handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!m.handle) return make_error(ErrorCode::unavailable, "PKCS#11 module " + path + " cannot be loaded");
    auto get = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(m.handle, "C_GetFunctionList"));
    if (!get || get(&m.functions) != CKR_OK || !m.functions) {
      m.functions = nullptr;
      return make_error(ErrorCode::unavailable, "PKCS#11 module " + path + " has no C_GetFunctionList");
    }
  }
  if (m.users == 0) {
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = m.functions->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
      return make_error(ErrorCode::unavailable, "PKCS#11 module " + path + " does not initialize: " + rv_text(rv));
  }
  ++m.users;
  return m.functions;
}

void release_module(const std::string& path) {
  std::lock_guard lock(modules_mutex());
  Module& m = modules()[path];
  if (--m.users == 0) m.functions->C_Finalize(nullptr);
}

std::string token_label_of(const CK_TOKEN_INFO& info) {
  std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
  while (!label.empty() && (label.back() == ' ' || label.back() == '\0')) label.pop_back();
  return label;
}

// A logged-in session on the token named by the location, holding the module while open.
class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const Pkcs11KekLocation& where) {
    auto pin = read_secret_text(where.pin, "PIN file");
    if (!pin) return make_error(ErrorCode::key_file, "PKCS#11 PIN: " + pin.error().reason);
    auto functions = acquire_module(where.module);
    if (!functions) return functions.error();
    auto s = std::unique_ptr<Session>(new Session(where, functions.value()));
    if (auto found = s->find_slot(); !found) return found.error();
    const std::string token = s->token_text();
    CK_RV rv = s->f_->C_OpenSession(s->slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s->session_);
    if (rv != CKR_OK) return make_error(ErrorCode::unavailable, token + ": no session: " + rv_text(rv));
    s->open_ = true;
    const auto& pin_bytes = reveal_secret(pin.value());
    rv = s->f_->C_Login(s->session_, CKU_USER, const_cast<CK_UTF8CHAR*>(pin_bytes.data()), pin_bytes.size());
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE)
      return make_error(ErrorCode::invalid_argument, token + ": login refused: wrong PIN (" + rv_text(rv) + ")");
    if (rv == CKR_PIN_LOCKED) return make_error(ErrorCode::invalid_argument, token + ": login refused: the user PIN is locked");
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
      return make_error(token_gone(rv) ? ErrorCode::unavailable : ErrorCode::invalid_argument,
                        token + ": login failed: " + rv_text(rv));
    return s;
  }

  ~Session() {
    if (open_) f_->C_CloseSession(session_);  // logs out with the last session
    release_module(where_.module);
  }

  // "PKCS#11 module M, slot N (token "L")": how every message names the token.
  std::string token_text() const {
    return "PKCS#11 module " + where_.module + ", slot " + std::to_string(slot_) + " (token \"" + where_.token_label + "\")";
  }

  // The key labelled `label`, if any.
  Result<CK_OBJECT_HANDLE> find_key(const std::string& label) {
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    std::array<CK_ATTRIBUTE, 2> query{{{CKA_CLASS, &cls, sizeof cls},
                                       {CKA_LABEL, const_cast<char*>(label.data()), label.size()}}};
    CK_RV rv = f_->C_FindObjectsInit(session_, query.data(), query.size());
    if (rv != CKR_OK) return fault("searching for key \"" + label + "\"", rv);
    std::array<CK_OBJECT_HANDLE, 2> found{};
    CK_ULONG count = 0;
    rv = f_->C_FindObjects(session_, found.data(), found.size(), &count);
    f_->C_FindObjectsFinal(session_);
    if (rv != CKR_OK) return fault("searching for key \"" + label + "\"", rv);
    if (count == 0) return make_error(ErrorCode::not_found, token_text() + ": no key labelled \"" + label + "\"");
    if (count > 1)
      return make_error(ErrorCode::invalid_argument, token_text() + ": more than one key labelled \"" + label + "\"");
    return found[0];
  }

  // The KEK's check value, after checking it is what a KEK must be.
  Result<std::string> kek_check_value(CK_OBJECT_HANDLE key, const std::string& label) {
    CK_KEY_TYPE type = 0;
    CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE, unwrap = CK_FALSE;
    std::array<std::uint8_t, 3> kcv{};
    std::array<CK_ATTRIBUTE, 5> attrs{{{CKA_KEY_TYPE, &type, sizeof type},
                                       {CKA_SENSITIVE, &sensitive, sizeof sensitive},
                                       {CKA_EXTRACTABLE, &extractable, sizeof extractable},
                                       {CKA_UNWRAP, &unwrap, sizeof unwrap},
                                       {CKA_CHECK_VALUE, kcv.data(), kcv.size()}}};
    const CK_RV rv = f_->C_GetAttributeValue(session_, key, attrs.data(), attrs.size());
    if (rv != CKR_OK) return fault("reading key \"" + label + "\"", rv);
    if (type != CKK_AES || sensitive != CK_TRUE || extractable != CK_FALSE || unwrap != CK_TRUE)
      return make_error(ErrorCode::invalid_argument,
                        token_text() + ": key \"" + label +
                            "\" is not a KEK: it must be an AES key, sensitive, not extractable, able to unwrap");
    return check_value_text(hex_encode(kcv));
  }

  Result<CK_OBJECT_HANDLE> generate_kek(const std::string& label) {
    CK_MECHANISM mech{CKM_AES_KEY_GEN, nullptr, 0};
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_AES;
    CK_ULONG length = 32;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    std::array<CK_ATTRIBUTE, 13> tmpl{{{CKA_CLASS, &cls, sizeof cls},
                                       {CKA_KEY_TYPE, &type, sizeof type},
                                       {CKA_VALUE_LEN, &length, sizeof length},
                                       {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
                                       {CKA_TOKEN, &yes, sizeof yes},
                                       {CKA_PRIVATE, &yes, sizeof yes},
                                       {CKA_SENSITIVE, &yes, sizeof yes},
                                       {CKA_EXTRACTABLE, &no, sizeof no},
                                       {CKA_WRAP, &yes, sizeof yes},
                                       {CKA_UNWRAP, &yes, sizeof yes},
                                       {CKA_ENCRYPT, &no, sizeof no},
                                       {CKA_DECRYPT, &no, sizeof no},
                                       {CKA_MODIFIABLE, &no, sizeof no}}};
    CK_OBJECT_HANDLE key = 0;
    const CK_RV rv = f_->C_GenerateKey(session_, &mech, tmpl.data(), tmpl.size(), &key);
    if (rv != CKR_OK) return fault("generating key \"" + label + "\"", rv);
    return key;
  }

  Result<std::vector<std::uint8_t>> wrap(CK_OBJECT_HANDLE kek, const SecretBytes& material) {
    // The data key enters the token as a session object only for the wrap, then is destroyed.
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    const auto& bytes = reveal_secret(material);
    std::array<CK_ATTRIBUTE, 6> tmpl{{{CKA_CLASS, &cls, sizeof cls},
                                      {CKA_KEY_TYPE, &type, sizeof type},
                                      {CKA_TOKEN, &no, sizeof no},
                                      {CKA_SENSITIVE, &no, sizeof no},
                                      {CKA_EXTRACTABLE, &yes, sizeof yes},
                                      {CKA_VALUE, const_cast<std::uint8_t*>(bytes.data()), bytes.size()}}};
    CK_OBJECT_HANDLE key = 0;
    CK_RV rv = f_->C_CreateObject(session_, tmpl.data(), tmpl.size(), &key);
    if (rv != CKR_OK) return fault("loading the key to wrap", rv);
    CK_MECHANISM mech{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
    std::vector<std::uint8_t> out(bytes.size() + 16);
    CK_ULONG length = out.size();
    rv = f_->C_WrapKey(session_, &mech, kek, key, out.data(), &length);
    f_->C_DestroyObject(session_, key);
    if (rv != CKR_OK) return fault("wrapping", rv);
    out.resize(length);
    return out;
  }

  Result<SecretBytes> unwrap(CK_OBJECT_HANDLE kek, std::span<const std::uint8_t> wrapped) {
    CK_MECHANISM mech{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    std::array<CK_ATTRIBUTE, 5> tmpl{{{CKA_CLASS, &cls, sizeof cls},
                                      {CKA_KEY_TYPE, &type, sizeof type},
                                      {CKA_TOKEN, &no, sizeof no},
                                      {CKA_SENSITIVE, &no, sizeof no},
                                      {CKA_EXTRACTABLE, &yes, sizeof yes}}};
    CK_OBJECT_HANDLE key = 0;
    CK_RV rv = f_->C_UnwrapKey(session_, &mech, kek, const_cast<std::uint8_t*>(wrapped.data()), wrapped.size(),
                               tmpl.data(), tmpl.size(), &key);
    // Tokens differ in what they answer to a value that fails RFC 5649's integrity check
    // (SoftHSM2: CKR_GENERAL_ERROR): a session that still answers means the value was bad.
    if (rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE ||
        rv == CKR_FUNCTION_FAILED || (rv != CKR_OK && alive())) {
      return make_error(ErrorCode::authentication_failed,
                        "the wrapped key does not open under this KEK (wrong KEK or tampered)");
    }
    if (rv != CKR_OK) return fault("unwrapping", rv);
    CK_ATTRIBUTE value{CKA_VALUE, nullptr, 0};
    rv = f_->C_GetAttributeValue(session_, key, &value, 1);
    Botan::secure_vector<std::uint8_t> material;
    if (rv == CKR_OK) {
      material.resize(value.ulValueLen);
      value.pValue = material.data();
      rv = f_->C_GetAttributeValue(session_, key, &value, 1);
    }
    f_->C_DestroyObject(session_, key);
    if (rv != CKR_OK) return fault("reading the unwrapped key", rv);
    return SecretBytes(std::move(material));
  }

 private:
  Session(const Pkcs11KekLocation& where, CK_FUNCTION_LIST* f) : where_(where), f_(f) {}

  Result<bool> find_slot() {
    CK_ULONG count = 0;
    CK_RV rv = f_->C_GetSlotList(CK_TRUE, nullptr, &count);
    std::vector<CK_SLOT_ID> slots(count);
    if (rv == CKR_OK && count > 0) rv = f_->C_GetSlotList(CK_TRUE, slots.data(), &count);
    if (rv != CKR_OK)
      return make_error(ErrorCode::unavailable, "PKCS#11 module " + where_.module + ": no slot list: " + rv_text(rv));
    slots.resize(count);
    for (CK_SLOT_ID slot : slots) {
      CK_TOKEN_INFO info{};
      if (f_->C_GetTokenInfo(slot, &info) == CKR_OK && token_label_of(info) == where_.token_label) {
        slot_ = slot;
        return true;
      }
    }
    return make_error(ErrorCode::unavailable, "PKCS#11 module " + where_.module + ": no token labelled \"" +
                                                  where_.token_label + "\" in " + std::to_string(count) + " slot" +
                                                  (count == 1 ? "" : "s") + " with a token");
  }

  bool alive() const {
    CK_SESSION_INFO info{};
    return f_->C_GetSessionInfo(session_, &info) == CKR_OK;
  }

  Error fault(const std::string& doing, CK_RV rv) const {
    return make_error(token_gone(rv) ? ErrorCode::unavailable : ErrorCode::internal,
                      token_text() + ": " + doing + " failed: " + rv_text(rv));
  }

  Pkcs11KekLocation where_;
  CK_FUNCTION_LIST* f_;
  CK_SLOT_ID slot_ = 0;
  CK_SESSION_HANDLE session_ = 0;
  bool open_ = false;
};

class Pkcs11Kek final : public Kek {
 public:
  Pkcs11Kek(std::string id, std::string check_value, std::unique_ptr<Session> session, CK_OBJECT_HANDLE key)
      : Kek(std::move(id), std::move(check_value)), session_(std::move(session)), key_(key) {}

  Result<std::vector<std::uint8_t>> wrap(const SecretBytes& key) const override {
    std::lock_guard lock(mutex_);
    return session_->wrap(key_, key);
  }
  Result<SecretBytes> unwrap(std::span<const std::uint8_t> wrapped) const override {
    std::lock_guard lock(mutex_);
    return session_->unwrap(key_, wrapped);
  }

 private:
  mutable std::mutex mutex_;  // a PKCS#11 session is for one thread at a time
  std::unique_ptr<Session> session_;
  CK_OBJECT_HANDLE key_;
};

}  // namespace

Result<std::unique_ptr<Kek>> open_pkcs11_kek(std::string kek_id, const Pkcs11KekLocation& location) {
  auto session = Session::open(location);
  if (!session) return session.error();
  auto key = session.value()->find_key(location.key_label);
  if (!key) return key.error();
  auto kcv = session.value()->kek_check_value(key.value(), location.key_label);
  if (!kcv) return kcv.error();
  return std::unique_ptr<Kek>(
      std::make_unique<Pkcs11Kek>(std::move(kek_id), std::move(kcv).value(), std::move(session).value(), key.value()));
}

Result<Pkcs11KekCreated> create_pkcs11_kek(const Pkcs11KekLocation& location) {
  auto session = Session::open(location);
  if (!session) return session.error();
  Session& s = *session.value();
  auto key = s.find_key(location.key_label);
  const bool existed = key.ok();
  if (!existed) {
    if (key.error().code != ErrorCode::not_found) return key.error();
    key = s.generate_kek(location.key_label);
    if (!key) return key.error();
  }
  auto kcv = s.kek_check_value(key.value(), location.key_label);
  if (!kcv) return kcv.error();
  return Pkcs11KekCreated{std::move(kcv).value(), existed};
}

}  // namespace paygate::crypto
