// BER-TLV (field 55), framing headers and the masking printer.
#include <gtest/gtest.h>

#include "protocol/iso8583/track2.h"

#include "config/iso8583_spec_loader.h"
#include "protocol/iso8583/codec.h"
#include "protocol/iso8583/framing.h"
#include "protocol/iso8583/printer.h"
#include "protocol/iso8583/tlv.h"

namespace paygate::protocol::iso8583 {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> out;
  for (int b : list) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

// Typical EMV field 55: 9F26 (cryptogram, 8 bytes), 82 (AIP), a constructed 70 template,
// padding, an unknown 3-byte tag DF8101, and a long-form length.
const std::vector<std::uint8_t> emv = bytes({0x9F, 0x26, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x82, 0x02, 0x19, 0x80,
                                             0x70, 0x05, 0x5A, 0x03, 0x41, 0x11, 0x11, 0x00, 0xDF, 0x81, 0x01, 0x01,
                                             0xAA, 0x9F, 0x10, 0x81, 0x03, 0x06, 0x01, 0x0A});

TEST(Tlv, ParsesNestedPaddedAndUnknownTagsAndReserializesByteForByte) {
  std::vector<Tlv> objects;
  ASSERT_FALSE(parse_tlv(emv, objects));
  ASSERT_EQ(objects.size(), 6u);
  EXPECT_EQ(objects[0].tag_hex(), "9F26");
  EXPECT_EQ(objects[0].value.size(), 8u);
  EXPECT_EQ(objects[2].tag_hex(), "70");
  ASSERT_EQ(objects[2].children.size(), 1u);
  EXPECT_EQ(objects[2].children[0].tag_hex(), "5A");
  EXPECT_TRUE(objects[3].padding());
  EXPECT_EQ(objects[4].tag_hex(), "DF8101");
  EXPECT_EQ(objects[5].length_bytes, bytes({0x81, 0x03}));  // long form kept as sent
  EXPECT_EQ(serialize_tlv(objects), emv);
}

TEST(Tlv, RefusesMalformedInputWithAnOffset) {
  std::vector<Tlv> objects;
  for (const auto& bad : {bytes({0x9F}), bytes({0x9F, 0x26}), bytes({0x82, 0x05, 1, 2}), bytes({0x82, 0x80, 1}),
                          bytes({0x82, 0x84, 0, 0, 0, 1, 1}), bytes({0x9F, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00})}) {
    auto e = parse_tlv(bad, objects);
    ASSERT_TRUE(e);
    EXPECT_LE(e->offset, bad.size());
  }
}

TEST(Framing, HeadersRoundTripAndRefuseGarbage) {
  for (Framing f : {Framing::binary2, Framing::bcd2, Framing::ascii4}) {
    for (std::size_t length : {0u, 7u, 256u, 9999u}) {
      std::vector<std::uint8_t> header;
      ASSERT_TRUE(write_header(f, length, header));
      EXPECT_EQ(header.size(), header_size(f));
      EXPECT_EQ(read_header(f, header), length);
    }
  }
  std::vector<std::uint8_t> h;
  EXPECT_FALSE(write_header(Framing::bcd2, 10000, h));
  EXPECT_TRUE(write_header(Framing::binary2, 65535, h));
  EXPECT_EQ(read_header(Framing::bcd2, bytes({0x1A, 0x00})), std::nullopt);
  EXPECT_EQ(read_header(Framing::ascii4, bytes({'0', '1', 'x', '0'})), std::nullopt);
  EXPECT_EQ(read_header(Framing::binary2, bytes({0x01, 0x00})), 256u);
  EXPECT_EQ(parse_framing("bcd2"), Framing::bcd2);
  EXPECT_FALSE(parse_framing("bcd3"));
}

TEST(Printer, MasksEverySensitiveFieldAndNamesEmvTagsOnly) {
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-bcd")).spec;
  ASSERT_TRUE(spec);
  Message m;
  m.mti = "0200";
  m.fields = {{2, "4111111111111111"}, {3, "000000"}, {14, "3012"}, {35, "4111111111111111D30121010000000000"},
              {52, std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8)},
              {55, std::string(reinterpret_cast<const char*>(emv.data()), emv.size())}};
  const std::string text = describe_text(*spec, m, Masking::masked);
  EXPECT_NE(text.find("F002 411111******1111"), std::string::npos) << text;
  EXPECT_NE(text.find("F014 ****"), std::string::npos) << text;
  EXPECT_NE(text.find("F035 411111******1111******************"), std::string::npos) << text;
  EXPECT_NE(text.find("F052 [PIN block, 8 bytes]"), std::string::npos) << text;
  EXPECT_NE(text.find("F055 [EMV data, 35 bytes, tags 9F26,82,70,DF8101,9F10]"), std::string::npos) << text;
  EXPECT_EQ(text.find("4111111111111111"), std::string::npos);
  EXPECT_EQ(text.find("0123456789ABCDEF"), std::string::npos);
  EXPECT_EQ(text.find("3012"), std::string::npos);
  const std::string json = describe_json(*spec, m, Masking::masked);
  EXPECT_NE(json.find(R"("0":"0200","2":"411111******1111","3":"000000")"), std::string::npos) << json;
  const std::string clear = describe_json(*spec, m, Masking::unmasked);
  EXPECT_NE(clear.find(R"("2":"4111111111111111")"), std::string::npos);
  EXPECT_NE(clear.find(R"("52":"0123456789ABCDEF")"), std::string::npos);
}

