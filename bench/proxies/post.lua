-- wrk: POST one JSON authorization (about 600 bytes) per request, to /v1/payments.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("PAYGATE_BENCH_BODY"), "r")
wrk.body = f:read("*a")
f:close()
