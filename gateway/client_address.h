// Who the client is when a trusted proxy stands in front of an HTTPS listener (PCI DSS
// 10.2.2 wants the origination of every event): the TCP peer, unless it is one of the
// listener's trusted proxies; then the address the forwarding headers name, read from
// the right and skipping further trusted proxies, so a client cannot forge its address by
// prepending to the header. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/units.h"

namespace paygate::gateway {

// `forwarded`: the Forwarded header (RFC 7239; its for= parameters), used when present;
// else `x_forwarded_for`. Falls back to `peer` when the peer is not trusted or the
// headers name no address.
std::string client_address(std::string_view peer, std::string_view forwarded, std::string_view x_forwarded_for,
                           const std::vector<config::AddressBlock>& trusted);

}  // namespace paygate::gateway
