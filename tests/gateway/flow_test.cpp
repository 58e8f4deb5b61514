// The payment flow with test doubles (tests/gateway/flow_harness.h): every outcome branch
// for both message adapters, and — for each place where the HTTPS and ISO 8583 paths
// used to behave differently — the same scenario on both transports with the same
// decision. No sockets; the upstreams and the audit sink are doubles.
#include <gtest/gtest.h>

#include <algorithm>

#include <boost/json/parse.hpp>

#include <future>
#include <set>

#include "card/detect.h"
#include "card/luhn.h"
#include "gateway/http/answers.h"
#include "gateway/iso/answers.h"
#include "tests/gateway/flow_harness.h"
#include "tests/support/iso_client.h"

namespace paygate::gateway::test {
namespace {

const net::PeerCertificate acme = certificate_of("acme");
const net::PeerCertificate globex = certificate_of("globex");
const net::PeerCertificate stranger = certificate_of("stranger");

// What one message came to, on either transport.
struct Result {
  Outcome outcome = Outcome::answered;
  std::string answer;         // the answer's body (HTTPS) or DE 39 (ISO 8583)
  std::string answer_card;    // HTTPS: card.number of the answer; ISO: DE 2
  std::vector<protocol::ValidationIssue> issues;
};

Result over_https(Harness& h, const std::string& path, const std::string& body, const net::PeerCertificate* who,
                  std::string_view api_key = {}) {
  HttpRequestIn in;
  in.method = "POST";
  in.target = path;
  in.content_type = "application/json";
  in.body = body;
  auto message = std::make_shared<JsonMessage>(std::move(in), 64 * 1024);
  Exchange x = h.exchange(message, 0, who, api_key);
  std::string answer;
  h.run(x, [&](const Exchange& done) {
    WireAnswer wire{"request", "POST", 0, {}, {}, done.answer_facts.response_code, 0};
    wire.status = done.outcome == Outcome::answered ? message->answer_status() : problem_for(done.outcome).status;
    if (done.outcome == Outcome::answered) answer = message->take_answer_body();
    return wire;
  });
  Result r{x.outcome, answer, "", x.issues};
  if (!answer.empty()) {
    auto parsed = boost::json::parse(answer).as_object();
    if (auto* card = parsed.if_contains("card"); card && card->as_object().if_contains("number")) {
      r.answer_card = std::string(card->at("number").as_string());
    }
  }
  return r;
}

Result over_iso(Harness& h, iso::Message request, const net::PeerCertificate* who) {
  const auto spec = h.snapshot->config->listeners[1].iso->spec;
  auto message = std::make_shared<IsoMessage>(request, spec);
  Exchange x = h.exchange(message, 1, who);
  iso::Message answer;
  std::string code;
  h.run(x, [&](const Exchange& done) {
    if (done.outcome == Outcome::answered) {
      answer = message->answer();
    } else {
      answer = generated_answer(request, response_code_for(done.outcome, *h.snapshot->config->listeners[1].iso,
                                                           &h.snapshot->config->processors[1], "59"));
    }
    code = std::string(answer.fields.get(39));
    return WireAnswer{"iso8583_exchange", {}, 0, "0100", "000001", code, 0};
  });
  return Result{x.outcome, std::string(answer.fields.get(39)), std::string(answer.fields.get(2)), x.issues};
}

iso::Message iso_payment(const std::string& pan, const std::string& mti = "0100", const std::string& amount = "000000001299") {
  return paygate::test::iso_request(mti, 1, pan, amount, "000000");
}

// Both transports, one scenario: `https` and `iso` run it; their outcomes must agree.
void expect_same(const Result& https, const Result& iso, Outcome expected) {
  EXPECT_EQ(https.outcome, expected) << "HTTPS got " << to_string(https.outcome);
  EXPECT_EQ(iso.outcome, expected) << "ISO 8583 got " << to_string(iso.outcome);
}

TEST(Flow, ABoundPaymentIsForwardedAndItsAnswerCarriesTokensOnBothTransports) {
  Harness h;
  h.https->respond = [](const UpstreamRequest& r) {
    // The processor echoes the card number it received (the policy issued a token, the PAN went on).
    auto body = boost::json::parse(std::get<HttpRequestOut>(r.message).body).as_object();
    return Harness::approve_json(true, 200, std::string(body.at("card").at("number").as_string()));
  };
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(https, iso, Outcome::answered);
  EXPECT_EQ(iso.answer, "00");
  for (const auto& card : {https.answer_card, iso.answer_card}) {
    EXPECT_EQ(card.size(), 16u);
    EXPECT_FALSE(card::luhn_valid(card)) << card;  // a token, never the card number
    EXPECT_EQ(card.substr(0, 6), "411111");
  }
  EXPECT_TRUE(card::find_pans(https.answer).empty()) << https.answer;
  EXPECT_EQ(h.https->calls, 1);
  EXPECT_EQ(h.iso8583->calls, 1);
}

TEST(Flow, EveryRecordHasTheSameShapeOnBothTransports) {
  Harness h;
  over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  over_iso(h, iso_payment("4111111111111111"), &acme);
  const auto https = h.audit->of_type("request");
  const auto iso = h.audit->of_type("iso8583_exchange");
  ASSERT_EQ(https.size(), 1u);
  ASSERT_EQ(iso.size(), 1u);
  auto keys = [](const audit::AuditEvent* e) {
    std::vector<std::string> out;
    for (const auto& kv : e->object()) out.emplace_back(kv.key());
    return out;
  };
  EXPECT_EQ(keys(https[0]), keys(iso[0]));  // same members, same order
  for (const auto* e : {https[0], iso[0]}) {
    EXPECT_EQ(e->object().at("merchant").as_string(), "acme");
    EXPECT_EQ(e->object().at("outcome").as_string(), "answered");
    EXPECT_EQ(e->object().at("masked_pan").as_string(), "411111******1111");
    EXPECT_FALSE(e->object().at("token").as_string().empty());
    EXPECT_FALSE(e->object().at("actions").as_array().empty());
    EXPECT_TRUE(e->object().contains("fraud"));
  }
  EXPECT_EQ(https[0]->object().at("status").to_number<std::int64_t>(), 200);
  EXPECT_TRUE(https[0]->object().at("mti").is_null());
  EXPECT_EQ(iso[0]->object().at("mti").as_string(), "0100");
  EXPECT_TRUE(iso[0]->object().at("status").is_null());
}

TEST(Flow, NoRouteIsNotForwardedAndNotAudited) {
  Harness h;
  const Result https = over_https(h, "/v1/nowhere", "{}", &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111", "0300"), &acme);
  expect_same(https, iso, Outcome::route_not_found);
  EXPECT_EQ(iso.answer, "12");
  EXPECT_TRUE(h.audit->events.empty());
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
}

TEST(Flow, AnUnknownMerchantIsRefusedAndAudited) {
  Harness h;
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &stranger);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &stranger);
  expect_same(https, iso, Outcome::unauthenticated);
  EXPECT_EQ(iso.answer, "63");
  EXPECT_EQ(h.audit->of_type("authentication_failure").size(), 2u);
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
  // A key that no merchant has, and credentials that disagree.
  EXPECT_EQ(over_https(h, "/v1/payments", authorization("4111111111111111"), nullptr, "wrong").outcome,
            Outcome::unauthenticated);
  EXPECT_EQ(over_https(h, "/v1/payments", authorization("4111111111111111"), &globex, "acme-key").outcome,
            Outcome::unauthenticated);
  EXPECT_EQ(over_https(h, "/v1/payments", authorization("4111111111111111"), nullptr, "acme-key").outcome,
            Outcome::answered);
}

// The review filled the audit disk with unauthenticated requests (two records each, no
// limit). Now each client address gets a bucket of records; the rest are refused
// unaudited, and the address's next record says how many were left out.
TEST(Flow, AuthenticationFailureRecordsAreLimitedPerClientAddress) {
  Harness h;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(over_https(h, "/v1/payments", authorization("4111111111111111"), &stranger).outcome,
              Outcome::unauthenticated);
  }
  EXPECT_EQ(h.audit->of_type("authentication_failure").size(), 20u);  // the default burst
  EXPECT_EQ(h.audit->of_type("request").size(), 20u);
  EXPECT_EQ(h.https->calls, 0);
}

