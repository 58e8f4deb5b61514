// An ISO 8583 message: its MTI and field values, independent of any wire format.
#pragma once

#include <string>

#include "protocol/iso8583/fields.h"

namespace paygate::protocol::iso8583 {

struct Message {
  std::string mti;  // four digits, e.g. "0100"
  // Field number -> content: characters for n/an/ans/z fields (digits as ASCII), raw
  // bytes for b fields. The bitmap is derived from which fields are present.
  Fields fields;

  bool has(int field) const { return fields.contains(field); }
};

}  // namespace paygate::protocol::iso8583
