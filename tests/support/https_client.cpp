#include "tests/support/https_client.h"

#include <algorithm>
#include <stdexcept>

#include "net/asio.h"
#include "net/tls_context.h"

namespace paygate::test {

using namespace paygate::net;

struct HttpsClient::Impl {
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<TlsStream> stream;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;

  // Runs the queued asynchronous operation to completion.
  void run() {
    io.restart();
    io.run();
  }
};

std::string HttpAnswer::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

HttpAnswer to_answer(http::response<http::string_body>& res) {
  HttpAnswer answer;
  answer.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    answer.headers[name] = std::string(field.value());
  }
  answer.body = res.body();
  answer.keep_alive = res.keep_alive();
  return answer;
}

}  // namespace

void configure_client_tls(ssl::context& tls, const ClientOptions& options) {
  tls.load_verify_file(options.ca.string());
  tls.set_verify_mode(ssl::verify_peer);
  if (options.certificate) {
    tls.use_certificate_chain_file(options.certificate->string());
    tls.use_private_key_file(options.private_key->string(), ssl::context::pem);
  }
}

HttpsClient::HttpsClient(std::uint16_t port, const ClientOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  i.timeout = options.timeout;
  configure_client_tls(i.tls, options);
  i.stream = std::make_unique<TlsStream>(i.io, i.tls);
  if (!set_peer_name(i.stream->native_handle(), options.server_name)) throw std::runtime_error("server name");

  beast::error_code ec;
  auto& tcp_layer = i.stream->next_layer();
  if (!options.source_address.empty()) {
    tcp_layer.socket().open(tcp::v4(), ec);
    if (!ec) tcp_layer.socket().bind(tcp::endpoint(asio::ip::make_address(options.source_address), 0), ec);
    if (ec) throw std::runtime_error("bind " + options.source_address + ": " + ec.message());
  }
  tcp_layer.expires_after(i.timeout);
  tcp_layer.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) { ec = e; });
  i.run();
  if (ec) throw std::runtime_error("connect: " + ec.message());
  tcp_layer.expires_after(i.timeout);
  i.stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
  i.run();
  if (ec) throw std::runtime_error("handshake: " + ec.message());
}

HttpsClient::~HttpsClient() = default;

HttpAnswer HttpsClient::request(std::string_view method, std::string_view target, std::string_view body,
                                const std::map<std::string, std::string>& headers) {
  Impl& i = *impl_;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() && req[http::field::content_type].empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::string(body);
  req.prepare_payload();
  beast::error_code ec;
  i.stream->next_layer().expires_after(i.timeout);
  http::async_write(*i.stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  i.run();
  if (ec) throw std::runtime_error("write: " + ec.message());
  auto answer = read_answer(i.timeout);
  if (!answer) throw std::runtime_error("no answer");
  return *answer;
}

bool HttpsClient::write_raw(std::string_view bytes) {
  Impl& i = *impl_;
  beast::error_code ec;
  i.stream->next_layer().expires_after(i.timeout);
  asio::async_write(*i.stream, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code e, std::size_t) { ec = e; });
  i.run();
  return !ec;
}

std::optional<HttpAnswer> HttpsClient::read_answer(std::chrono::milliseconds timeout) {
  Impl& i = *impl_;
  i.stream->next_layer().expires_after(timeout);
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    beast::error_code ec;
    http::async_read(*i.stream, i.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    i.run();
    if (ec) return std::nullopt;
    // Interim answers (100 Continue) precede the real one.
    if (parser.get().result_int() >= 200) return to_answer(parser.get());
  }
}

std::optional<std::chrono::milliseconds> HttpsClient::wait_closed(std::chrono::milliseconds timeout) {
  Impl& i = *impl_;
  auto start = std::chrono::steady_clock::now();
  i.stream->next_layer().expires_after(timeout);
  for (;;) {
    beast::error_code ec;
    char sink[512];
    i.stream->async_read_some(asio::buffer(sink), [&](beast::error_code e, std::size_t) { ec = e; });
    i.run();
    if (ec == beast::error::timeout) return std::nullopt;
    if (ec) break;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace paygate::test