TEST(AuditThrottle, RefillsCountsWhatItSuppressedAndForgetsTheOldestAddress) {
  AuditThrottle throttle(2, 60, 2);  // 2 records, one more per second, 2 addresses
  const auto t0 = AuditThrottle::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(throttle.admit("192.0.2.1", t0).record);
  EXPECT_TRUE(throttle.admit("192.0.2.1", t0).record);
  EXPECT_FALSE(throttle.admit("192.0.2.1", t0).record);
  EXPECT_FALSE(throttle.admit("192.0.2.1", t0).record);
  EXPECT_TRUE(throttle.admit("192.0.2.2", t0).record);  // another address has its own bucket
  const auto later = throttle.admit("192.0.2.1", t0 + std::chrono::seconds(1));
  EXPECT_TRUE(later.record);
  EXPECT_EQ(later.suppressed_before, 2u);
  EXPECT_EQ(throttle.admit("192.0.2.1", t0 + std::chrono::seconds(1)).suppressed_before, 0u);
  // A third address evicts the least recently seen (192.0.2.2), which then starts afresh.
  EXPECT_TRUE(throttle.admit("192.0.2.3", t0 + std::chrono::seconds(2)).record);
  EXPECT_TRUE(throttle.admit("192.0.2.2", t0 + std::chrono::seconds(2)).record);
}

