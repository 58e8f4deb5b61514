#include "protocol/iso8583/codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/iso8583_spec_loader.h"
#include "tests/support/vectors.h"

namespace paygate::protocol::iso8583 {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::shared_ptr<const MessageSpec> spec(const std::string& name) {
  auto loaded = config::load_iso8583_spec(config::iso8583_spec_path(name));
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  return loaded.spec;
}

TEST(Iso8583Specs, TheShippedSpecsLoad) {
  for (const char* name : {"iso8583-1987-ascii", "iso8583-1987-bcd"}) {
    auto s = spec(name);
    ASSERT_TRUE(s) << name;
    EXPECT_EQ(s->name, name);
    EXPECT_TRUE(s->fields[2]);
    EXPECT_TRUE(s->fields[128]);
    EXPECT_EQ(s->required.at("0100"), (std::vector<int>{2, 3, 4, 7, 11, 41, 49}));
  }
}

TEST(Iso8583Codec, EverySampleDecodesToItsFieldsAndRepacksByteIdentically) {
  auto ascii = spec("iso8583-1987-ascii");
  const auto file = test::load_vectors("iso8583_samples.json");
  int samples = 0;
  for (const auto& item : file.as_array()) {
    const auto& v = item.as_object();
    const std::string name(v.at("name").as_string());
    const auto bytes = from_hex(v.at("packed_hex").as_string());
    auto unpacked = unpack(*ascii, bytes);
    ASSERT_TRUE(unpacked.ok()) << name << ": " << unpacked.error->to_string();
    const Message& m = unpacked.value;
    const auto& expected = v.at("fields").as_object();
    EXPECT_EQ(m.mti, expected.at("0").as_string()) << name;
    EXPECT_EQ(m.fields.size() + 1, expected.size()) << name;
    for (const auto& [key, value] : expected) {
      if (key == "0") continue;
      const int field = std::stoi(std::string(key));
      ASSERT_TRUE(m.has(field)) << name << " lacks field " << field;
      EXPECT_EQ(m.fields.get(field), value.as_string()) << name << " field " << field;
    }
    auto repacked = pack(*ascii, m);
    ASSERT_TRUE(repacked.ok()) << name << ": " << repacked.error->to_string();
    EXPECT_EQ(repacked.value, bytes) << name;
    ++samples;
  }
  EXPECT_EQ(samples, 7);
}

TEST(Iso8583Codec, TheBcdBinaryVariantRoundTrips) {
  auto bcd = spec("iso8583-1987-bcd");
  Message m;
  m.mti = "0100";
  m.fields = {{2, "4111111111111111"}, {3, "000000"}, {4, "000000001000"}, {7, "1129201500"}, {11, "123456"},
              {35, "4111111111111111D30121010000000000"}, {41, "TERM0001"}, {49, "978"},
              {52, std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8)}, {70, "301"}};
  auto packed = pack(*bcd, m);
  ASSERT_TRUE(packed.ok()) << packed.error->to_string();
  EXPECT_EQ(packed.value[0], 0x01);  // MTI 0100 in BCD
  EXPECT_EQ(packed.value[1], 0x00);
  auto back = unpack(*bcd, packed.value);
  ASSERT_TRUE(back.ok()) << back.error->to_string();
  EXPECT_EQ(back.value.mti, "0100");
  EXPECT_EQ(back.value.fields, m.fields);
  EXPECT_TRUE(missing_required(*bcd, back.value).empty());
  m.fields.erase(41);
  EXPECT_EQ(missing_required(*bcd, m), std::vector<int>{41});
}

