-- wrk script for scripts/soak: mixed HTTPS payments, 1 in 10 to a processor fault route.
-- 100 card numbers (12 public test PANs + 88 Luhn-valid generated from a fixed seed);
-- every answer's status is counted and every token returned is written to
-- tokens-<thread>.txt (tokens only: never a card number) for the detokenize check.
local out_dir = os.getenv("SOAK_DIR") or "/tmp"
local fixed = {"4111111111111111", "5555555555554444", "4242424242424242", "5105105105105100",
               "4012888888881881", "2223003122003222", "4000056655665556", "5200828282828210",
               "4000002500003155", "6011111111111117", "3566002020360505", "6011000990139424"}
local faults = {"/test/reset", "/test/garbage", "/test/500", "/test/stall", "/test/close", "/test/slow"}

local function luhn_complete(digits)
  local sum, double = 0, true
  for i = #digits, 1, -1 do
    local d = tonumber(digits:sub(i, i))
    if double then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
    double = not double
  end
  return digits .. tostring((10 - sum % 10) % 10)
end

local cards = {}
for _, p in ipairs(fixed) do cards[#cards + 1] = p end
math.randomseed(20261130)
while #cards < 100 do
  local body = "4"
  for _ = 1, 14 do body = body .. tostring(math.random(0, 9)) end
  cards[#cards + 1] = luhn_complete(body)
end

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  counts = {}
  tokens = io.open(out_dir .. "/tokens-" .. id .. ".txt", "w")
  tokens:setvbuf("line")
  math.randomseed(os.time() + id * 7919)
end

function request()
  local path = "/v2/payments"
  if math.random(10) == 1 then path = faults[math.random(#faults)] end
  local body = string.format(
    '{"merchant_reference":"soak","amount":{"value":%d,"currency":"EUR"},' ..
    '"card":{"number":"%s","expiry_month":12,"expiry_year":2030,"cvv":"737"}}',
    math.random(100, 9000), cards[math.random(#cards)])
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["X-Api-Key"] = "pk_soak_test"}, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 200 then
    local token = body:match('"token":"(%d+)"')
    if token then tokens:write(token, "\n") end
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for status, n in pairs(c) do merged[status] = (merged[status] or 0) + n end
  end
  local f = io.open(out_dir .. "/statuses.txt", "w")
  for status, n in pairs(merged) do f:write(status, " ", n, "\n") end
  f:close()
end