// The review found nothing binding a request to its merchant on the processor side. The
// authenticated id goes upstream in the route's header (the client's own copy never
// does); an ISO 8583 message must carry the merchant's own DE 42 / DE 41, else 58.
TEST(Flow, RequestsAreBoundToTheirMerchantOnTheProcessorSide) {
  const std::string merchants =
      "merchants:\n"
      "  - { id: acme, certificates: [ { san_uri: \"spiffe://merchants/acme\" } ],\n"
      "      iso8583: { card_acceptor_ids: [ ACME0001 ], terminal_ids: [ T1, T2 ] } }\n"
      "  - { id: globex, certificates: [ { san_uri: \"spiffe://merchants/globex\" } ] }\n";
  Harness h(merchants);
  ASSERT_EQ(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme).outcome, Outcome::answered);
  const auto& sent = std::get<HttpRequestOut>(h.https->seen.back().message).headers;
  EXPECT_NE(std::find(sent.begin(), sent.end(), std::pair<std::string, std::string>{"X-Merchant-Id", "acme"}), sent.end());
  auto with_ids = [](const std::string& acceptor, const std::string& terminal) {
    auto m = iso_payment("4111111111111111");
    if (!acceptor.empty()) m.fields.set(42, acceptor);
    if (!terminal.empty()) m.fields.set(41, terminal);
    return m;
  };
  EXPECT_EQ(over_iso(h, with_ids("ACME0001       ", "T2      "), &acme).outcome, Outcome::answered);
  const Result stranger_ids = over_iso(h, with_ids("GLOBEX01       ", "T1      "), &acme);
  EXPECT_EQ(stranger_ids.outcome, Outcome::route_not_allowed);
  EXPECT_EQ(stranger_ids.answer, "58");
  EXPECT_EQ(over_iso(h, with_ids("ACME0001       ", "T9      "), &acme).outcome, Outcome::route_not_allowed);
  EXPECT_EQ(over_iso(h, with_ids("", ""), &acme).outcome, Outcome::route_not_allowed);  // no DE 42 at all
  EXPECT_EQ(h.iso8583->calls, 1);
  const auto refusals = h.audit->of_type("authorization_refusal");
  ASSERT_EQ(refusals.size(), 3u);
  EXPECT_EQ(refusals[0]->object().at("reason").as_string(), "merchant_ids_not_its_own");
  // A merchant without configured ids is not checked (check-config warns about it).
  EXPECT_EQ(over_iso(h, with_ids("ANYTHING", ""), &globex).outcome, Outcome::answered);
}

TEST(Flow, AMerchantLimitedToOtherRoutesIsRefusedAndAudited) {
  Harness h;
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &globex);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &globex);
  expect_same(https, iso, Outcome::route_not_allowed);
  EXPECT_EQ(iso.answer, "58");
  EXPECT_EQ(h.audit->of_type("authorization_refusal").size(), 2u);
}

// Divergence: a merchant removed by a reload kept trading on an open ISO 8583 connection,
// as "anonymous" with no route restriction. The merchant is resolved per message from the
// snapshot the message runs on, on both transports.
TEST(Flow, AMerchantRemovedByAReloadIsRefusedOnConnectionsItAlreadyHad) {
  Harness h;
  expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
              over_iso(h, iso_payment("4111111111111111"), &acme), Outcome::answered);
  h.load(globex_only);
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(https, iso, Outcome::unauthenticated);
  for (const auto& e : h.audit->events) {
    if (e.object().contains("merchant")) {
      EXPECT_NE(e.object().at("merchant").as_string(), "anonymous");
    }
  }
}