TEST(Codec, Field55MustBeValidTlvInTheBcdSpec) {
  auto spec = config::load_iso8583_spec(config::iso8583_spec_path("iso8583-1987-bcd")).spec;
  Message m;
  m.mti = "0100";
  m.fields = {{55, std::string(reinterpret_cast<const char*>(emv.data()), emv.size())}};
  auto packed = pack(*spec, m);
  ASSERT_TRUE(packed.ok());
  auto back = unpack(*spec, packed.value);
  ASSERT_TRUE(back.ok()) << back.error->to_string();
  EXPECT_EQ(back.value.fields.get(55), m.fields.get(55));
  m.fields.set(55, std::string_view("\x9F\x26\x08\x01", 4));  // value runs past the end
  auto bad = unpack(*spec, pack(*spec, m).value);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error->field, 55);
  EXPECT_EQ(bad.error->code, CodecErrorCode::bad_encoding);
}

TEST(Iso8583Fields, KeepsFieldOrderReplacesAndErases) {
  Fields fields{{35, "track"}, {2, "4111111111111111"}, {128, "mac"}, {64, "m64"}, {65, "m65"}};
  fields.set(2, "4000056655665556");  // replace: the new value wins
  fields.erase(35);
  fields.set(200, "ignored");  // not a field number
  fields.set(0, "ignored");
  std::vector<int> numbers;
  for (auto [number, value] : fields) numbers.push_back(number);
  EXPECT_EQ(numbers, (std::vector<int>{2, 64, 65, 128}));
  EXPECT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields.get(2), "4000056655665556");
  EXPECT_FALSE(fields.contains(35));
  EXPECT_EQ(fields.get(35), "");
  EXPECT_FALSE(fields.contains(200));

  Fields same{{2, "4000056655665556"}, {64, "m64"}, {65, "m65"}, {128, "mac"}};
  EXPECT_EQ(fields, same);
  same.set(128, "other");
  EXPECT_FALSE(fields == same);
  EXPECT_TRUE(Fields{}.empty());
}

}  // namespace
}  // namespace paygate::protocol::iso8583

namespace paygate::protocol::iso8583 {
namespace {

TEST(Track2, SplitsAtTheSeparatorAndJoinsBackByteForByte) {
  for (const std::string text : {";4111111111111111=30121010000000000000?", "5555555555554444D30121010", "378282246310005=3012"}) {
    auto t = split_track2(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(join_track2(*t), text);
    EXPECT_TRUE(t->pan.size() >= 12 && t->pan.size() <= 19);
  }
  EXPECT_EQ(split_track2(";4111111111111111=3012")->prefix, ";");
  EXPECT_EQ(split_track2("4111111111111111D3012")->rest, "D3012");
  EXPECT_FALSE(split_track2("41111=3012"));                     // too short to be a PAN
  EXPECT_FALSE(split_track2("41111111111111111111111=3012"));   // too long
  EXPECT_FALSE(split_track2("4111111111111111"));               // no separator
}

}  // namespace
}  // namespace paygate::protocol::iso8583
