#include "protocol/http/header_block.h"

#include <gtest/gtest.h>

namespace paygate::protocol::http {
namespace {

TEST(HeaderBlock, AWellFramedBlockEndsAtItsEmptyLine) {
  const std::string block = "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
  auto scan = scan_header_block(block + "{}GET / HTTP/1.1\r\n");
  EXPECT_EQ(scan.state, HeaderBlockState::complete);
  EXPECT_EQ(scan.size, block.size());
}

TEST(HeaderBlock, APartialBlockAsksForMoreAtEveryCut) {
  const std::string block = "POST /v1/payments HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::size_t cut = 0; cut < block.size(); ++cut) {
    EXPECT_EQ(scan_header_block(block.substr(0, cut)).state, HeaderBlockState::incomplete) << cut;
  }
}

TEST(HeaderBlock, ObsFoldIsRefusedWithSpaceOrTab) {
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n").state, HeaderBlockState::obs_fold);
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\tchunked\r\n\r\n").state,
            HeaderBlockState::obs_fold);
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\n Host: x\r\n\r\n").state, HeaderBlockState::obs_fold);
}

TEST(HeaderBlock, BareLfAndLoneCrAreRefusedWithoutWaitingForTheEnd) {
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\nHost: x\n").state, HeaderBlockState::bad_line_end);
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\nHost: x\n\r\n").state, HeaderBlockState::bad_line_end);
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\nHost: x\r\n\rX").state, HeaderBlockState::bad_line_end);
}

TEST(HeaderBlock, SpacesInsideAValueAreNotFolds) {
  EXPECT_EQ(scan_header_block("POST / HTTP/1.1\r\nX-Note: a b\tc\r\n\r\n").state, HeaderBlockState::complete);
}

}  // namespace
}  // namespace paygate::protocol::http