TEST(Flow, InvalidMessagesAreRefusedWithTheirIssues) {
  Harness h;
  const Result https = over_https(h, "/v1/payments", R"({"merchant_reference":"x"})", &acme);
  iso::Message missing = iso_payment("4111111111111111");
  missing.fields.erase(4);
  const Result iso = over_iso(h, missing, &acme);
  expect_same(https, iso, Outcome::invalid_message);
  EXPECT_EQ(iso.answer, "30");
  EXPECT_FALSE(https.issues.empty());
  EXPECT_EQ(iso.issues, (std::vector<protocol::ValidationIssue>{{"DE4", "required"}}));
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
}

TEST(Flow, ATokenNoKeyCanOpenIsACardRefusal) {
  Harness h;
  std::string token = "4111110000001111";
  token[15] = card::luhn_digit_for(token, 15, 2);  // slot 2: no fpe key holds it
  const Result https = over_https(h, "/v1/detokenize", R"({"card":{"token":")" + token + R"("}})", &acme);
  iso::Message m = iso_payment(token, "0220");
  const Result iso = over_iso(h, m, &acme);
  expect_same(https, iso, Outcome::card_refused);
  EXPECT_EQ(iso.answer, "14");
  EXPECT_EQ(https.issues, (std::vector<protocol::ValidationIssue>{{"$.card.token", "unknown_key"}}));
}

TEST(Flow, FraudScreeningBlocksBeforeAnythingLeaves) {
  Harness h;
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111", 950000), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111", "0100", "000000950000"), &acme);
  expect_same(https, iso, Outcome::blocked);
  EXPECT_EQ(iso.answer, "59");
  EXPECT_EQ(https.issues, (std::vector<protocol::ValidationIssue>{{"$", "huge"}}));
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
}

// Divergence: the HTTPS path refused payments while the audit log could not write; the
// ISO 8583 path forwarded them. One gate, before anything leaves.
TEST(Flow, WhileTheAuditLogFailsNothingLeavesOnEitherTransport) {
  Harness h;
  h.audit->is_healthy = false;
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(https, iso, Outcome::audit_unavailable);
  EXPECT_EQ(iso.answer, "96");
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
  // A log that refuses records refuses the authentication failure's too: 503, not 401.
  h.audit->is_healthy = true;
  h.audit->refuse = true;
  expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &stranger),
              over_iso(h, iso_payment("4111111111111111"), &stranger), Outcome::audit_unavailable);
}

// Divergence: HTTPS retried and counted a processor 5xx against the breaker, ISO 8583 did
// not. One processor client: the same retry rule and the same breaker for both.
TEST(Flow, OneRetryRuleAndOneBreakerForBothTransports) {
  Harness h;
  // A request that never left is retried once.
  int https_calls = 0, iso_calls = 0;
  h.https->respond = [&](const UpstreamRequest&) {
    return ++https_calls == 1 ? Harness::fault(UpstreamFault::connect_failed) : Harness::approve_json(false);
  };
  h.iso8583->respond = [&](const UpstreamRequest& r) {
    return ++iso_calls == 1 ? Harness::fault(UpstreamFault::connect_failed) : Harness::approve_iso(r, "00");
  };
  expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
              over_iso(h, iso_payment("4111111111111111"), &acme), Outcome::answered);
  EXPECT_EQ(h.https->calls, 2);
  EXPECT_EQ(h.iso8583->calls, 2);
  // One that may have been seen is not (no idempotency key).
  h.https->respond = [](const UpstreamRequest&) { return Harness::fault(UpstreamFault::reset); };
  h.iso8583->respond = [](const UpstreamRequest&) { return Harness::fault(UpstreamFault::link_dropped); };
  expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
              over_iso(h, iso_payment("4111111111111111"), &acme), Outcome::processor_failed);
  EXPECT_EQ(h.https->calls, 3);
  EXPECT_EQ(h.iso8583->calls, 3);
  // Answers that say the processor is failing (HTTP 500, DE 39 96) go back to the
  // merchant and open the breaker after three.
  h.https->respond = [](const UpstreamRequest&) { return Harness::approve_json(false, 500); };
  h.iso8583->respond = [](const UpstreamRequest& r) { return Harness::approve_iso(r, "96"); };
  for (int i = 0; i < 2; ++i) {
    expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
                over_iso(h, iso_payment("4111111111111111"), &acme), Outcome::answered);
  }
  const int https_before = h.https->calls, iso_before = h.iso8583->calls;
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(https, iso, Outcome::processor_unavailable);
  EXPECT_EQ(iso.answer, "91");
  EXPECT_EQ(h.https->calls, https_before);
  EXPECT_EQ(h.iso8583->calls, iso_before);
}

