// Test support: a blocking HTTPS/1.1 client on Beast and OpenSSL, with a deadline on
// every operation, for end-to-end tests against the real gateway process.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace paygate::test {

struct ClientOptions {
  std::filesystem::path ca;                      // trust anchor for the server
  std::optional<std::filesystem::path> certificate;  // client certificate (mTLS)
  std::optional<std::filesystem::path> private_key;
  std::string server_name = "localhost";
  std::chrono::milliseconds timeout{5000};       // per operation
  int receive_buffer = 0;                        // SO_RCVBUF before connecting (0: the system's)
  std::string source_address;                    // bind to this loopback address first (e.g. 127.0.0.3)
};

struct HttpAnswer {
  unsigned status = 0;
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;

  std::string header(std::string_view name) const;
};

// Trust anchor, verification and the client certificate from `options` (for any TLS
// test client).
void configure_client_tls(boost::asio::ssl::context& tls, const ClientOptions& options);

class HttpsClient {
 public:
  // Connects to 127.0.0.1:`port` and completes the TLS handshake. Throws std::runtime_error
  // with the reason when either fails.
  HttpsClient(std::uint16_t port, const ClientOptions& options);
  ~HttpsClient();

  // Sends one request and reads its answer. Throws when the connection fails or the
  // answer does not arrive within the timeout.
  HttpAnswer request(std::string_view method, std::string_view target, std::string_view body = {},
                     const std::map<std::string, std::string>& headers = {});

  // Writes bytes as they are (for malformed input); returns false when the write fails.
  bool write_raw(std::string_view bytes);
  // Reads one answer; nullopt when the connection closed or timed out first.
  std::optional<HttpAnswer> read_answer(std::chrono::milliseconds timeout);
  // Waits until the server closes the connection; returns how long that took, or nullopt
  // when it stayed open for `timeout`.
  std::optional<std::chrono::milliseconds> wait_closed(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace paygate::test
