// Content negotiation for the JSON payment API (RFC 9110 §8.3, §12.5.1): is a request's
// Content-Type JSON, and does its Accept admit a JSON answer. Pure functions over header
// values; case-insensitive where HTTP says so.
#pragma once

#include <string_view>

namespace paygate::protocol::http {

// `application/json`, with at most a `charset=utf-8` parameter (RFC 8259 §8.1: JSON
// exchanged between systems is UTF-8; any other charset is not JSON we can read).
bool is_json_content_type(std::string_view content_type);

// Whether an Accept header admits `application/json` or `application/problem+json`
// (directly, through application/* or */*) with a non-zero q. An empty or absent
// header accepts anything.
bool accepts_json(std::string_view accept);

}  // namespace paygate::protocol::http