TEST(Flow, ProcessorFaultsBecomeTheSameOutcomesOnBothTransports) {
  Harness h;
  const std::pair<UpstreamFault, Outcome> cases[] = {
      {UpstreamFault::timeout, Outcome::processor_timeout},
      {UpstreamFault::busy, Outcome::processor_busy},
      {UpstreamFault::unavailable, Outcome::processor_unreachable},
  };
  for (const auto& [f, expected] : cases) {
    h.https->respond = [f = f](const UpstreamRequest&) { return Harness::fault(f); };
    h.iso8583->respond = [f = f](const UpstreamRequest&) { return Harness::fault(f); };
    expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
                over_iso(h, iso_payment("4111111111111111"), &acme), expected);
  }
  // A processor that stalls past the response timeout (the pool reports it as timeout).
  h.https->delay = h.iso8583->delay = std::chrono::milliseconds(20);
  h.https->respond = h.iso8583->respond = [](const UpstreamRequest&) { return Harness::fault(UpstreamFault::timeout); };
  expect_same(over_https(h, "/v1/payments", authorization("4111111111111111"), &acme),
              over_iso(h, iso_payment("4111111111111111"), &acme), Outcome::processor_timeout);
}

// Divergence: the answer's card-number guard was audit::find_pans on one path and a strip
// of three ISO fields on the other. One guard: an answer holding a card number the
// route's policies did not cover is refused, whole, on both.
TEST(Flow, OneCardNumberGuardRefusesALeakyAnswerOnBothTransports) {
  Harness h;
  h.https->respond = [](const UpstreamRequest&) { return Harness::approve_json(true, 200, "5555555555554444"); };
  const Result https = over_https(h, "/v1/leaky", authorization("5555555555554444"), &globex);
  const Result iso = over_iso(h, iso_payment("5555555555554444", "0200"), &globex);  // the processor echoes DE 2
  expect_same(https, iso, Outcome::answer_refused);
  EXPECT_EQ(iso.answer, "96");
  EXPECT_TRUE(iso.answer_card.empty());
  EXPECT_EQ(https.issues, (std::vector<protocol::ValidationIssue>{{"$", "card_number_in_answer"}}));
  EXPECT_EQ(iso.issues, (std::vector<protocol::ValidationIssue>{{"DE2", "card_number_in_answer"}}));
}

// A work queue that is full: the steps that need keys or the vault are refused, never
// run on the network thread.
// A request step that needs nothing beyond memory (issue #21) — FPE tokens are pure
// computation — runs on the network thread: a full work queue does not stop it.
TEST(Flow, ARequestStepOfMemoryAloneNeedsNoWorkQueueOnBothTransports) {
  Harness h(acme_and_globex, 1, 0);
  h.iso8583->respond = [](const UpstreamRequest& r) {
    auto answer = Harness::approve_iso(r, "00");
    std::get<iso::Message>(answer.message).fields.erase(2);  // not echoed: no response policy covers it
    return answer;
  };
  std::string token = "4111110000001111";
  token[15] = card::luhn_digit_for(token, 15, 1);
  const Result https = over_https(h, "/v1/detokenize", R"({"card":{"token":")" + token + R"("}})", &acme);
  const Result iso = over_iso(h, iso_payment(token, "0220"), &acme);
  expect_same(https, iso, Outcome::answered);
  EXPECT_EQ(h.runtime.metrics.request_step_stalls(), 0u);
  // What reached the processor is the card number the token stands for, the same on both.
  ASSERT_EQ(h.https->calls, 1);
  ASSERT_EQ(h.iso8583->calls, 1);
  const auto sent = boost::json::parse(std::get<HttpRequestOut>(h.https->seen[0].message).body);
  const std::string pan(sent.at("card").at("token").as_string());
  EXPECT_TRUE(card::luhn_valid(pan)) << "detokenized";
  EXPECT_NE(pan, token);
  EXPECT_EQ(std::get<iso::Message>(h.iso8583->seen[0].message).fields.get(2), pan);

  // The answer step too: an echoed card number tokenized by FPE (memory only) with the
  // work queue still full.
  h.https->respond = [](const UpstreamRequest&) { return Harness::approve_json(true, 200, "4111111111111111"); };
  h.iso8583->respond = [](const UpstreamRequest& r) { return Harness::approve_iso(r, "00"); };  // DE 2 echoed
  const Result echoed = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result echoed_iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(echoed, echoed_iso, Outcome::answered);
  EXPECT_NE(echoed.answer_card, "4111111111111111");
  EXPECT_EQ(echoed.answer_card.size(), 16u);
  EXPECT_NE(echoed_iso.answer_card, "4111111111111111");
  EXPECT_EQ(echoed.answer_card, echoed_iso.answer_card) << "one merchant, one card: one FPE token";
}

