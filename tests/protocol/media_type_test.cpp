// Content negotiation (protocol/http/media_type.h): which Content-Type is JSON, which
// Accept admits a JSON answer.
#include "protocol/http/media_type.h"

#include <gtest/gtest.h>

namespace paygate::protocol::http {
namespace {

TEST(MediaType, JsonContentTypeWithOptionalUtf8Charset) {
  for (const char* ok : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                         "application/json;charset=UTF-8", "application/json; charset=\"utf-8\"", "application/json ;"}) {
    EXPECT_TRUE(is_json_content_type(ok)) << ok;
  }
  for (const char* bad : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonp",
                          "application/json; charset=iso-8859-1", "application/json; boundary=x",
                          "application/json; charset", "multipart/form-data; boundary=a", "application/problem+json"}) {
    EXPECT_FALSE(is_json_content_type(bad)) << bad;
  }
}

TEST(MediaType, AcceptMustAdmitJsonWithANonZeroQ) {
  for (const char* ok : {"", "  ", "*/*", "application/json", "application/*", "text/html, application/json;q=0.5",
                         "application/problem+json", "APPLICATION/JSON", "text/html;q=1, */*;q=0.1",
                         "application/json;q=0.001"}) {
    EXPECT_TRUE(accepts_json(ok)) << ok;
  }
  for (const char* bad : {"text/html", "application/xml", "application/json;q=0", "*/*;q=0.0, text/plain",
                          "application/json; q=0.000", "text/*", "application/jsonp"}) {
    EXPECT_FALSE(accepts_json(bad)) << bad;
  }
}

}  // namespace
}  // namespace paygate::protocol::http
