#include "gateway/flow/payment_flow.h"

#include <boost/json/array.hpp>

#include "card/detect.h"
#include "gateway/blocking_work.h"
#include "gateway/flow/idempotency.h"
#include "gateway/log.h"
#include "gateway/worker.h"

namespace paygate::gateway {
namespace {

using Clock = std::chrono::steady_clock;

// Where the request policies left a refused message.
Outcome refusal_of(const std::vector<protocol::ActionError>& failures) {
  for (auto f : failures) {
    if (protocol::retry_later(f)) return Outcome::service_busy;
  }
  for (auto f : failures) {
    if (protocol::card_error(f)) return Outcome::card_refused;
  }
  return Outcome::invalid_message;
}

// The rule codes of a refused message ("card_expired", "required"...): which rules
// failed, never the values that failed them.
// The rule codes of a 400's issues (never their values).
std::vector<std::string_view> issue_codes(const std::vector<protocol::ValidationIssue>& issues) {
  std::vector<std::string_view> out;
  out.reserve(issues.size());
  for (const auto& i : issues) out.emplace_back(i.code);
  return out;
}

Outcome outcome_of(UpstreamFault fault) {
  switch (fault) {
    case UpstreamFault::none:
      return Outcome::answered;
    case UpstreamFault::busy:
      return Outcome::processor_busy;
    case UpstreamFault::breaker_open:
      return Outcome::processor_unavailable;
    case UpstreamFault::queue_timeout:
    case UpstreamFault::connect_timeout:
    case UpstreamFault::timeout:
      return Outcome::processor_timeout;
    case UpstreamFault::connect_failed:
    case UpstreamFault::unavailable:
      return Outcome::processor_unreachable;
    case UpstreamFault::duplicate:
      return Outcome::duplicate;
    case UpstreamFault::reset:
    case UpstreamFault::bad_answer:
    case UpstreamFault::answer_too_large:
    case UpstreamFault::link_dropped:
      return Outcome::processor_failed;
  }
  return Outcome::processor_failed;
}

// What the request step (decode, the payment records, facts, request policies,
// screening) found.
struct RequestStep {
  Outcome outcome = Outcome::answered;  // answered: go on
  std::vector<protocol::ValidationIssue> issues;
  bool claimed = false;                 // this request holds its idempotency key
  std::string merchant_reference;       // once decoded
  std::uint64_t amount = 0;             // once decoded (minor units)
  std::string currency;
  std::optional<tokens::StoredAnswer> replay;
  bool stalled = false;  // a memory-only run met work that blocks: run it again where it may
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The payment records' part of the request step, after decode: a follow-up must name a
// transaction authorized for this merchant; an idempotency key is claimed, or its first
// request's answer replayed. False, with `r` saying why, when the request stops here.
bool check_records(RequestStep& r, tokens::PaymentRecords& records, const Snapshot& snapshot, const Message& message,
                   const config::Route& route, std::string_view merchant) {
  const std::int64_t now = unix_now();
  if (const auto transaction = message.follow_up_transaction(route); !transaction.empty()) {
    auto known = records.transaction_known(merchant, transaction, now);
    if (!known || !known.value()) {
      r.outcome = known ? Outcome::transaction_not_found : Outcome::service_busy;
      return false;
    }
  }
  const auto key = message.idempotency_key();
  if (key.empty()) return true;
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(snapshot.config->vault.idempotency_window);
  tokens::StoredAnswer replay;
  switch (claim_idempotency_key(records, *snapshot.fingerprints, merchant, route.name, key, message.request_body(), now,
                                window.count(), replay)) {
    case ClaimVerdict::run:
      r.claimed = true;
      return true;
    case ClaimVerdict::replay:
      r.outcome = Outcome::replayed;
      r.replay = std::move(replay);
      return false;
    case ClaimVerdict::in_flight:
      r.outcome = Outcome::idempotency_in_flight;
      return false;
    case ClaimVerdict::reused:
      r.outcome = Outcome::idempotency_key_reused;
      return false;
    case ClaimVerdict::unavailable:
      r.outcome = Outcome::service_busy;
      return false;
  }
  return false;
}

// Whether the payment records must be asked: a follow-up names a transaction, or the
// request carries an idempotency key. After decode().
bool wants_records(const Message& message, const config::Route& route) {
  return !message.follow_up_transaction(route).empty() || !message.idempotency_key().empty();
}

// Runs `work` on the blocking pool when `blocking`, else here; nullopt when the pool is full.
template <class Result, class Work>
boost::asio::awaitable<std::optional<Result>> run_step(Runtime& runtime, bool blocking, Work work) {
  if (!blocking) co_return std::optional<Result>(work());
  co_return co_await run_blocking<Result>(*runtime.blocking, std::move(work));
}

std::optional<std::string_view> text_or_null(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

boost::asio::awaitable<void> PaymentFlow::run(Exchange& x) {
  const Snapshot& snapshot = *x.view->shared;
  RouteMiss miss = RouteMiss::none;
  const config::Route* route = x.message->route(snapshot, miss);
  if (!route) {
    x.outcome = miss == RouteMiss::method ? Outcome::method_not_allowed : Outcome::route_not_found;
    co_return;
  }
  x.route = route;

  x.identity = identify(snapshot, x.credentials);
  if (x.identity.failure) {
    runtime_.metrics.authentication_failure();
    // A flood of them from one address must not fill the audit disk: past the address's
    // limit they are refused unaudited, and its next record counts them.
    const auto admitted = runtime_.authentication_failures.admit(x.credentials.client_ip);
    if (!admitted.record) {
      x.audit_suppressed = true;
      x.outcome = Outcome::unauthenticated;
      co_return;
    }
    x.outcome = co_await record_security_event(x, "authentication_failure", x.identity.failure,
                                               admitted.suppressed_before)
                    ? Outcome::unauthenticated
                    : Outcome::audit_unavailable;
    co_return;
  }
  x.merchant = x.identity.id();
  if (x.identity.merchant && !x.identity.merchant->may_use(route->name)) {
    x.outcome = co_await record_security_event(x, "authorization_refusal", "route_not_allowed")
                    ? Outcome::route_not_allowed
                    : Outcome::audit_unavailable;
    co_return;
  }
  if (x.identity.merchant && !x.message->bound_to(*x.identity.merchant)) {
    x.outcome = co_await record_security_event(x, "authorization_refusal", "merchant_ids_not_its_own")
                    ? Outcome::route_not_allowed
                    : Outcome::audit_unavailable;
    co_return;
  }
  if (const Outcome refusal = x.message->negotiate(*route); refusal != Outcome::answered) {
    x.outcome = refusal;
    co_return;
  }
  co_await process(x, *route);
}

boost::asio::awaitable<void> PaymentFlow::process(Exchange& x, const config::Route& route) {
  const std::shared_ptr<const Snapshot> snapshot = x.view->shared;  // the blocking steps hold it too
  const config::Processor& processor =
      *snapshot->processors[snapshot->route_processor[snapshot->route_index(route)]].config;
  auto prepare = [&] {
    x.actions = std::make_shared<RequestActions>(snapshot->services, route, processor, std::string(x.merchant));
    x.screening =
        Screening::for_route(*snapshot, route, runtime_.screener.get(), x.merchant, x.credentials.client_ip);
    if (x.screening) x.actions->on_card([s = x.screening.get()](std::string_view pan) { s->note_card(pan); });
  };
  prepare();

  // Decode, check, the payment records, the request policies and screening: one step. It
  // runs here, memory-only, when the screening state is in this process: a known card's
  // token from the cache, JWE to the processor's public key, envelopes. When it stalls
  // (a card not in the cache, a vault detokenization, a private-key JWE, the payment
  // records), nothing it did has left the process: the message starts again as it
  // arrived, with new actions and screening, on the blocking pool.
  tokens::PaymentRecords* records = snapshot->fingerprints && route.message ? snapshot->records.get() : nullptr;
  const bool remote_screening = x.screening && !x.screening->in_process();
  const bool may_block = x.message->request_needs_services(route) || records || remote_screening;
  auto step = [message = x.message, snapshot, records, merchant = x.merchant, &route](
                  const std::shared_ptr<RequestActions>& actions, const std::shared_ptr<Screening>& screening) {
    RequestStep r;
    if (!message->decode(route, r.issues)) {
      r.outcome = Outcome::invalid_message;
      return r;
    }
    if (records && actions->is_memory_only() && wants_records(*message, route)) {
      r.stalled = true;
      return r;
    }
    PaymentFacts facts = message->facts();
    r.merchant_reference = std::move(facts.merchant_reference);
    r.amount = facts.amount;
    r.currency = std::move(facts.currency);
    if (records && !check_records(r, *records, *snapshot, *message, route, merchant)) return r;
    if (!facts.pan.empty())
      actions->note_card(facts.pan);  // masked for the record, fingerprinted for screening
    if (screening) screening->note_payment(facts.amount, facts.billing_country);
    PolicyOutcome policy = message->apply_request_policy(route, *actions);
    if (actions->stalled()) {
      r.stalled = true;
      return r;
    }
    if (!policy.ok()) {
      r.outcome = refusal_of(policy.failures);
      r.issues = std::move(policy.issues);
      return r;
    }
    if (screening) screening->screen();
    return r;
  };
  std::optional<RequestStep> done;
  if (!remote_screening) {
    if (may_block) x.actions->set_memory_only(true);
    done = step(x.actions, x.screening);
    if (done->stalled) {
      runtime_.metrics.request_step_stalled();
      x.message->restart();
      prepare();
      done.reset();
    } else {
      x.actions->set_memory_only(false);  // the answer's actions may block: see answer()
    }
  }
  if (!done) {
    // Named, not a temporary in the co_await expression: GCC 12 mishandles the lifetime
    // of a capturing lambda temporary there (its shared_ptr captures released twice).
    auto on_pool = [step, actions = x.actions, screening = x.screening] { return step(actions, screening); };
    done = co_await run_blocking<RequestStep>(*runtime_.blocking, std::move(on_pool));
  }
  if (!done) {
    x.outcome = Outcome::service_busy;
    co_return;
  }
  x.idempotency_claimed = done->claimed;
  x.merchant_reference = std::move(done->merchant_reference);
  x.amount = done->amount;
  x.currency = std::move(done->currency);
  if (done->outcome != Outcome::answered) {
    x.outcome = done->outcome;
    x.issues = std::move(done->issues);
    if (done->replay) {
      x.upstream = "replayed";
      x.replay = std::move(done->replay);
    }
    co_return;
  }
  if (const fraud::Decision* d = x.fraud()) {
    if (d->state_unavailable) {
      log::warn("fraud state unavailable", {{"request_id", x.request_id.view()}, {"route", route.name},
                                            {"policy", snapshot->config->fraud.fail_closed ? "fail_closed" : "fail_open"}});
    }
    if (d->outcome == fraud::Outcome::block) {
      x.upstream = "fraud_block";
      x.outcome = Outcome::blocked;
      x.issues = {{"$", d->reason}};
      co_return;
    }
  }
  // No payment leaves that the audit log cannot record.
  if (runtime_.audit && !runtime_.audit->healthy()) {
    log::error("request refused", {{"request_id", x.request_id.view()}, {"reason", "audit_log_failing"}});
    x.outcome = Outcome::audit_unavailable;
    co_return;
  }
  co_await forward(x, route);
}

boost::asio::awaitable<void> PaymentFlow::forward(Exchange& x, const config::Route& route) {
  const Snapshot& snapshot = *x.view->shared;
  ProcessorClient& client = *x.view->clients[snapshot.route_processor[snapshot.route_index(route)]];
  const UpstreamRequest request = x.message->take_upstream_request(route, client.processor(), x.request_id.view(), x.merchant);
  UpstreamAnswer reply =
      co_await client.send(request, x.message->may_resend(route), x.request_id.view(), route.name);
  if (reply.fault != UpstreamFault::none) {
    x.upstream = to_string(reply.fault);
    x.outcome = outcome_of(reply.fault);
    co_return;
  }
  x.upstream = "ok";
  if (!x.message->read_answer(std::move(reply), x.answer_facts)) {
    x.upstream = "garbage";
    log::warn("processor answer unreadable", {{"request_id", x.request_id.view()}, {"route", route.name},
                                              {"processor", client.processor().config->name}});
    x.outcome = Outcome::processor_failed;
    co_return;
  }
  feed_back(x);
  co_await answer(x, route);
}

boost::asio::awaitable<void> PaymentFlow::answer(Exchange& x, const config::Route& route) {
  // On the blocking pool only when an action this answer needs may block (the vault, a
  // private-key JWE); FPE, public-key JWE and envelopes are done here.
  const bool blocking =
      x.message->answer_needs(route, [&](protocol::FieldAction a) { return x.actions->may_block(a); });
  auto step = [message = x.message, actions = x.actions, keep = x.view, &route] {
    return message->apply_response_policy(route, *actions);
  };
  auto policy = co_await run_step<PolicyOutcome>(runtime_, blocking, std::move(step));
  if (!policy) {
    x.outcome = Outcome::service_busy;
    co_return;
  }
  if (!policy->ok()) {
    x.upstream = "answer_refused";
    log::warn("processor answer refused",
              {{"request_id", x.request_id.view()}, {"route", route.name}, {"issues", policy->issues.size()}});
    x.outcome = refusal_of(policy->failures) == Outcome::service_busy ? Outcome::service_busy
                                                                      : Outcome::answer_refused;
    x.issues = std::move(policy->issues);
    co_return;
  }
  // The last line of defence, the same for every format: a card number the route's
  // policies did not cover (a processor echoing it somewhere unexpected) never reaches
  // the merchant; the answer is refused whole.
  std::string where;
  x.message->answer_text([&](std::string_view field, std::string_view text) {
    if (where.empty() && !card::find_pans(text).empty()) where = std::string(field);
  });
  if (!where.empty()) {
    log::warn("card number in processor answer refused",
              {{"request_id", x.request_id.view()}, {"route", route.name}, {"field", where}});
    x.upstream = "answer_refused";
    x.outcome = Outcome::answer_refused;
    x.issues = {{where, "card_number_in_answer"}};
    co_return;
  }
  x.outcome = Outcome::answered;
}

namespace {

// An approved authorization that a later capture, refund or void may name.
bool remembers_transaction(const Snapshot& snapshot, const Exchange& x) {
  return snapshot.follow_up_routes && x.route->message == protocol::MessageKind::authorization &&
         x.outcome == Outcome::answered && x.answer_facts.approved && !x.answer_facts.transaction_id.empty();
}

}  // namespace

bool PaymentFlow::needs_settling(const Exchange& x) const {
  const Snapshot& snapshot = *x.view->shared;
  return snapshot.records && x.route && (x.idempotency_claimed || remembers_transaction(snapshot, x));
}

boost::asio::awaitable<void> PaymentFlow::settle(Exchange& x, unsigned status, std::string_view content_type,
                                                 std::string_view body) {
  if (!needs_settling(x)) co_return;
  const Snapshot& snapshot = *x.view->shared;
  const bool remember = remembers_transaction(snapshot, x);
  const auto retention = std::chrono::seconds(std::int64_t{86400} * snapshot.config->vault.transaction_retention_days);
  const bool kept = processor_may_have_acted(x.outcome);
  tokens::StoredAnswer answer;
  if (x.idempotency_claimed && kept) answer = {status, std::string(content_type), std::string(body)};
  auto work = [records = snapshot.records, keep = x.idempotency_claimed, kept,
               merchant = std::string(x.merchant), key = std::string(x.message->idempotency_key()),
               transaction = remember ? x.answer_facts.transaction_id : std::string(), answer = std::move(answer),
               retention] {
    const std::int64_t now = unix_now();
    bool ok = true;
    if (!transaction.empty()) ok = records->remember_transaction(merchant, transaction, now, now + retention.count()).ok();
    if (keep) ok = (kept ? records->complete(merchant, key, answer) : records->release(merchant, key)).ok() && ok;
    return ok;
  };
  const auto written = co_await run_blocking<bool>(*runtime_.blocking, std::move(work));
  // The answer still goes out: the processor has acted. An unsettled claim stays in
  // flight (retries get 409) until its window ends, which never charges twice.
  if (!written || !*written)
    log::error("payment records not written", {{"request_id", x.request_id.view()}, {"route", x.route->name},
                                               {"reason", written ? "store_failed" : "blocking_pool_full"}});
}

// The processor's verdict back to the screening state: here when the state is in this
// process; else on the blocking pool, not waited for. When the pool is full the feedback
// is dropped — counted and logged, never silently.
void PaymentFlow::feed_back(Exchange& x) {
  if (!x.screening || !x.fraud()) return;
  if (x.screening->in_process()) {
    x.screening->feedback(x.answer_facts.approved, x.answer_facts.response_code);
    return;
  }
  auto work = [screening = x.screening, keep = x.view, facts = x.answer_facts] {
    screening->feedback(facts.approved, facts.response_code);
  };
  if (!runtime_.blocking->try_submit(std::move(work))) {
    runtime_.metrics.fraud_feedback_dropped();
    log::warn("fraud feedback dropped", {{"request_id", x.request_id.view()}, {"reason", "blocking_pool_full"}});
  }
}

boost::asio::awaitable<bool> PaymentFlow::record_security_event(const Exchange& x, std::string_view type,
                                                                std::string_view reason, std::uint64_t suppressed) {
  if (!runtime_.audit) co_return true;
  audit::AuditEvent event{std::string(type)};
  event.with("reason", std::string(reason))
      .with("request_id", x.request_id.view())
      .with("listener", x.listener ? std::string_view(x.listener->name) : std::string_view("-"))
      .with("route", x.route ? x.route->name : std::string("-"))
      .with("merchant", x.merchant)
      .with("client_certificate", x.credentials.certificate != nullptr)
      .with("client_ip", x.credentials.client_ip);
  if (suppressed > 0) event.with("suppressed_before", static_cast<std::int64_t>(suppressed));
  const crypto::Status status = co_await runtime_.audit->record(std::move(event));
  if (!status.ok()) log::error("audit record refused", {{"record", type}, {"reason", status.error().reason}});
  co_return status.ok();
}

boost::asio::awaitable<void> PaymentFlow::record(const Exchange& x, const WireAnswer& wire) {
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - x.start);
  Metrics& metrics = runtime_.metrics;
  const Snapshot& snapshot = *x.view->shared;
  if (!wire.mti.empty()) {
    metrics.iso_exchange(wire.mti, wire.response_code, latency);
  } else if (x.route) {
    metrics.request(*snapshot.route_metrics[snapshot.route_index(*x.route)], wire.status, latency);
  } else {
    metrics.unrouted(wire.status);
  }
  if (x.outcome == Outcome::service_busy) metrics.vault_error();
  if (x.actions) {
    const auto& counts = x.actions->counts();
    for (std::size_t a = 0; a < counts.size(); ++a) {
      if (counts[a] > 0) metrics.action(a, counts[a]);
    }
    for (const auto& id : x.actions->key_ids()) {
      if (auto it = snapshot.key_use.find(id); it != snapshot.key_use.end())
        it->second->fetch_add(1, std::memory_order_relaxed);
    }
  }
  const std::string_view processor =
      x.route
          ? std::string_view(
                snapshot.processors[snapshot.route_processor[snapshot.route_index(*x.route)]].config->name)
          : std::string_view("-");
  // One record per message that reached a route, of one shape for every transport:
  // members that do not apply to this transport are null.
  if (runtime_.audit && x.route && !x.audit_suppressed) {
    static const std::set<std::string> no_strings;
    audit::AuditEvent event{std::string(wire.record_type)};
    event.with("request_id", x.request_id.view())
        .with("listener", x.listener ? std::string_view(x.listener->name) : std::string_view("-"))
        .with("merchant", x.merchant)
        .with("route", x.route->name)
        .with("method", text_or_null(wire.method))
        .with("status", wire.status ? std::optional<std::int64_t>(wire.status) : std::nullopt)
        .with("mti", text_or_null(wire.mti))
        .with("stan", text_or_null(wire.stan))
        .with("response_code", text_or_null(wire.response_code))
        .with("processor", processor)
        .with("upstream", x.upstream)
        .with("outcome", to_string(x.outcome))
        .with("latency_us", static_cast<std::int64_t>(latency.count()))
        .with("client_ip", x.credentials.client_ip)
        .with("trace_id", x.trace ? std::optional<std::string_view>(x.trace->trace_id) : std::nullopt)
        .with("merchant_reference", text_or_null(x.merchant_reference))
        .with("amount", x.amount ? std::optional<std::uint64_t>(x.amount) : std::nullopt)
        .with("currency", text_or_null(x.currency))
        .with("processor_transaction_id", text_or_null(x.answer_facts.transaction_id))
        .with("processor_response_code", text_or_null(x.answer_facts.response_code))
        .with_strings("issue_codes", issue_codes(x.issues))
        .with_strings("actions", x.actions ? x.actions->actions_done() : no_strings)
        .with_strings("key_ids", x.actions ? x.actions->key_ids() : no_strings)
        .with("token", x.actions ? std::string_view(x.actions->token()) : std::string_view())
        .with("masked_pan", x.actions ? std::string_view(x.actions->masked_pan()) : std::string_view());
    if (x.screening && x.fraud()) event.with("fraud", x.screening->record());
    const crypto::Status status = co_await runtime_.audit->record(std::move(event));
    if (!status.ok())
      log::error("audit record refused", {{"request_id", x.request_id.view()}, {"reason", status.error().reason}});
  }
  log::access({.request_id = x.request_id.view(),
               .listener = x.listener ? std::string_view(x.listener->name) : std::string_view("-"),
               .route = x.route ? std::string_view(x.route->name) : std::string_view("-"),
               .method = wire.method.empty() ? std::string_view("-") : wire.method,
               .status = wire.status,
               .bytes_in = x.bytes_in,
               .bytes_out = wire.bytes_out,
               .latency = latency,
               .merchant = x.merchant,
               .upstream = x.upstream,
               .mti = wire.mti.empty() ? std::string_view("-") : wire.mti,
               .response_code = wire.response_code.empty() ? std::string_view("-") : wire.response_code,
               .client_ip = x.credentials.client_ip.empty() ? std::string_view("-") : x.credentials.client_ip,
               .trace_id = x.trace ? std::string_view(x.trace->trace_id) : std::string_view("-"),
               .merchant_reference = x.merchant_reference});
}

}  // namespace paygate::gateway