// A screening state outside the process, for the feedback test: reads answer zeros.
class RemoteStoreDouble final : public fraud::WindowStore {
 public:
  bool apply(std::span<const fraud::WindowRead>, const fraud::DistinctCards*, bool, std::int64_t,
             std::span<std::uint64_t> before, fraud::DistinctResult&) override {
    std::fill(before.begin(), before.end(), 0);
    return true;
  }
  std::size_t tracked_keys() const override { return 0; }
  std::uint64_t evictions() const override { return 0; }
  std::uint64_t state_errors() const override { return 0; }
  bool in_process() const override { return false; }
};

// Work that must leave the network thread — here the screening state is outside the
// process — finds the work queue full: service busy on both transports, nothing sent.
TEST(Flow, AFullWorkQueueIsServiceBusyOnBothTransports) {
  Harness h(acme_and_globex, 1, 0);
  h.runtime.screener = std::make_unique<fraud::Screener>(std::make_unique<RemoteStoreDouble>(), false);
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  expect_same(https, iso, Outcome::service_busy);
  EXPECT_EQ(iso.answer, "96");
  EXPECT_EQ(h.https->calls + h.iso8583->calls, 0);
}

// Divergence: fraud feedback was awaited on HTTPS and silently dropped on ISO 8583 when
// the work queue was full. One rule: fed back off the network thread, never waited for;
// when it cannot be queued it is dropped, counted and logged — on both.
TEST(Flow, FraudFeedbackThatCannotBeQueuedIsCountedOnBothTransports) {
  Harness h(acme_and_globex, 1, 1);
  h.runtime.screener = std::make_unique<fraud::Screener>(std::make_unique<RemoteStoreDouble>(), false);
  // The processor answers while something else holds the work queue.
  std::shared_future<void> gate;
  auto fill_queue = [&] {
    // The worker takes one (and waits), then the queue fills behind it.
    ASSERT_TRUE(h.runtime.blocking->try_submit([g = gate] { g.wait(); }));
    for (int i = 0; i < 1000 && h.runtime.blocking->queued() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    while (h.runtime.blocking->try_submit([g = gate] { g.wait(); })) {
    }
  };
  auto drain = [&](std::promise<void>& release) {
    release.set_value();
    for (int i = 0; i < 500 && h.runtime.blocking->queued() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the one running finishes too
  };
  h.https->respond = [&](const UpstreamRequest&) {
    fill_queue();
    return Harness::approve_json(false);
  };
  h.iso8583->respond = [&](const UpstreamRequest& r) {
    fill_queue();
    auto a = Harness::approve_iso(r, "00");
    std::get<iso::Message>(a.message).fields.erase(2);  // nothing for the response policy to do
    return a;
  };
  std::promise<void> release_https, release_iso;
  gate = release_https.get_future().share();
  const Result https = over_https(h, "/v1/payments", authorization("4111111111111111"), &acme);
  const std::string after_https = h.runtime.metrics.render({});
  drain(release_https);
  gate = release_iso.get_future().share();
  const Result iso = over_iso(h, iso_payment("4111111111111111"), &acme);
  drain(release_iso);
  expect_same(https, iso, Outcome::answered);
  EXPECT_NE(after_https.find("paygate_fraud_feedback_dropped_total 1\n"), std::string::npos);
  EXPECT_NE(h.runtime.metrics.render({}).find("paygate_fraud_feedback_dropped_total 2\n"), std::string::npos);
}

}  // namespace
}  // namespace paygate::gateway::test