TEST(Iso8583Codec, BadInputIsATypedErrorNamingTheFieldNeverTheBytes) {
  auto ascii = spec("iso8583-1987-ascii");
  auto bcd = spec("iso8583-1987-bcd");
  const std::string good = "02004000000000000000164111111111111111";
  auto code_of = [&](const MessageSpec& s, const std::string& text) {
    auto r = unpack(s, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_EQ(r.error->reason.find("4111111111111111"), std::string::npos);
    }
    return r.ok() ? std::pair{CodecErrorCode::missing_field, -1} : std::pair{r.error->code, r.error->field};
  };
  EXPECT_TRUE(unpack(*ascii, std::span(reinterpret_cast<const std::uint8_t*>(good.data()), good.size())).ok());
  EXPECT_EQ(code_of(*ascii, "02"), (std::pair{CodecErrorCode::truncated, 0}));
  EXPECT_EQ(code_of(*ascii, "02X0400000000000000016"), (std::pair{CodecErrorCode::bad_mti, 0}));
  EXPECT_EQ(code_of(*ascii, "0200400000000000000G164111111111111111"), (std::pair{CodecErrorCode::bad_bitmap, 1}));
  EXPECT_EQ(code_of(*ascii, good.substr(0, good.size() - 3)), (std::pair{CodecErrorCode::truncated, 2}));
  EXPECT_EQ(code_of(*ascii, "02004000000000000000994111111111111111"), (std::pair{CodecErrorCode::bad_length, 2}));
  EXPECT_EQ(code_of(*ascii, "020040000000000000001A4111111111111111"), (std::pair{CodecErrorCode::bad_length, 2}));
  EXPECT_EQ(code_of(*ascii, "0200400000000000000016411111111111111X"), (std::pair{CodecErrorCode::bad_encoding, 2}));
  EXPECT_EQ(code_of(*ascii, good + "00"), (std::pair{CodecErrorCode::trailing_bytes, 0}));
  // A bitmap naming fields that are not there: the message ends first.
  EXPECT_EQ(code_of(*ascii, "02007000000000000000164111111111111111"), (std::pair{CodecErrorCode::truncated, 3}));
  // Bad BCD nibble in a numeric field (0xA).
  const std::string bcd_bad("\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x12\x3A\x56", 13);
  EXPECT_EQ(code_of(*bcd, bcd_bad), (std::pair{CodecErrorCode::bad_encoding, 3}));
}

TEST(Iso8583Codec, PackRefusesWhatTheSpecDoesNotAllow) {
  auto ascii = spec("iso8583-1987-ascii");
  Message m;
  m.mti = "0200";
  m.fields.set(3, "12345");  // fixed 6
  EXPECT_EQ(pack(*ascii, m).error->code, CodecErrorCode::bad_length);
  m.fields.set(3, "12345X");
  EXPECT_EQ(pack(*ascii, m).error->code, CodecErrorCode::bad_encoding);
  m.fields = {{2, std::string(20, '4')}};
  EXPECT_EQ(pack(*ascii, m).error->code, CodecErrorCode::bad_length);
  m.mti = "02A0";
  EXPECT_EQ(pack(*ascii, m).error->code, CodecErrorCode::bad_mti);
}

TEST(Iso8583Specs, BrokenSpecsReportPositions) {
  auto r = config::load_iso8583_spec_from_string(
      "name: x\nmti: ascii\nbitmap: hex\nfields:\n  2: { type: n, var: ll, max: 200 }\n  3: { type: q, length: 6 }\n"
      "  200: { type: n, length: 1 }\nrequired:\n  \"0100\": [2, 9]\n",
      "/specs/x.yaml");
  ASSERT_FALSE(r.ok());
  std::vector<std::string> messages;
  for (const auto& e : r.errors) messages.push_back(e.to_string());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "/specs/x.yaml:5:31: fields.2.max: exceeds what the length prefix can express (99)",
                          "/specs/x.yaml:6:14: fields.3.type: expected one of: n, an, ans, z, b",
                          "/specs/x.yaml:7:8: fields.200: field numbers are 2..128",
                          "/specs/x.yaml:9:15: required.0100: not a field this spec defines"}));
}

// The character checks run eight bytes at a time; compare them with a plain per-byte
// definition for every byte value at every position of a 19-character value.
TEST(Iso8583Codec, EveryByteValueIsCheckedAgainstItsFieldType) {
  struct Case {
    FieldType type;
    bool (*allowed)(int c);
  };
  const Case cases[] = {
      {FieldType::n, [](int c) { return c >= '0' && c <= '9'; }},
      {FieldType::an, [](int c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' '; }},
      {FieldType::ans, [](int c) { return c >= 0x20 && c <= 0x7e; }},
      {FieldType::z, [](int c) { return (c >= '0' && c <= '9') || c == '=' || c == 'D' || c == 'd'; }},
      {FieldType::b, [](int) { return true; }},
  };
  for (const Case& test_case : cases) {
    MessageSpec spec;
    FieldSpec field;
    field.number = 2;
    field.type = test_case.type;
    field.length_kind = LengthKind::llvar;
    field.length = 19;
    spec.fields[2] = field;
    for (std::size_t position = 0; position < 19; ++position) {
      for (int c = 0; c < 256; ++c) {
        std::string value(19, '1');
        value[position] = static_cast<char>(c);
        Message m;
        m.mti = "0100";
        m.fields.set(2, value);
        EXPECT_EQ(pack(spec, m).ok(), test_case.allowed(c))
            << "type " << static_cast<int>(test_case.type) << " byte " << c << " at " << position;
      }
    }
  }
}

}  // namespace
}  // namespace paygate::protocol::iso8583
